"""Intake and onboarding on client_created, plus chasing paperwork until it is done.

- A new client (`Client.created_at` within `onboarding_window`) is welcomed once, in the
  practice's own name (`EHR.practice()`), with the intake forms and policy acknowledgements still
  outstanding listed in the message. The EHR's record date is the trigger, so a client with no
  paperwork is welcomed too, and a long-standing client is never "welcomed".
- Outstanding onboarding paperwork is nudged every `nudge_interval` (at most `max_nudges`) until
  every form is done or the client's first session since the sequence began has happened. For a
  new client the nudges follow the welcome; for an existing client with new paperwork (an updated
  policy acknowledgement) the sequence starts with a nudge.

Each message re-reads the outstanding forms, so a form completed an hour ago is never chased.
"""

from __future__ import annotations

from datetime import datetime

from agent.outreach.base import Compose, OutreachContext, Skip, greeting
from agent.store.outreach import PlannedSend, SendRecord, send_key
from tools.ehr.models import Client, OutstandingForm

ONBOARDING_KINDS = ("intake", "policy_acknowledgement", "consent")
#: Trigger id of the welcome: one per client, whenever the record was created.
CREATED = "client_created"


def _outstanding(client: Client, ctx: OutreachContext) -> list[OutstandingForm]:
    return [
        f
        for f in ctx.ehr.outstanding_forms(client.id)
        if f.status == "outstanding" and f.kind in ONBOARDING_KINDS
    ]


def is_new(client: Client, ctx: OutreachContext) -> bool:
    """The EHR created the client's record within the onboarding window (never in the future)."""
    created = client.created_at
    return created is not None and ctx.now - ctx.config.onboarding_window <= created <= ctx.now


class Onboarding:
    name = "onboarding"
    priority = 25

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        new, forms = is_new(client, ctx), _outstanding(client, ctx)
        if not new and not forms:
            return []
        welcome = ctx.store.get(send_key(self.name, client.id, CREATED, "welcome"))
        planned: list[PlannedSend] = []
        welcomed_at = welcome.due_at if welcome is not None else None
        if welcome is None and new:
            planned.append(self._send(client, CREATED, "welcome", ctx.now, ctx))
            welcomed_at = ctx.now
        if not forms:
            return planned
        # One nudge sequence per batch of paperwork, named after its first form (stable across
        # passes); after a welcome it starts one interval later, else with a nudge now.
        anchor = min(forms, key=lambda f: f.id)
        steps = [
            f"nudge{n}"
            for n in range(1 if welcomed_at is not None else 0, ctx.config.max_nudges + 1)
        ]
        first = ctx.store.get(send_key(self.name, client.id, anchor.id, steps[0]))
        if first is not None:
            start = first.due_at
        elif welcomed_at is not None:  # paperwork added long after the welcome starts now
            start = max(welcomed_at + ctx.config.nudge_interval, ctx.now)
        else:
            start = ctx.now
        return planned + [
            self._send(client, anchor.id, step, start + n * ctx.config.nudge_interval, ctx)
            for n, step in enumerate(steps)
        ]

    def _send(
        self, client: Client, trigger: str, step: str, due: datetime, ctx: OutreachContext
    ) -> PlannedSend:
        return PlannedSend(
            workflow=self.name,
            client_id=client.id,
            trigger_id=trigger,
            step=step,
            due_at=due,
            expires_at=due + ctx.config.nudge_interval,
            priority=self.priority,
        )

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        forms = _outstanding(client, ctx)
        listed = ", ".join(f.title for f in sorted(forms, key=lambda f: f.id))
        if send.step == "welcome":
            return Compose(
                template="welcome",
                values={
                    **greeting(client),
                    "practice": ctx.ehr.practice().name,
                    "forms_line": (
                        f"Before your first visit, please complete these in the portal: {listed}."
                        if forms
                        else ""
                    ),
                },
                subject="Welcome",
            )
        if not forms:
            return Skip(reason="forms_complete")
        started = ctx.store.get(send_key(self.name, client.id, send.trigger_id, "nudge0"))
        started = started or ctx.store.get(send_key(self.name, client.id, CREATED, "welcome"))
        if (
            started is not None
            and started.counted_at is not None
            and ctx.ehr.appointments(
                client.id, start=started.counted_at, end=ctx.now, statuses=["fulfilled"]
            )
        ):
            return Skip(reason="first_session_held")
        return Compose(
            template="forms_nudge",
            values={**greeting(client), "forms": listed},
            subject="Forms still to complete",
        )
