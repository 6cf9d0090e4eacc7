"""Refill coordination: when a prescription on the EHR's medication list is due within
`refill_notice`, open a task in the prescriber's queue and prompt the client (the message never
names the medication, never advises on it, and Part 2 medications are never touched).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.outreach.base import Compose, OutreachContext, Skip, greeting
from agent.store.outreach import PlannedSend, SendRecord
from agent.store.review import PRIORITY_NORMAL, ReviewItemIn
from tools.ehr.models import Client


class Refills:
    name = "refills"
    priority = 35

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        planned = []
        zone = ZoneInfo(client.timezone)
        for medication in ctx.ehr.medications(client.id):
            if medication.part2 or medication.refill_due is None:
                continue
            due_day = datetime.combine(medication.refill_due, time(10), zone)
            if not ctx.now - timedelta(days=3) <= due_day <= ctx.now + ctx.config.refill_notice:
                continue
            trigger = f"{medication.id}-{medication.refill_due:%Y%m%d}"
            # The staff task opens whether or not the client can be messaged (idempotent).
            ctx.review.enqueue(
                ReviewItemIn(
                    turn_id=f"refill-task:{client.id}:{trigger}",
                    source="outreach:refills",
                    kind="handoff",
                    client_id=client.id,
                    clinician_id=client.clinician_id,
                    route="handoff",
                    intents=["medication"],
                    clinical=True,
                    priority=PRIORITY_NORMAL,
                    handoff={
                        "queue": "prescriber",
                        "reason": "prescription refill due",
                        "details": {
                            "medication_id": medication.id,
                            "medication": medication.name,
                            "dose": medication.dose,
                            "prescriber": medication.prescriber,
                            "refill_due": medication.refill_due.isoformat(),
                        },
                    },
                    routed_because="refill due on the EHR medication list",
                )
            )
            planned.append(
                PlannedSend(
                    workflow=self.name,
                    client_id=client.id,
                    trigger_id=trigger,
                    step="prompt",
                    due_at=max(ctx.now, due_day - ctx.config.refill_notice),
                    expires_at=due_day + timedelta(days=3),
                    priority=self.priority,
                )
            )
        return planned

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        medication_id, _, due = send.trigger_id.rpartition("-")
        current = next((m for m in ctx.ehr.medications(client.id) if m.id == medication_id), None)
        if current is None or current.refill_due is None or f"{current.refill_due:%Y%m%d}" != due:
            return Skip(reason="refill_no_longer_due")
        return Compose(
            template="refill",
            values={**greeting(client), "due": f"{current.refill_due:%B} {current.refill_due.day}"},
            subject="Prescription refill",
            clinical=True,
        )
