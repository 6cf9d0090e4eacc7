"""Intake and onboarding on client_created: a welcome naming the intake forms and policy
acknowledgements still outstanding, then nudges every `nudge_interval` (at most `max_nudges`)
until every form is done or the client's first session has happened, whichever comes first.

Each message re-reads the outstanding forms, so a form completed an hour ago is never chased.
A new client is recognised by an outstanding intake form (the EHR creates one with the client).
"""

from __future__ import annotations

from agent.outreach.base import Compose, OutreachContext, Skip, greeting
from agent.store.outreach import PlannedSend, SendRecord, send_key
from tools.ehr.models import Client, OutstandingForm

ONBOARDING_KINDS = ("intake", "policy_acknowledgement", "consent")


def _outstanding(client: Client, ctx: OutreachContext) -> list[OutstandingForm]:
    return [
        f
        for f in ctx.ehr.outstanding_forms(client.id)
        if f.status == "outstanding" and f.kind in ONBOARDING_KINDS
    ]


class Onboarding:
    name = "onboarding"
    priority = 25

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        forms = _outstanding(client, ctx)
        if not forms:
            return []
        intake = [f for f in forms if f.kind == "intake"]
        # One sequence per batch of paperwork, named after its first form (stable across passes).
        anchor = min(intake or forms, key=lambda f: f.id)
        steps = ["welcome" if intake else "nudge0"] + [
            f"nudge{n}" for n in range(1, ctx.config.max_nudges + 1)
        ]
        first = ctx.store.get(send_key(self.name, client.id, anchor.id, steps[0]))
        start = first.due_at if first is not None else ctx.now
        return [
            PlannedSend(
                workflow=self.name,
                client_id=client.id,
                trigger_id=anchor.id,
                step=step,
                due_at=start + n * ctx.config.nudge_interval,
                expires_at=start + n * ctx.config.nudge_interval + ctx.config.nudge_interval,
                priority=self.priority,
            )
            for n, step in enumerate(steps)
        ]

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        forms = _outstanding(client, ctx)
        if not forms:
            return Skip(reason="forms_complete")
        if send.step != "welcome":
            welcome = ctx.store.get(send_key(self.name, client.id, send.trigger_id, "welcome"))
            if (
                welcome is not None
                and welcome.counted_at is not None
                and ctx.ehr.appointments(
                    client.id, start=welcome.counted_at, end=ctx.now, statuses=["fulfilled"]
                )
            ):
                return Skip(reason="first_session_held")
        return Compose(
            template="welcome" if send.step == "welcome" else "forms_nudge",
            values={
                **greeting(client),
                "practice": ctx.config.practice_name,
                "forms": ", ".join(f.title for f in sorted(forms, key=lambda f: f.id)),
            },
            subject="Welcome" if send.step == "welcome" else "Forms still to complete",
        )
