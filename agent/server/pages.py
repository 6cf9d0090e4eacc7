"""The staff pages: sign-in, the review inbox (crisis alerts pinned, then drafts by priority and
age), the draft view with one-click decisions, alerts, and the admin pages.

Server-rendered Jinja2, no build step. Every page checks the signed-in person's scope
(`agent.server.rbac`); an item outside it answers 404 (its existence is not revealed). Every view
of a message body or crisis evidence writes an audit row before the page is returned.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from agent.server.admin import register_admin
from agent.server.auth import CsrfError, Forbidden, NotSignedIn, Sessions
from agent.server.rbac import Scope, scope_for
from agent.state import ReviewDecision
from agent.store.alerts import AlertNotFound, AlertStore
from agent.store.audit import AuditLog
from agent.store.outreach import OutreachStore
from agent.store.policy_store import PolicyStore
from agent.store.review import AlreadyDecided, ReviewNotFound, ReviewQueue
from agent.store.staff import StaffAccount, StaffDirectory

log = logging.getLogger("practice.pages")

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _age(value: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - value).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


templates.env.filters["age"] = _age


class Digest(BaseModel):
    """One day's digest of automatic outreach sends for one supervising clinician (ids only)."""

    supervisor_id: str
    day: str
    body: str


class Viewer:
    """The signed-in person for one request: account, scope and CSRF token."""

    def __init__(self, account: StaffAccount, scope: Scope, csrf: str):
        self.account, self.scope, self.csrf = account, scope, csrf


def register_pages(app: FastAPI, services) -> None:
    staff = StaffDirectory(services.db)
    sessions = Sessions(services.settings, staff)
    queue = ReviewQueue(services.db)
    alerts = AlertStore(services.db)
    audit = AuditLog(services.db)
    digests = OutreachStore(services.db)

    def viewer(request: Request) -> Viewer:
        account, csrf = sessions.account(request)
        return Viewer(account, scope_for(account, services.ehr), csrf)

    def render(request: Request, template: str, who: Viewer | None, status: int = 200,
               **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, template, {"viewer": who, **context},
                                          status_code=status)

    def client_names(ids: set[str]) -> dict[str, str]:
        names = {}
        for client_id in ids:
            try:
                client = services.ehr.get_client(client_id)
                names[client_id] = f"{client.display_name} {client.family_name}"
            except Exception:  # noqa: BLE001 - a missing name never hides the item
                names[client_id] = client_id
        return names

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return HTMLResponse("<h1>403</h1><p>Your role does not include this page.</p>",
                            status_code=403)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return HTMLResponse("<h1>400</h1><p>The form expired; reload the page and try again.</p>",
                            status_code=400)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/inbox") -> HTMLResponse:  # noqa: A002
        return render(request, "login.html", None, next=_safe_next(next), error=None)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              next: str = Form("/inbox")) -> Response:  # noqa: A002
        account = staff.authenticate(username.strip().lower(), password)
        if account is None:
            return render(request, "login.html", None, status=401, next=_safe_next(next),
                          error="Wrong username or password, or the account is locked.")
        token, _csrf = sessions.issue(account)
        target = _safe_next(next)
        if target == "/inbox" and not scope_for(account, services.ehr).reviews:
            target = "/admin"
        response = RedirectResponse(target, status_code=303)
        sessions.set_cookie(response, token)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")) -> Response:
        who = viewer(request)
        sessions.check_csrf(who.csrf, csrf)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie("practice_session", path="/")
        return response

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/inbox", status_code=303)

    def digests_for(who: Viewer, days: int = 7) -> list[Digest]:
        """The daily digests of automatic outreach this person receives (their own as the
        supervising clinician; every recipient's for an admin), newest first; reads audited."""
        recipients = {who.account.clinician_id} if who.account.clinician_id else set()
        if who.scope.admin:
            recipients |= {c.supervisor_id or c.id for c in services.ehr.list_clinicians()}
            recipients |= {PolicyStore(services.db).current().digest_supervisor_id}
        recipients.discard(None)
        zone = ZoneInfo(services.settings.practice_timezone)
        today = services.ehr.now().astimezone(zone).date()
        found = []
        for back in range(days):
            day = (today - timedelta(days=back)).isoformat()
            for recipient in sorted(recipients):
                body = digests.digest(recipient, day)
                if body is not None:
                    found.append(Digest(supervisor_id=recipient, day=day, body=body))
        for digest in found:
            audit.append(actor=who.account.actor, action="digest.read",
                         subject=f"{digest.supervisor_id}:{digest.day}")
        return found

    @app.get("/inbox", include_in_schema=False)
    def inbox(request: Request) -> HTMLResponse:
        who = viewer(request)
        if not who.scope.reviews:
            raise Forbidden()
        ids = set(who.scope.client_ids) if who.scope.client_ids is not None else None
        open_alerts = alerts.list_open(client_ids=ids) if who.scope.alerts else []
        items = queue.pending(client_ids=ids, include_clinical=who.scope.include_clinical)
        names = client_names({a.client_id for a in open_alerts} | {i.client_id for i in items})
        return render(request, "inbox.html", who, alerts=open_alerts, items=items, names=names,
                      digests=digests_for(who, days=2))

    @app.get("/digests", include_in_schema=False)
    def digest_page(request: Request) -> HTMLResponse:
        who = viewer(request)
        if not (who.scope.admin or who.account.clinician_id):
            raise Forbidden()
        return render(request, "digests.html", who, digests=digests_for(who))

    def readable_item(who: Viewer, item_id: str):
        try:
            item = queue.get(item_id)
        except ReviewNotFound:
            return None
        if not who.scope.can_read(item.client_id, item.clinical):
            log.warning("out-of-scope read refused item=%s staff=%s", item_id,
                        who.account.username)
            audit.append(actor=who.account.actor, action="access.denied",
                         client_id=item.client_id, subject=item_id)
            return None
        return item

    @app.get("/review/{item_id}", include_in_schema=False)
    def review_item(request: Request, item_id: str) -> HTMLResponse:
        who = viewer(request)
        item = readable_item(who, item_id)
        if item is None:
            return render(request, "missing.html", who, status=404)
        audit.append(actor=who.account.actor, action="message.read", client_id=item.client_id,
                     subject=item.id, details={"message_id": item.message_id})
        return render(request, "review.html", who, item=item,
                      name=client_names({item.client_id})[item.client_id])

    @app.post("/review/{item_id}/decide", include_in_schema=False)
    def review_decide(request: Request, item_id: str, decision: str = Form(""),
                      text: str = Form(""), csrf: str = Form("")) -> Response:
        from agent.server.decisions import DecisionRefused, decide

        who = viewer(request)
        sessions.check_csrf(who.csrf, csrf)
        item = readable_item(who, item_id)
        if item is None:
            return render(request, "missing.html", who, status=404)
        try:
            # The form always carries the textarea; only edit/respond use it.
            choice = ReviewDecision(type=decision,
                                    text=(text or None) if decision in ("edit", "respond")
                                    else None,
                                    reviewer_id=who.account.actor)
        except ValidationError as exc:
            reason = "; ".join(e["msg"] for e in exc.errors(include_input=False))
            return render(request, "review.html", who, status=422, item=item, error=reason,
                          name=client_names({item.client_id})[item.client_id])
        try:
            decide(request.app.state.services, item_id, who.account, choice)
        except AlreadyDecided:
            pass  # someone else got there first; move on to the next item
        except DecisionRefused as exc:
            return render(request, "review.html", who, status=422, item=queue.get(item_id),
                          error=str(exc), name=client_names({item.client_id})[item.client_id])
        except Exception:  # noqa: BLE001 - the item is back in the queue with its error
            return RedirectResponse(f"/review/{item_id}", status_code=303)
        ids = set(who.scope.client_ids) if who.scope.client_ids is not None else None
        following = queue.next_for(client_ids=ids, include_clinical=who.scope.include_clinical,
                                   after=item_id)
        return RedirectResponse(f"/review/{following.id}" if following else "/inbox",
                                status_code=303)

    @app.get("/alerts/{alert_id}", include_in_schema=False)
    def alert_view(request: Request, alert_id: str) -> HTMLResponse:
        who = viewer(request)
        try:
            alert = alerts.get(alert_id)
        except AlertNotFound:
            return render(request, "missing.html", who, status=404)
        if not who.scope.can_read_alert(alert.client_id):
            audit.append(actor=who.account.actor, action="access.denied",
                         client_id=alert.client_id, subject=alert_id)
            return render(request, "missing.html", who, status=404)
        audit.append(actor=who.account.actor, action="alert.read", client_id=alert.client_id,
                     subject=alert.id)
        return render(request, "alert.html", who, alert=alert,
                      name=client_names({alert.client_id})[alert.client_id])

    @app.post("/alerts/{alert_id}/ack", include_in_schema=False)
    def alert_ack(request: Request, alert_id: str, csrf: str = Form("")) -> Response:
        who = viewer(request)
        sessions.check_csrf(who.csrf, csrf)
        try:
            alert = alerts.get(alert_id)
        except AlertNotFound:
            return render(request, "missing.html", who, status=404)
        if not who.scope.can_read_alert(alert.client_id):
            return render(request, "missing.html", who, status=404)
        alerts.acknowledge(alert_id, by=who.account.actor)
        return RedirectResponse("/inbox", status_code=303)

    register_admin(app, services, viewer=viewer, render=render, sessions=sessions)


def _safe_next(target: str) -> str:
    """Only same-site paths: a crafted ?next= must not send staff to another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target
