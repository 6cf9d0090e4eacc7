"""Measurement-based care: PHQ-9 / GAD-7 / DASS-21 sent on the clinician's schedule (before intake,
then every `assessment_interval`), collected through a one-time portal form, scored exactly
(`instruments`), written to the chart (QuestionnaireResponse + Observation), and flagged.

Safety order on submission: a PHQ-9 item 9 answer above 0 (or a crisis in the free-text comment)
raises the crisis alert FIRST — before anything else can fail — then the chart write (complete
forms, and forms with skipped items prorated within the instrument's rules: the skipped items are
left out of the QuestionnaireResponse and the Observation carries the prorated total with a note),
then the review item for a severe band, a rise of 5+ points, PHQ-9 item 9 skipped, or a form too
incomplete to score (never written to the chart).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from agent.outreach import instruments
from agent.outreach.base import Compose, OutreachContext, Skip, greeting
from agent.safety.crisis import CrisisScreen
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog
from agent.store.db import Database
from agent.store.outreach import OutreachStore, PlannedSend, SendRecord, send_key
from agent.store.review import PRIORITY_HIGH, ReviewItemIn, ReviewQueue
from tools.ehr.base import EHR
from tools.ehr.errors import EHRError
from tools.ehr.models import AssessmentResult, AssessmentSubmission, Client

log = logging.getLogger(__name__)

# Our instrument ids -> the EHR's instrument names.
EHR_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7", "dass21": "DASS-21"}
MINUTES = {"phq9": "3", "gad7": "2", "dass21": "5"}
ACTOR = "system:outreach-assessments"


class Assessments:
    """Sends the questionnaires; `AssessmentCollector` takes the answers back."""

    name = "assessments"
    priority = 20

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        planned = []
        for instrument in ctx.config.assessment_instruments:
            trigger = self._next_due(client, instrument, ctx)
            if trigger is None:
                continue
            for step, delay in (("request", timedelta(0)), ("nudge", ctx.config.nudge_interval)):
                planned.append(
                    PlannedSend(
                        workflow=self.name,
                        client_id=client.id,
                        trigger_id=trigger,
                        step=step,
                        due_at=ctx.now + delay,
                        expires_at=ctx.now + ctx.config.form_valid_for,
                        priority=self.priority,
                    )
                )
        return planned

    @staticmethod
    def _next_due(client: Client, instrument: str, ctx: OutreachContext) -> str | None:
        """The trigger of this client's next form if it is due by tomorrow, else None.

        Never measured: "<instrument>-initial" (before intake). Otherwise one interval after the
        latest of: the last chart result, the last form issued, the last request that could not
        go out. Nothing while a request is still on its way or its form is still open.
        """
        requests = [
            s
            for s in ctx.sends(client.id, "assessments")
            if s.step == "request" and s.trigger_id.startswith(f"{instrument}-")
        ]
        if any(s.status in ("pending", "claimed", "approved", "in_review") for s in requests):
            return None
        forms = ctx.forms(client.id, instrument)
        if any(
            f["status"] == "open" and datetime.fromisoformat(f["expires_at"]) > ctx.now
            for f in forms
        ):
            return None
        history = ctx.ehr.assessment_history(client.id, EHR_NAMES[instrument])
        marks = [r.completed_at for r in history]
        marks += [datetime.fromisoformat(f["issued_at"]) for f in forms]
        marks += [s.due_at for s in requests if s.status in ("expired", "suppressed")]
        if not marks:
            return f"{instrument}-initial"
        due = max(marks) + ctx.config.assessment_interval
        return f"{instrument}-{due:%Y%m%d}" if due <= ctx.now + timedelta(days=1) else None

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        instrument = send.trigger_id.split("-", 1)[0]
        request_key = send_key(self.name, client.id, send.trigger_id, "request")
        if send.step == "request":
            token = ctx.store.issue_form(
                send_key=request_key,
                client_id=client.id,
                instrument=instrument,
                now=ctx.now,
                valid=ctx.config.form_valid_for,
            )
            template = "assessment"
        else:
            form = ctx.store.form_for_send(request_key)
            if form is None or form["status"] != "open":
                return Skip(reason="form_completed" if form else "form_never_sent")
            if datetime.fromisoformat(form["expires_at"]) <= ctx.now:
                return Skip(reason="form_expired")
            token = form["token"]
            template = "assessment_nudge"
        link = f"{str(ctx.config.portal_base_url).rstrip('/')}/forms/{token}"
        clinician = ctx.ehr.get_clinician(client.clinician_id)
        return Compose(
            template=template,
            values={
                **greeting(client),
                "clinician": clinician.display_name,
                "instrument": instruments.INSTRUMENTS[instrument].title,
                "minutes": MINUTES[instrument],
                "link": link,
            },
            subject="A short check-in questionnaire",
            links=[link],
        )


class FormUnavailable(LookupError):
    """The form token is unknown, already submitted or expired (reason in the message)."""


class Submission(BaseModel):
    """What the portal form posts: item number -> 0..3 (absent = skipped) and an optional note."""

    answers: dict[int, int | None]
    comment: str | None = Field(None, max_length=4000)


class SubmitOutcome(BaseModel):
    instrument: str
    scores: dict[str, int | None]
    bands: dict[str, str | None]
    flags: list[instruments.AssessmentFlag]
    alert_id: str | None = None
    review_id: str | None = None
    result_id: str | None = None
    written_to_chart: bool


class AssessmentCollector:
    """Takes a completed form back: score, alert, chart, review, audit — in that order."""

    def __init__(self, *, ehr: EHR, db: Database, crisis: CrisisScreen):
        self.ehr = ehr
        self.store = OutreachStore(db)
        self.alerts = AlertStore(db)
        self.review = ReviewQueue(db)
        self.audit = AuditLog(db)
        self.crisis = crisis

    def submit(self, token: str, submission: Submission, *, now: datetime) -> SubmitOutcome:
        form = self.store.form(token)
        if form is None:
            raise FormUnavailable("form: unknown or already used link")
        if form["status"] != "open":
            raise FormUnavailable(f"form: already {form['status']}")
        if datetime.fromisoformat(form["expires_at"]) <= now:
            raise FormUnavailable("form: this link has expired")
        instrument: str = form["instrument"]
        client_id: str = form["client_id"]
        result = instruments.score(instrument, submission.answers)  # InvalidAnswers -> 4xx
        # Crisis first, needing nothing that could fail: the EHR is only asked who the clinician
        # is, and an unreachable EHR leaves the alert unassigned rather than unraised.
        try:
            clinician_id: str | None = self.ehr.get_client(client_id).clinician_id
        except EHRError:
            clinician_id = None
        crisis_flags = [f for f in instruments.flags(result) if f.crisis]
        alert_id = self._alert_if_crisis(
            token, client_id, clinician_id, crisis_flags, submission.comment
        )
        found = instruments.flags(result, self._previous(client_id, instrument))

        written: AssessmentResult | None = None
        if result.scorable:
            # Complete, or prorated within the instrument's rules: the chart gets the result with
            # the skipped items left out and the prorated total marked as such.
            prorated = any(s.prorated for s in result.scales.values())
            items = [i.number for i in instruments.INSTRUMENTS[instrument].items]
            written = self.ehr.write_assessment(
                AssessmentSubmission(
                    client_id=client_id,
                    instrument=EHR_NAMES[instrument],
                    answers=[result.answers.get(i) for i in items],
                    total_score=result.total
                    if result.total is not None
                    else sum(s.score or 0 for s in result.scales.values()),
                    severity="; ".join(
                        s.band if name == "total" else f"{name} {s.band}"
                        for name, s in result.scales.items()
                        if s.band
                    ),
                    completed_at=now,
                    prorated=prorated,
                ),
                request_id=f"assessment:{token}",
            )

        review_id = None
        to_review = [f for f in found if not f.crisis]
        if to_review:
            review_id = self.review.enqueue(
                ReviewItemIn(
                    turn_id=f"assessment-flags:{form['send_key']}",
                    source="outreach:assessments",
                    kind="handoff",
                    client_id=client_id,
                    clinician_id=clinician_id,
                    route="handoff",
                    intents=["clinical"],
                    clinical=True,
                    priority=PRIORITY_HIGH,
                    handoff={
                        "queue": "clinician",
                        "reason": "; ".join(f.reason for f in to_review),
                        "assignee_id": clinician_id,
                        "details": {
                            "instrument": instruments.INSTRUMENTS[instrument].title,
                            "scores": {k: s.score for k, s in result.scales.items()},
                            "bands": {k: s.band for k, s in result.scales.items()},
                            "missing_items": {k: s.missing for k, s in result.scales.items()},
                            "chart_result_id": written.id if written else None,
                        },
                    },
                    notes=[f.reason for f in to_review],
                    routed_because="assessment flagged for clinician review",
                )
            )

        with self.store.db.write() as conn:
            self.store.complete_form(
                token,
                now=now,
                result_id=written.id if written else "",
                flags=[f.kind for f in found],
                conn=conn,
            )
            self.audit.append(
                actor=ACTOR,
                action="assessment.submit",
                client_id=client_id,
                subject=form["send_key"],
                details={
                    "instrument": instrument,
                    "result_id": written.id if written else None,
                    "flags": [f.kind for f in found],
                    "alert_id": alert_id,
                    "review_id": review_id,
                },
                conn=conn,
            )
        return SubmitOutcome(
            instrument=instrument,
            scores={k: s.score for k, s in result.scales.items()},
            bands={k: s.band for k, s in result.scales.items()},
            flags=found,
            alert_id=alert_id,
            review_id=review_id,
            result_id=written.id if written else None,
            written_to_chart=written is not None,
        )

    def _previous(self, client_id: str, instrument: str) -> instruments.AssessmentScore | None:
        history = self.ehr.assessment_history(client_id, EHR_NAMES[instrument])
        if not history:
            return None
        last = history[-1]
        return instruments.score(instrument, dict(enumerate(last.answers, start=1)))

    def _alert_if_crisis(
        self,
        token: str,
        client_id: str,
        clinician_id: str | None,
        found: list[instruments.AssessmentFlag],
        comment: str | None,
    ) -> str | None:
        """Raise the crisis alert (product alert row + EHR Flag) for item 9 or a crisis comment."""
        categories: list[str] = []
        evidence: list[str] = []
        for flag in found:
            if flag.crisis:
                categories.append("phq9_item9")
                evidence.append(flag.reason)
        if comment and comment.strip():
            screened = self.crisis.screen(comment)  # never raises; errors come back as crisis
            if screened.crisis:
                categories += [c for c in screened.categories if c not in categories]
                evidence += [e.text for e in screened.evidence] or ["assessment comment"]
        if not categories:
            return None
        alert_id = self.alerts.create(
            message_id=f"assessment:{token}",
            client_id=client_id,
            clinician_id=clinician_id,
            severity="high",
            categories=categories,
            evidence=evidence,
            actor=ACTOR,
        )
        try:
            self.ehr.raise_alert(
                client_id,
                severity="high",
                category="assessment_risk",
                description="Portal assessment answer needs same-day clinician follow-up",
                raised_by=ACTOR,
                request_id=f"assessment-alert:{token}",
            )
        except EHRError as exc:  # the product's alert row already stands; the Flag is extra
            log.warning("EHR flag for assessment alert %s failed: %s", alert_id, type(exc).__name__)
        return alert_id
