"""Resources and homework between sessions: for each active treatment-plan goal (a structured EHR
field), the practice-approved library item whose tags match it, sent once, followed by a request
for brief feedback; engagement (opened, completed, feedback) is recorded so the clinician sees what
was sent and what was used (`engagement_report`).

Part 2 goals are never used: a resource chosen from them would disclose SUD treatment.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from agent.outreach.base import Compose, OutreachContext, Skip, greeting
from agent.outreach.config import Resource
from agent.store.outreach import OutreachStore, PlannedSend, SendRecord
from tools.ehr.models import Client, TreatmentGoal

FEEDBACK_AFTER = timedelta(days=4)
EngagementEvent = Literal["opened", "completed", "feedback"]


def match(goal: TreatmentGoal, library: list[Resource]) -> Resource | None:
    """The first library item sharing a tag word with the goal's description."""
    words = set(re.findall(r"[a-z][a-z-]+", goal.description.lower()))
    for resource in library:
        if words & {t.lower() for t in resource.tags}:
            return resource
    return None


class Resources:
    name = "resources"
    priority = 60

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        planned = []
        sent_before = {s.trigger_id for s in ctx.sends(client.id, self.name)}
        for goal in ctx.ehr.treatment_goals(client.id):
            if goal.status != "active" or goal.part2:
                continue
            resource = match(goal, ctx.config.library)
            if resource is None:
                continue
            trigger = f"{goal.id}~{resource.id}"
            if trigger in sent_before:
                continue  # each resource once per goal
            if _recently_sent(ctx, client.id):
                break  # pace: one new resource per resource_interval
            for step, delay in (("send", timedelta(0)), ("feedback", FEEDBACK_AFTER)):
                planned.append(
                    PlannedSend(
                        workflow=self.name,
                        client_id=client.id,
                        trigger_id=trigger,
                        step=step,
                        due_at=ctx.now + delay,
                        expires_at=ctx.now + delay + timedelta(days=3),
                        priority=self.priority,
                    )
                )
            break
        return planned

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        goal_id, resource_id = send.trigger_id.split("~", 1)
        goal = next((g for g in ctx.ehr.treatment_goals(client.id) if g.id == goal_id), None)
        if goal is None or goal.status != "active" or goal.part2:
            return Skip(reason="goal_not_active")
        resource = next((r for r in ctx.config.library if r.id == resource_id), None)
        if resource is None:
            return Skip(reason="resource_withdrawn")
        clinician = ctx.ehr.get_clinician(client.clinician_id)
        if send.step == "feedback":
            events = ctx.store.resource_events(client.id)
            if any(e["resource_id"] == resource_id and e["event"] == "feedback" for e in events):
                return Skip(reason="feedback_received")
            return Compose(
                template="resource_feedback",
                values={**greeting(client), "title": resource.title},
                subject="Was it helpful?",
            )
        link = str(resource.url)
        return Compose(
            template="resource",
            values={
                **greeting(client),
                "clinician": clinician.display_name,
                "title": resource.title,
                "link": link,
            },
            subject="Something for between sessions",
            links=[link],
        )


def _recently_sent(ctx: OutreachContext, client_id: str) -> bool:
    since = ctx.now - ctx.config.resource_interval
    return any(s.step == "send" and s.due_at >= since for s in ctx.sends(client_id, "resources"))


class Engagement(BaseModel):
    resource_id: str
    sent: bool
    opened: bool
    completed: bool
    feedback: list[str]


def record_engagement(
    store: OutreachStore,
    send: SendRecord,
    event: EngagementEvent,
    *,
    now: datetime,
    feedback: str | None = None,
) -> None:
    """The portal reports a link opened / exercise completed, or the client's feedback reply."""
    if send.workflow != "resources":
        raise ValueError(f"send {send.key}: not a resource send")
    store.resource_event(
        send_key=send.key,
        client_id=send.client_id,
        resource_id=send.trigger_id.split("~", 1)[1],
        event=event,
        now=now,
        feedback=feedback,
    )


def engagement_report(store: OutreachStore, client_id: str) -> list[Engagement]:
    """What was sent to the client and what they used, for the clinician."""
    sent = {
        s.trigger_id.split("~", 1)[1]
        for s in store.sends(client_id=client_id, workflow="resources", statuses=["sent"])
        if s.step == "send"
    }
    events = store.resource_events(client_id)
    report = []
    for resource_id in sorted(sent | {e["resource_id"] for e in events}):
        mine = [e for e in events if e["resource_id"] == resource_id]
        report.append(
            Engagement(
                resource_id=resource_id,
                sent=resource_id in sent,
                opened=any(e["event"] in ("opened", "completed") for e in mine),
                completed=any(e["event"] == "completed" for e in mine),
                feedback=[e["feedback"] for e in mine if e["feedback"]],
            )
        )
    return report
