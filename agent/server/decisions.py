"""Carrying out a reviewer's decision on a review item, exactly once.

The item is reserved for the reviewer first (a second click or a second reviewer gets
AlreadyDecided and nothing is sent), then:
- an inbound draft resumes its graph turn (`Assistant.resume`), which sends, edits or drops it;
- a hand-off (no draft) is answered by the reviewer's own reply, posted to the EHR thread with
  the item id as the request id (a retry never posts twice), or dismissed;
- an outbound (outreach) draft goes to the outreach workflow's `apply_review_decision`.
If carrying it out fails, the item returns to the queue with a PHI-free error for the reviewer.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from pydantic import BaseModel

from agent.server.app import Services
from agent.state import ReviewDecision
from agent.store.inbox import error_summary
from agent.store.review import ReviewItem, ReviewQueue
from agent.store.staff import StaffAccount

log = logging.getLogger("practice.review")


class DecisionRefused(ValueError):
    """The decision does not fit the item (e.g. approving a hand-off that has no draft)."""


class DecisionResult(BaseModel):
    outcome: str
    sent_message_id: str | None = None


def decide(
    services: Services, item_id: str, account: StaffAccount, decision: ReviewDecision
) -> ReviewItem:
    queue = ReviewQueue(services.db)
    item = queue.begin_decision(item_id, account.actor)
    try:
        result = _carry_out(services, item, account, decision)
    except Exception as exc:
        queue.abort_decision(item_id, error_summary(exc))
        log.error("decision failed item=%s error=%s", item_id, type(exc).__name__)
        raise
    done = queue.complete_decision(
        item_id, decision=decision.type, reviewer_id=account.actor, outcome=result.outcome,
        final_text=decision.text if decision.type in ("edit", "respond") else None,
        sent_message_id=result.sent_message_id,
    )
    services.metrics.decisions.labels(route=item.route, decision=decision.type).inc()
    if done.decided_at is not None:
        services.metrics.time_to_review.observe(
            (done.decided_at - item.created_at).total_seconds())
    return done


def _carry_out(
    services: Services, item: ReviewItem, account: StaffAccount, decision: ReviewDecision
) -> DecisionResult:
    if item.source.startswith("outreach:"):
        module = importlib.import_module("agent.outreach.review")
        outcome, sent = module.apply_review_decision(services.settings, services.db,
                                                     services.ehr, item, decision)
        return DecisionResult(outcome=outcome, sent_message_id=sent)
    if item.kind == "draft" and item.interrupt is not None:
        turn = services.assistant().resume(item.turn_id, decision)
        return DecisionResult(outcome=turn.status, sent_message_id=turn.sent_message_id)
    return _answer_handoff(services, item, account, decision)


def _answer_handoff(
    services: Services, item: ReviewItem, account: StaffAccount, decision: ReviewDecision
) -> DecisionResult:
    if decision.type == "ignore":
        return DecisionResult(outcome="dismissed")
    if decision.type not in ("respond", "edit") or not decision.text:
        raise DecisionRefused("this item has no draft: reply yourself or dismiss")
    if not item.thread_id:
        raise DecisionRefused("this item has no portal thread to reply in")
    sender: Any = "clinician" if account.clinician_id else "staff"
    message = services.ehr.post_message(
        item.client_id, item.thread_id, decision.text, sender=sender,
        sender_id=account.clinician_id or account.username, request_id=f"{item.id}:reply",
        in_reply_to=item.message_id,
    )
    return DecisionResult(outcome="sent", sent_message_id=message.id)
