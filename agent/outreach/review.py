"""The server's entry point for reviewer decisions on outreach items (`agent.server.decisions`
routes every item whose source is `outreach:*` here, after reserving it).

Drafts are carried out by the scheduler (deliver on accept/edit, drop on ignore/respond); hand-offs
the outreach workflows opened for staff — refill tasks, assessment results to look at — are
acknowledged: they never message the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.outreach.config import OutreachConfig
from agent.outreach.scheduler import OutreachScheduler
from agent.state import ReviewDecision
from agent.store.db import Database
from agent.store.review import ReviewItem
from tools.ehr.base import EHR

if TYPE_CHECKING:
    from agent.settings import Settings


class NotAnOutreachDraft(LookupError):
    """The review item names no outreach send (it was not queued by the outreach scheduler)."""


def apply_review_decision(
    settings: Settings, db: Database, ehr: EHR, item: ReviewItem, decision: ReviewDecision
) -> tuple[str, str | None]:
    """(outcome, sent message id) of `decision` on outreach review `item`."""
    if item.kind == "handoff":
        return ("dismissed" if decision.type == "ignore" else "acknowledged"), None
    scheduler = OutreachScheduler(
        ehr=ehr, db=db, config=OutreachConfig(practice_timezone=settings.practice_timezone)
    )
    send = scheduler.store.by_review(item.id)
    if send is None:
        raise NotAnOutreachDraft(f"review item {item.id}: no outreach send")
    return scheduler.apply_decision(send, decision, ehr.now())
