"""Wellness programs: practice-approved weekly or monthly message series a clinician enrolls a
client in (`OutreachStore.enroll`). Paced by engagement — when the client has not replied to either
of the last two messages, the next one waits twice as long — and paused (not dropped) while the
client has an open crisis alert or cannot be contacted (opted out).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.outreach.base import Compose, Defer, OutreachContext, Skip, at_risk, greeting
from agent.outreach.consent import Blocked, recipient
from agent.store.outreach import PlannedSend, SendRecord
from tools.ehr.models import Client

PAUSE_RECHECK = timedelta(days=1)


class Wellness:
    name = "wellness"
    priority = 70

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        if isinstance(recipient(client), Blocked):
            return []  # opted out / no channel: the program pauses
        planned = []
        programs = {p.id: p for p in ctx.config.programs}
        for enrollment in ctx.store.enrollments(client.id):
            program = programs.get(enrollment["program_id"])
            if program is None:
                continue
            mine = [s for s in ctx.sends(client.id, self.name) if s.trigger_id == program.id]
            if any(s.status in ("pending", "claimed", "approved", "in_review") for s in mine):
                continue  # the previous step is still on its way
            step = len(mine)
            if step >= len(program.messages):
                continue
            last = max((s.counted_at or s.due_at for s in mine), default=None)
            start = datetime.fromisoformat(enrollment["enrolled_at"])
            gap = program.interval * (2 if self._disengaged(mine, ctx) else 1)
            due = (last + gap) if last else (start + program.interval)
            if due > ctx.now + timedelta(days=1):
                continue
            planned.append(
                PlannedSend(
                    workflow=self.name,
                    client_id=client.id,
                    trigger_id=program.id,
                    step=f"m{step}",
                    due_at=max(due, ctx.now),
                    expires_at=max(due, ctx.now) + program.interval,
                    priority=self.priority,
                )
            )
        return planned

    @staticmethod
    def _disengaged(sends: list[SendRecord], ctx: OutreachContext) -> bool:
        """No client reply in the thread after either of the last two messages sent."""
        delivered = [s for s in sends if s.status == "sent" and s.thread_id and s.message_id]
        if len(delivered) < 2:
            return False
        for send in delivered[-2:]:
            thread = ctx.ehr.get_thread(send.thread_id or "")
            if any(
                m.sender in ("client", "guardian") and m.sent_at > (send.counted_at or ctx.now)
                for m in thread.messages
            ):
                return False
        return True

    def compose(
        self, send: SendRecord, client: Client, ctx: OutreachContext
    ) -> Compose | Skip | Defer:
        if not any(e["program_id"] == send.trigger_id for e in ctx.store.enrollments(client.id)):
            return Skip(reason="unenrolled")
        if at_risk(client.id, ctx):
            return Defer(until=ctx.now + PAUSE_RECHECK, reason="paused_open_crisis")
        program = next((p for p in ctx.config.programs if p.id == send.trigger_id), None)
        if program is None:
            return Skip(reason="program_withdrawn")
        body = program.messages[int(send.step.removeprefix("m"))]
        return Compose(
            template="wellness",
            values={**greeting(client), "body": body},
            subject=program.title,
        )
