"""Post-session check-in on session_completed: a short, warm follow-up naming the skill or homework
the clinician marked for the client (the EHR's structured homework field, never session notes) and
the next appointment.

"Session completed" is read from the EHR (an appointment marked fulfilled), so a missed webhook
still gets its check-in on the next planning pass.
"""

from __future__ import annotations

from datetime import timedelta

from agent.outreach.base import Compose, OutreachContext, Skip, greeting, local_when
from agent.store.outreach import PlannedSend, SendRecord
from tools.ehr.errors import AppointmentNotFound
from tools.ehr.models import Client

LOOKBACK = timedelta(days=2)
# Homework assigned this long before a session still counts as that session's homework.
HOMEWORK_WINDOW = timedelta(days=14)


class CheckIns:
    name = "checkins"
    priority = 30

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        recent = ctx.ehr.appointments(
            client.id, start=ctx.now - LOOKBACK, end=ctx.now, statuses=["fulfilled"]
        )
        return [
            PlannedSend(
                workflow=self.name,
                client_id=client.id,
                trigger_id=a.id,
                step="checkin",
                due_at=a.end + ctx.config.checkin_delay,
                expires_at=a.end + timedelta(hours=36),
                priority=self.priority,
            )
            for a in recent
            if a.end <= ctx.now
        ]

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        try:
            session = ctx.ehr.get_appointment(send.trigger_id)
        except AppointmentNotFound:
            return Skip(reason="appointment_not_found")
        if session.status != "fulfilled" or session.client_id != client.id:
            return Skip(reason="session_not_completed")
        homework = [
            h
            for h in ctx.ehr.homework(client.id)
            if session.end - HOMEWORK_WINDOW <= h.assigned_at <= session.end + LOOKBACK
        ]
        homework.sort(key=lambda h: h.assigned_at, reverse=True)
        homework_line = (
            f"A reminder of the skill you are practicing this week: {homework[0].skill}. "
            f"{homework[0].instructions}"
            if homework
            else ""
        )
        upcoming = ctx.ehr.upcoming_appointments(client.id)
        next_line = (
            f" Your next appointment is {local_when(upcoming[0].start, client.timezone)}."
            if upcoming
            else " Reply here when you would like to set up your next appointment."
        )
        return Compose(
            template="checkin",
            values={**greeting(client), "homework_line": homework_line, "next_line": next_line},
            subject="Checking in after your session",
        )
