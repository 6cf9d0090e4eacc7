"""Appointment reminders at the practice's offsets (default 3 days and 1 day before), tiered by the
client's no-show risk, with the telehealth link or the office address.

A client's reply ("confirm", "I need to reschedule") arrives in the same portal thread with
`in_reply_to` = the reminder's message id; the inbound graph handles it with the reminder as context
(`agent.outreach.replies.outbound_context`).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from agent.outreach.base import Compose, OutreachContext, Skip, greeting, local_when
from agent.outreach.noshow import features, reminder_plan
from agent.store.outreach import PlannedSend, SendRecord
from tools.ehr.errors import AppointmentNotFound
from tools.ehr.models import Client

HORIZON = timedelta(days=8)
# A reminder that could not go out by this long before the visit is dropped, not sent late.
LAST_USEFUL = timedelta(hours=1)


class Reminders:
    name = "reminders"
    priority = 10

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        upcoming = [
            a for a in ctx.ehr.upcoming_appointments(client.id) if a.start <= ctx.now + HORIZON
        ]
        if not upcoming:
            return []
        history = ctx.ehr.appointments(client.id, start=ctx.now - timedelta(days=365), end=ctx.now)
        planned = []
        for appointment in upcoming:
            tier = "standard"
            if ctx.noshow is not None and ctx.noshow.fitted:
                row = features(appointment, history, client.timezone)
                tier = ctx.noshow.tier(float(ctx.noshow.predict(np.asarray([row]))[0]))
            plan = reminder_plan(tier, ctx.config.reminder_offsets)
            for offset in plan.offsets:
                due = appointment.start - offset
                if due < appointment.created_at:
                    continue  # booked after this reminder would have gone out
                hours = int(offset.total_seconds() // 3600)
                planned.append(
                    PlannedSend(
                        workflow=self.name,
                        client_id=client.id,
                        trigger_id=appointment.id,
                        step=f"{hours}h-{'confirm' if plan.ask_to_confirm else 'plain'}",
                        due_at=due,
                        expires_at=appointment.start - LAST_USEFUL,
                        priority=self.priority,
                    )
                )
        return planned

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        try:
            appointment = ctx.ehr.get_appointment(send.trigger_id)
        except AppointmentNotFound:
            return Skip(reason="appointment_not_found")
        if appointment.client_id != client.id:
            return Skip(reason="appointment_not_owned")
        if appointment.status not in ("booked", "confirmed"):
            return Skip(reason=f"appointment_{appointment.status}")
        clinician = ctx.ehr.get_clinician(appointment.clinician_id)
        if appointment.modality == "telehealth" and appointment.telehealth_url:
            where = f"It is a video visit; join here: {appointment.telehealth_url}"
            links = [appointment.telehealth_url]
        else:
            where = f"It is in person at {appointment.location or 'our office'}."
            links = []
        later = [
            s
            for s in ctx.sends(client.id, self.name)
            if s.trigger_id == send.trigger_id and send.due_at < s.due_at <= ctx.now
        ]
        if later:
            return Skip(reason="superseded_by_later_reminder")  # one reminder, not two at once
        confirm = send.step.endswith("-confirm") and appointment.status == "booked"
        return Compose(
            template="reminder",
            values={
                **greeting(client),
                "clinician": clinician.display_name,
                "when": local_when(appointment.start, client.timezone),
                "where": where,
                "confirm_line": ' Please reply "confirm" to let us know you are coming.'
                if confirm
                else "",
            },
            subject="Appointment reminder",
            links=links,
        )
