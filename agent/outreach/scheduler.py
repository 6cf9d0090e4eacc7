"""The outreach scheduler: plans every workflow's sends from EHR state, and delivers each due send
through the one path every outbound message takes:

    claim (lease) -> still useful? -> contact rules (consent, opt-out, guardian, Part 2)
    -> quiet hours (defer) -> compose from fresh EHR state -> frequency cap (defer)
    -> template -> draft guard -> rollout mode: off | shadow | review | auto_template
    -> EHR post (request id = send key) -> status + audit row in one transaction

Durability: the send key is deterministic, planning inserts only unknown keys, a lapsed lease makes
a send claimable again, and the EHR write is idempotent on the key, so a scheduler that dies at any
point and is restarted (any process, same database) neither double-sends nor skips. Time is always
passed in (`now`): the month-long simulation runs the same code in fast calendar time.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from agent.outreach.assessments import Assessments
from agent.outreach.base import Compose, Defer, OutreachContext, Skip, Workflow
from agent.outreach.checkins import CheckIns
from agent.outreach.config import OutreachConfig
from agent.outreach.consent import Blocked, next_allowed_time, recipient
from agent.outreach.discharge import Discharge
from agent.outreach.noshow import NoShowModel, fit_from_ehr
from agent.outreach.onboarding import Onboarding
from agent.outreach.refills import Refills
from agent.outreach.reminders import Reminders
from agent.outreach.resources import Resources
from agent.outreach.templates import TemplateError, render
from agent.outreach.wellness import Wellness
from agent.policy import PracticePolicy
from agent.safety.guard import GuardFinding, GuardResult, check_draft
from agent.state import ReviewDecision
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog
from agent.store.db import Database
from agent.store.outreach import OutreachStore, SendRecord
from agent.store.policy_store import PolicyStore
from agent.store.review import (
    PRIORITY_NORMAL,
    AlreadyDecided,
    ReviewItemIn,
    ReviewNotFound,
    ReviewQueue,
)
from tools.ehr.base import EHR
from tools.ehr.errors import ClientNotFound, EHRError
from tools.ehr.models import Client
from tools.ehr.roster import roster_of

if TYPE_CHECKING:
    from agent.settings import Settings

log = logging.getLogger(__name__)

ACTOR = "system:outreach"
# The guard judges each workflow's messages as replies of this (non-clinical) kind.
WORKFLOW_INTENTS = {
    "reminders": "appointment_info",
    "checkins": "appointment_info",
    "assessments": "forms",
    "onboarding": "forms",
    "discharge": "practice_info",
    "resources": "practice_info",
    "wellness": "practice_info",
    "refills": "practice_info",
}


def all_workflows() -> list[Workflow]:
    return [
        Reminders(),
        Assessments(),
        Onboarding(),
        CheckIns(),
        Refills(),
        Discharge(),
        Resources(),
        Wellness(),
    ]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _present(identifiers: list[tuple[str, str, str]], text: str) -> list[str]:
    """The identifiers (value, lowered, digits) that could occur in `text`: a cheap superset of
    the guard's own matches (the words as a substring, or a phone's last 10 digits), so the
    guard's per-identifier regexes run on a handful of values instead of every other client's."""
    lowered, digits = text.lower(), _digits(text)
    return [
        value
        for value, value_lower, value_digits in identifiers
        if value_lower in lowered or (len(value_digits) >= 7 and value_digits[-10:] in digits)
    ]


class PassReport(BaseModel):
    """What one scheduler pass did (counts only: safe to log)."""

    planned: int = 0
    sent: Counter[str] = Field(default_factory=Counter)
    in_review: Counter[str] = Field(default_factory=Counter)
    shadowed: Counter[str] = Field(default_factory=Counter)
    suppressed: Counter[str] = Field(default_factory=Counter)
    skipped: Counter[str] = Field(default_factory=Counter)
    expired: Counter[str] = Field(default_factory=Counter)
    deferred: Counter[str] = Field(default_factory=Counter)
    errors: Counter[str] = Field(default_factory=Counter)

    def merge(self, other: PassReport) -> None:
        self.planned += other.planned
        for name in (
            "sent",
            "in_review",
            "shadowed",
            "suppressed",
            "skipped",
            "expired",
            "deferred",
            "errors",
        ):
            getattr(self, name).update(getattr(other, name))


class OutreachScheduler:
    def __init__(
        self,
        *,
        ehr: EHR,
        db: Database,
        config: OutreachConfig | None = None,
        noshow: NoShowModel | None = None,
        workflows: list[Workflow] | None = None,
    ):
        self.ehr = ehr
        self.db = db
        self.config = config or OutreachConfig()
        self.noshow = noshow
        self.workflows = {w.name: w for w in (workflows or all_workflows())}
        self.store = OutreachStore(db)
        self.audit = AuditLog(db)
        self.alerts = AlertStore(db)
        self.review = ReviewQueue(db)
        self.policies = PolicyStore(db)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, ehr: EHR | None = None, db: Database | None = None
    ) -> OutreachScheduler:
        from tools.ehr import open_ehr

        db = db or Database.from_settings(settings)
        db.create_all()
        ehr = ehr or open_ehr(settings)
        config = OutreachConfig(practice_timezone=settings.practice_timezone)
        return cls(ehr=ehr, db=db, config=config, noshow=fit_from_ehr(ehr))

    def context(
        self, now: datetime, policy: PracticePolicy | None = None, *, bulk: bool = False
    ) -> OutreachContext:
        return OutreachContext(
            ehr=self.ehr,
            store=self.store,
            alerts=self.alerts,
            review=self.review,
            config=self.config,
            policy=policy or self.policies.current(),
            now=now,
            noshow=self.noshow,
            bulk=bulk,
        )

    # --- the passes ---------------------------------------------------------------------------
    def tick(self, now: datetime) -> PassReport:
        """One full pass: plan for every active client, then deliver what is due."""
        report = PassReport(planned=self.plan(now))
        report.merge(self.withdraw_expired(now))
        report.merge(self.run_due(now))
        self.write_digests(now)
        return report

    def withdraw_expired(self, now: datetime) -> PassReport:
        """Take drafts whose moment has passed (a reminder after its visit...) out of the review
        queue, so no reviewer spends time on a message that can no longer go out. An item a
        reviewer holds right now is left to their decision, which finds it expired as well."""
        report = PassReport()
        for send in self.store.sends(statuses=["in_review"]):
            if send.expires_at is None or now < send.expires_at or send.review_id is None:
                continue
            try:
                self.review.begin_decision(send.review_id, ACTOR)
            except (AlreadyDecided, ReviewNotFound):
                continue
            self._finish(send, now, "expired", "review_expired", report.expired)
            self.review.complete_decision(
                send.review_id, decision="ignore", reviewer_id=ACTOR, outcome="expired"
            )
        return report

    def on_event(self, client_id: str, now: datetime) -> PassReport:
        """An EHR event for one client (session completed, client created, episode closed...)."""
        report = PassReport(planned=self.plan(now, client_ids=[client_id]))
        report.merge(self.run_due(now))
        return report

    def plan(self, now: datetime, client_ids: list[str] | None = None) -> int:
        ctx = self.context(now, bulk=client_ids is None)
        clients = (
            [self.ehr.get_client(c) for c in client_ids]
            if client_ids is not None
            else self.ehr.list_clients()
        )
        planned = []
        for client in clients:
            for workflow in self.workflows.values():
                if ctx.policy.mode(workflow.name) == "off":
                    continue
                try:
                    planned += workflow.plan(client, ctx)
                except EHRError as exc:
                    log.warning(
                        "outreach plan %s for %s failed: %s",
                        workflow.name,
                        client.id,
                        type(exc).__name__,
                    )
        return self.store.plan(planned, now)

    def run_due(self, now: datetime) -> PassReport:
        report = PassReport()
        ctx = self.context(now)
        identifiers: dict[str, list[tuple[str, str, str]]] = {}
        for send in self.store.due(now):
            claimed = self.store.claim(send.key, now, self.config.lease)
            if claimed is None:
                continue  # another worker has it
            try:
                self._deliver_one(claimed, ctx, report, identifiers)
            except EHRError as exc:
                self._retry_later(claimed, now, type(exc).__name__, report)
            except Exception as exc:  # noqa: BLE001 - one bad send must not stop the rest
                log.exception("outreach send %s failed", claimed.key)
                self._retry_later(claimed, now, type(exc).__name__, report)
        return report

    # --- one send -----------------------------------------------------------------------------
    def _deliver_one(
        self,
        send: SendRecord,
        ctx: OutreachContext,
        report: PassReport,
        identifiers: dict[str, list[tuple[str, str, str]]],
    ) -> None:
        now, wf = ctx.now, send.workflow
        if send.expires_at is not None and now >= send.expires_at:
            self._finish(send, now, "expired", "too_late", report.expired)
            return
        try:
            client = self.ehr.get_client(send.client_id)
        except ClientNotFound:
            self._finish(send, now, "suppressed", "client_not_found", report.suppressed)
            return
        who = recipient(client)
        if isinstance(who, Blocked):
            self._finish(send, now, "suppressed", who.reason, report.suppressed)
            return
        allowed_at = next_allowed_time(client, now)
        if allowed_at > now:
            self._defer(send, now, allowed_at, "quiet_hours", report)
            return
        mode = ctx.policy.mode(wf)
        if mode == "off":
            self._finish(send, now, "suppressed", "workflow_off", report.suppressed)
            return

        composed = self.workflows[wf].compose(send, client, ctx)
        if isinstance(composed, Skip):
            self._finish(send, now, "skipped", composed.reason, report.skipped)
            return
        if isinstance(composed, Defer):
            self._defer(send, now, composed.until, composed.reason, report)
            return

        if send.approved_by is not None:  # a clinician approved this exact body
            body = self.store.body(send.key)
            if body:
                self._post(
                    send, client, who.channel, who.kind, body, composed, "approved", now, report
                )
                return

        counted = self.store.counted_times(client.id, now - timedelta(days=7))
        if not self.config.cap.allows(counted, now):
            self._defer(send, now, self.config.cap.next_slot(counted, now), "frequency_cap", report)
            return
        try:
            rendered = render(composed.template, composed.values, ctx.policy)
        except TemplateError as exc:
            self._finish(send, now, "suppressed", "template_error", report.suppressed)
            log.error("outreach %s: %s", send.key, exc)
            return
        guard = self._guard(rendered.text, wf, client, ctx, identifiers)

        if mode == "shadow":
            self.store.update_send(
                send.key,
                now,
                status="shadowed",
                body=rendered.text,
                template=rendered.template,
                lease_until=None,
            )
            self.audit.append(
                actor=ACTOR,
                action="outreach.shadow",
                client_id=client.id,
                subject=send.key,
                details={"workflow": wf, "template": rendered.template},
            )
            report.shadowed[wf] += 1
            return
        auto = (
            mode == "auto_template"
            and rendered.approved
            and guard.passed
            and not composed.force_review
        )
        if auto:
            self._post(
                send,
                client,
                who.channel,
                who.kind,
                rendered.text,
                composed,
                "auto_template",
                now,
                report,
                template=rendered.template,
            )
            return
        reasons = [composed.review_reason] if composed.review_reason else []
        if mode == "auto_template" and not rendered.approved:
            reasons.append("built-in wording: not an approved template")
        if not guard.passed:
            reasons.append(
                "draft guard blocked it: " + "; ".join(f.message for f in guard.findings)
            )
        self._to_review(
            send,
            client,
            who.channel,
            who.kind,
            rendered.text,
            rendered.template,
            composed,
            guard,
            reasons,
            ctx,
            report,
        )

    def _guard(
        self,
        text: str,
        workflow: str,
        client: Client,
        ctx: OutreachContext,
        identifiers: dict[str, list[tuple[str, str, str]]],
    ) -> GuardResult:
        """The draft guard; any error inside it is a failed guard (the message goes to review)."""
        try:
            if client.id not in identifiers:
                # Names this message may rightly carry: the client's own, the guardian's, the
                # clinician's (a namesake among other clients must not block them).
                own = {n.lower() for n in self.ehr.client_identifiers(client.id).names}
                clinician = self.ehr.get_clinician(client.clinician_id)
                for name in (
                    client.guardian.name if client.guardian else "",
                    f"{clinician.given_name} {clinician.family_name}",
                ):
                    own |= {name.lower(), *name.lower().split()}
                identifiers[client.id] = [
                    (value, value.lower(), _digits(value))
                    for other in roster_of(self.ehr).others(client.id)
                    for value in (*other.names, *other.phones, *other.emails, *other.record_numbers)
                    if value.lower() not in own  # a namesake's name is also this client's own
                ]
            return check_draft(
                text,
                intents=[WORKFLOW_INTENTS[workflow]],
                allowed_domains=ctx.policy.allowed_link_domains,
                foreign_identifiers=_present(identifiers[client.id], text),
            )
        except Exception as exc:  # noqa: BLE001 - fail closed
            return GuardResult(
                passed=False,
                findings=[
                    GuardFinding(
                        rule="guard_error",
                        message=f"The guard could not check this draft ({type(exc).__name__}).",
                    )
                ],
            )

    def _post(
        self,
        send: SendRecord,
        client: Client,
        channel: str,
        recipient_kind: str,
        text: str,
        composed: Compose,
        mode: str,
        now: datetime,
        report: PassReport,
        *,
        template: str | None = None,
    ) -> None:
        """Post to the client's portal thread; the key is the EHR request id (exactly once)."""
        thread = self.ehr.start_thread(
            client.id,
            composed.subject,
            request_id=f"outreach-thread:{send.workflow}:{client.id}:{send.trigger_id}",
        )
        message = self.ehr.post_message(
            client.id,
            thread.id,
            text,
            sender="assistant",
            sender_id=f"outreach:{send.workflow}",
            request_id=f"outreach:{send.key}",
        )
        with self.db.write() as conn:
            self.store.update_send(
                send.key,
                now,
                conn=conn,
                status="sent",
                thread_id=thread.id,
                message_id=message.id,
                channel=channel,
                recipient=recipient_kind,
                body=text,
                counted_at=now,
                lease_until=None,
                reason=None,
                **({"template": template} if template else {}),
            )
            self.audit.append(
                actor=send.approved_by or ACTOR,
                action="outreach.send",
                client_id=client.id,
                subject=send.key,
                details={
                    "workflow": send.workflow,
                    "trigger_id": send.trigger_id,
                    "step": send.step,
                    "mode": mode,
                    "channel": channel,
                    "recipient": recipient_kind,
                    "template": template or send.template,
                    "message_id": message.id,
                    "thread_id": thread.id,
                    "due_at": send.due_at.isoformat(),
                    "sent_at": now.isoformat(),
                },
                conn=conn,
            )
        report.sent[send.workflow] += 1

    def _to_review(
        self,
        send: SendRecord,
        client: Client,
        channel: str,
        recipient_kind: str,
        text: str,
        template: str,
        composed: Compose,
        guard: GuardResult,
        reasons: list[str],
        ctx: OutreachContext,
        report: PassReport,
    ) -> None:
        findings = [f.model_dump() for f in guard.findings]
        review_id = self.review.enqueue(
            ReviewItemIn(
                turn_id=send.key,
                source=f"outreach:{send.workflow}",
                kind="draft",
                client_id=client.id,
                clinician_id=client.clinician_id,
                route="draft",
                intents=[WORKFLOW_INTENTS[send.workflow]],
                clinical=composed.clinical,
                priority=PRIORITY_NORMAL,
                draft=text,
                metadata={
                    "model": "template",
                    "prompt_id": f"outreach.{template}",
                    "prompt_version": "approved"
                    if template in ctx.policy.templates
                    else "built-in",
                    "created_at": ctx.now.isoformat(),
                    "sources": [],
                    "send_key": send.key,
                },
                guard_findings=findings,
                interrupt={
                    "action_request": {
                        "action": f"send_outreach_{send.workflow}",
                        "args": {
                            "send_key": send.key,
                            "text": text,
                            "channel": channel,
                            "recipient": recipient_kind,
                        },
                    },
                    "config": {
                        "allow_accept": True,
                        "allow_edit": True,
                        "allow_respond": False,
                        "allow_ignore": True,
                    },
                    "description": f"Outbound {send.workflow} message ({send.step}) for review.",
                },
                notes=reasons,
                routed_because="; ".join(reasons) or "workflow rollout mode: review",
            )
        )
        self.store.update_send(
            send.key,
            ctx.now,
            status="in_review",
            review_id=review_id,
            body=text,
            template=template,
            channel=channel,
            recipient=recipient_kind,
            counted_at=ctx.now,
            lease_until=None,
        )
        report.in_review[send.workflow] += 1

    # --- review decisions ----------------------------------------------------------------------
    def decide(self, review_id: str, decision: ReviewDecision, now: datetime) -> SendRecord:
        """Reserve the review item, apply the decision, record it: the whole reviewer action for
        callers without the server (the simulation, the CLI). Raises AlreadyDecided if another
        reviewer got there first."""
        send = self.store.by_review(review_id)
        if send is None:
            raise LookupError(f"review item {review_id}: not an outreach draft")
        self.review.begin_decision(review_id, decision.reviewer_id)
        try:
            outcome, sent_message_id = self.apply_decision(send, decision, now)
        except Exception as exc:
            self.review.abort_decision(review_id, f"outreach delivery failed: {type(exc).__name__}")
            raise
        self.review.complete_decision(
            review_id,
            decision=decision.type,
            reviewer_id=decision.reviewer_id,
            outcome=outcome,
            final_text=decision.text if decision.type == "edit" else None,
            sent_message_id=sent_message_id,
        )
        final = self.store.get(send.key)
        assert final is not None
        return final

    def apply_decision(
        self, send: SendRecord, decision: ReviewDecision, now: datetime
    ) -> tuple[str, str | None]:
        """Carry out a decision on an outreach draft (the review item is already reserved):
        accept / edit approve it and deliver now, or when quiet hours end; ignore / respond drop
        it. Returns (outcome, sent message id)."""
        if decision.type not in ("accept", "edit"):
            self._finish(send, now, "skipped", f"reviewer_{decision.type}", Counter())
            return "dismissed", None
        body = decision.text if decision.type == "edit" else self.store.body(send.key)
        self.store.update_send(
            send.key,
            now,
            status="approved",
            body=body,
            due_at=now,
            approved_by=decision.reviewer_id,
        )
        report = PassReport()
        claimed = self.store.claim(send.key, now, self.config.lease)
        if claimed is not None:
            try:
                self._deliver_one(claimed, self.context(now), report, {})
            except EHRError as exc:  # approved stands; the scheduler retries delivery
                self._retry_later(claimed, now, type(exc).__name__, report)
        final = self.store.get(send.key)
        if final is not None and final.status == "sent":
            return "sent", final.message_id
        return (final.status if final else "approved"), None

    # --- digests --------------------------------------------------------------------------------
    def write_digests(self, now: datetime) -> int:
        """After `digest_hour` (practice time), one digest per supervising clinician of what was
        sent automatically that day (counts and ids only): to the practice's
        `digest_supervisor_id` when the policy names one, else to each clinician's supervisor."""
        zone = ZoneInfo(self.config.practice_timezone)
        local = now.astimezone(zone)
        if local.hour < self.config.digest_hour:
            return 0
        start = datetime.combine(local.date(), time(0), zone)
        sends = [
            s
            for s in self.store.sent_between(start, start + timedelta(days=1))
            if s.approved_by is None
        ]
        if not sends:
            return 0
        by_supervisor: dict[str, list[SendRecord]] = {}
        practice_supervisor = self.policies.current().digest_supervisor_id
        if practice_supervisor:
            by_supervisor[practice_supervisor] = sends
        else:
            clinicians = {c.id: c for c in self.ehr.list_clinicians()}
            owners = {c.id: c.clinician_id for c in self.ehr.list_clients()}
            for send in sends:
                clinician = clinicians.get(owners.get(send.client_id, ""))
                if clinician is None:
                    continue
                supervisor = clinician.supervisor_id or clinician.id
                by_supervisor.setdefault(supervisor, []).append(send)
        written = 0
        for supervisor, mine in sorted(by_supervisor.items()):
            counts = Counter(s.workflow for s in mine)
            lines = [f"Automatic outreach on {local.date().isoformat()}: {len(mine)} messages."]
            lines += [f"- {wf}: {n}" for wf, n in sorted(counts.items())]
            lines += [f"  {s.client_id} {s.workflow}/{s.step} msg {s.message_id}" for s in mine]
            if self.store.record_digest(
                supervisor,
                local.date().isoformat(),
                body="\n".join(lines),
                count=len(mine),
                now=now,
            ):
                self.audit.append(
                    actor=ACTOR,
                    action="outreach.digest",
                    subject=supervisor,
                    details={"day": local.date().isoformat(), "count": len(mine)},
                )
                written += 1
        return written

    # --- bookkeeping ----------------------------------------------------------------------------
    def _finish(
        self, send: SendRecord, now: datetime, status: str, reason: str, counter: Counter[str]
    ) -> None:
        with self.db.write() as conn:
            self.store.update_send(
                send.key, now, conn=conn, status=status, reason=reason, lease_until=None
            )
            self.audit.append(
                actor=ACTOR,
                action=f"outreach.{status}",
                client_id=send.client_id,
                subject=send.key,
                details={"workflow": send.workflow, "reason": reason},
                conn=conn,
            )
        counter[send.workflow] += 1

    def _defer(
        self, send: SendRecord, now: datetime, until: datetime, reason: str, report: PassReport
    ) -> None:
        if send.expires_at is not None and until >= send.expires_at:
            self._finish(send, now, "expired", reason, report.expired)
            return
        self.store.update_send(
            send.key,
            now,
            status="approved" if send.approved_by else "pending",
            due_at=until,
            reason=reason,
            lease_until=None,
        )
        report.deferred[reason] += 1

    def _retry_later(self, send: SendRecord, now: datetime, error: str, report: PassReport) -> None:
        report.errors[error] += 1
        if send.attempts >= self.config.max_attempts:
            self._finish(send, now, "expired", f"error:{error}"[:80], report.expired)
            return
        self.store.update_send(
            send.key,
            now,
            status="approved" if send.approved_by else "pending",
            due_at=now + self.config.retry_after,
            reason=f"retry:{error}"[:80],
            lease_until=None,
        )
