"""Discharge on episode_closed: a thank-you with the practice's vetted resource list, then a short
satisfaction survey.

Never to a client flagged at risk without the clinician's explicit approval: when the client has an
open crisis alert (product alert or EHR Flag) the message always goes to review, whatever the
workflow's rollout mode. Part 2 (SUD program) episodes get no discharge outreach: the message
itself would disclose the program.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.outreach.base import Compose, OutreachContext, Skip, at_risk, greeting
from agent.store.outreach import PlannedSend, SendRecord
from tools.ehr.models import Client, Episode

STEPS = (("thanks", timedelta(days=1)), ("survey", timedelta(days=4)))


def _closed_on(episode: Episode, timezone: str) -> datetime:
    assert episode.end is not None
    return datetime.combine(episode.end, time(10), ZoneInfo(timezone))


class Discharge:
    name = "discharge"
    priority = 40

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]:
        planned = []
        for episode in ctx.ehr.episodes(client.id):
            if episode.status != "closed" or episode.end is None or episode.part2:
                continue
            closed = _closed_on(episode, client.timezone)
            if not ctx.now - ctx.config.discharge_window <= closed <= ctx.now:
                continue
            for step, delay in STEPS:
                planned.append(
                    PlannedSend(
                        workflow=self.name,
                        client_id=client.id,
                        trigger_id=episode.id,
                        step=step,
                        due_at=closed + delay,
                        expires_at=closed + ctx.config.discharge_window,
                        priority=self.priority,
                    )
                )
        return planned

    def compose(self, send: SendRecord, client: Client, ctx: OutreachContext) -> Compose | Skip:
        episode = next((e for e in ctx.ehr.episodes(client.id) if e.id == send.trigger_id), None)
        if episode is None or episode.status != "closed":
            return Skip(reason="episode_not_closed")
        if any(e.status == "open" and not e.part2 for e in ctx.ehr.episodes(client.id)):
            return Skip(reason="client_still_in_care")
        risky = at_risk(client.id, ctx)
        clinician = ctx.ehr.get_clinician(client.clinician_id)
        base = str(ctx.config.portal_base_url).rstrip("/")
        if send.step == "thanks":
            links = [f"{base}/resources"]
            compose = Compose(
                template="discharge_thanks",
                values={
                    **greeting(client),
                    "clinician": clinician.display_name,
                    "resources_line": f"Resources our team recommends: {links[0]}",
                },
                subject="Thank you",
                links=links,
            )
        else:
            link = f"{base}/survey/{send.trigger_id}"
            compose = Compose(
                template="discharge_survey",
                values={**greeting(client), "link": link},
                subject="How did we do?",
                links=[link],
            )
        if risky:
            compose.force_review = True
            compose.clinical = True
            compose.review_reason = "client has an open crisis alert: clinician approval required"
        return compose
