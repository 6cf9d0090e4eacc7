"""Admin pages: practice policy (allowlist, rollout per workflow, templates, static safety message,
escalation contacts, link domains), the audit log viewer with filters, CSV export and chain
verification, and parked inbox events. Admins see no message bodies here: audit rows hold ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from agent.outreach.config import WORKFLOWS as OUTREACH_WORKFLOWS
from agent.policy import INTENTS, NEVER_DRAFTED, PracticePolicy
from agent.server.auth import Forbidden, Sessions
from agent.store.audit import AuditLog
from agent.store.inbox import Inbox
from agent.store.policy_store import PolicyStore
from agent.store.staff import StaffDirectory

WORKFLOWS = ("inbound", *OUTREACH_WORKFLOWS)
ROLLOUT_MODES = ("off", "shadow", "review", "auto_template")


def policy_from_form(form: dict[str, Any], current: PracticePolicy) -> PracticePolicy:
    """Build a policy from the admin form; raises ValidationError naming the bad field."""
    templates = {
        key.removeprefix("template:"): value.strip()
        for key, value in form.items()
        if key.startswith("template:") and value.strip()
    }
    if form.get("new_template_name", "").strip() and form.get("new_template_text", "").strip():
        templates[form["new_template_name"].strip()] = form["new_template_text"].strip()
    on_call = []
    for line in form.get("on_call", "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")] + ["", "", ""]
        on_call.append({"name": parts[0], "role": parts[1] or "on-call clinician",
                        "staff_id": parts[2] or None, "phone": parts[3] or None})
    return PracticePolicy.model_validate({
        **current.model_dump(),
        "intent_allowlist": form.getlist("intent"),
        "rollout": {wf: form.get(f"rollout:{wf}", current.mode(wf)) for wf in WORKFLOWS},
        "templates": templates,
        "safety_message_enabled": form.get("safety_message_enabled") == "on",
        "safety_message": form.get("safety_message", ""),
        "holding_acknowledgement_enabled": form.get("holding_acknowledgement_enabled") == "on",
        "on_call": on_call,
        "pager_webhook_url": form.get("pager_webhook_url", "").strip() or None,
        "allowed_link_domains": [d for d in form.get("allowed_link_domains", "")
                                 .replace(",", " ").split() if d],
        "digest_supervisor_id": form.get("digest_supervisor_id", "").strip() or None,
    })


def register_admin(app: FastAPI, services, *, viewer: Callable, render: Callable,
                   sessions: Sessions) -> None:
    policies = PolicyStore(services.db)
    audit = AuditLog(services.db)
    inbox = Inbox(services.db)
    staff = StaffDirectory(services.db)

    def admin(request: Request):
        who = viewer(request)
        if not who.scope.admin:
            raise Forbidden()
        return who

    def clinicians() -> list[Any]:
        try:
            return services.ehr.list_clinicians()
        except Exception:  # noqa: BLE001 - the page still renders; the id is kept as typed
            return []

    def policy_page(request: Request, who, status: int = 200, errors=None, saved=None):
        latest = policies.latest()
        return render(request, "admin_policy.html", who, status=status, clinicians=clinicians(),
                      policy=latest.policy if latest else PracticePolicy(), latest=latest,
                      intents=[i for i in INTENTS if i not in NEVER_DRAFTED],
                      never=sorted(NEVER_DRAFTED), workflows=WORKFLOWS, modes=ROLLOUT_MODES,
                      errors=errors or [], saved=saved)

    @app.get("/admin", include_in_schema=False)
    def admin_home(request: Request) -> HTMLResponse:
        return policy_page(request, admin(request))

    @app.post("/admin/policy", include_in_schema=False)
    async def admin_policy(request: Request) -> HTMLResponse:
        who = admin(request)
        form = await request.form()
        sessions.check_csrf(who.csrf, form.get("csrf"))
        try:
            policy = policy_from_form(form, policies.current())
        except ValidationError as exc:
            errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                      for e in exc.errors(include_input=False)]
            return policy_page(request, who, status=422, errors=errors)
        known = {c.id for c in clinicians()}
        if policy.digest_supervisor_id and policy.digest_supervisor_id not in known:
            return policy_page(request, who, status=422, errors=[
                "digest_supervisor_id: not a clinician in the EHR"])
        version = policies.save(policy, actor=who.account.actor)
        return policy_page(request, who, saved=version)

    def filters(request: Request) -> dict[str, Any]:
        params = request.query_params
        found: dict[str, Any] = {k: params.get(k) or None for k in ("actor", "action",
                                                                    "client_id")}
        for key in ("since", "until"):
            value = params.get(key)
            found[key] = datetime.fromisoformat(value).astimezone() if value else None
        return found

    @app.get("/admin/audit", include_in_schema=False)
    def admin_audit(request: Request) -> HTMLResponse:
        who = admin(request)
        try:
            chosen = filters(request)
        except ValueError:
            return render(request, "admin_audit.html", who, status=422, entries=[],
                          chain=audit.verify(), params=request.query_params,
                          error="since/until must be ISO dates, e.g. 2026-11-27")
        entries = audit.search(**chosen, limit=500)
        return render(request, "admin_audit.html", who, entries=entries, chain=audit.verify(),
                      params=request.query_params, error=None)

    @app.get("/admin/audit.csv", include_in_schema=False)
    def admin_audit_csv(request: Request) -> Response:
        who = admin(request)
        try:
            chosen = filters(request)
        except ValueError:
            return Response("since/until must be ISO dates\n", status_code=422)
        audit.append(actor=who.account.actor, action="audit.export",
                     details={k: str(v) for k, v in chosen.items() if v})
        return Response(audit.export_csv(**chosen), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})

    @app.get("/admin/events", include_in_schema=False)
    def admin_events(request: Request) -> HTMLResponse:
        who = admin(request)
        return render(request, "admin_events.html", who, parked=inbox.parked(),
                      counts=inbox.counts(), staff=staff.list())

    @app.post("/admin/events/{event_id}/requeue", include_in_schema=False)
    async def admin_requeue(request: Request, event_id: str) -> Response:
        who = admin(request)
        form = await request.form()
        sessions.check_csrf(who.csrf, form.get("csrf"))
        if inbox.requeue(event_id):
            audit.append(actor=who.account.actor, action="event.requeue", subject=event_id)
        return RedirectResponse("/admin/events", status_code=303)
