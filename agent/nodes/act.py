"""act: carry out the reviewer's decision, exactly once.

accept / edit: apply the approved calendar change (reschedule, book, or — for a reply to a
reminder — confirm or cancel that appointment), then send the draft (accept) or the
reviewer's edited draft (edit) through the EHR. If the change fails (the slot was taken
meanwhile), nothing is sent: a confirmation of a booking that did not happen would be false, so
the turn goes to the front desk instead. respond: the reviewer's own reply is sent as written and
the draft (with its calendar change) is discarded. ignore: nothing is sent, the turn closes.
Every EHR write carries a request id derived from the message id, so a retried or resumed run
cannot send or book twice; every outcome is audited (ids only).
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.state import HandoffSummary, TurnState, draft_text

log = logging.getLogger(__name__)


def _apply_change(deps: Deps, client_id: str, message_id: str, change: dict[str, Any]) -> str:
    """Via the EHR engineer's client-scoped scheduler (ownership, free-slot and window rules)."""
    from agent.nodes.scheduling import client_scheduler

    scheduler = client_scheduler(deps, client_id)
    request_id = f"{message_id}:calendar"
    kind = change["kind"]
    if kind == "reschedule":
        result = scheduler.apply_reschedule(change["appointment_id"], change["slot_id"], request_id)
    elif kind == "confirm":
        result = scheduler.confirm(change["appointment_id"], request_id)
    elif kind == "cancel":
        result = scheduler.cancel(change["appointment_id"], request_id)
    else:
        result = scheduler.book(change["slot_id"], request_id)
    return result.appointment.id


def act(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message = state["message"]
    client_id, message_id = message["client_id"], message["message_id"]
    decision = state["review"]
    details: dict[str, Any] = {"decision": decision["type"], "reviewer_id": decision["reviewer_id"]}
    update: dict[str, Any] = {}

    if decision["type"] in ("accept", "edit", "respond"):
        text = draft_text(state) if decision["type"] == "accept" else decision["text"]
        # respond = the reviewer's own reply instead of the draft: the draft's change is not theirs
        change = state.get("pending_change") if decision["type"] != "respond" else None
        failed = None
        if change:
            try:
                details["appointment_id"] = _apply_change(deps, client_id, message_id, change)
            except Exception as err:  # noqa: BLE001 - EHRError: a person must sort the calendar out
                failed = f"The calendar change failed ({type(err).__name__}); nothing was sent."
        if failed is None:
            try:
                sent = deps.ehr.post_message(
                    client_id,
                    message["thread_id"],
                    text,
                    sender="staff",
                    sender_id=decision["reviewer_id"],
                    request_id=f"{message_id}:reply",
                    in_reply_to=message_id,
                )
                details["sent_message_id"] = sent.id
                update = {"status": "sent", "sent_message_id": sent.id, "draft": {"text": text}}
            except Exception as err:  # noqa: BLE001
                failed = f"Sending failed ({type(err).__name__}); the approved reply was kept."
                update = {"draft": {"text": text}}
        if failed:
            log.error("act failed message=%s reason=%s", message_id, failed)
            details["failed"] = failed[:190]
            update |= {
                "status": "handed_off",
                "notes": [failed],
                "handoff": HandoffSummary(
                    queue="front_desk",
                    reason=failed,
                    intents=state.get("intents") or [],
                    details={"message_id": message_id, "pending_change": change},
                ).model_dump(mode="json"),
            }
    else:
        update = {"status": "dismissed"}

    deps.audit.append(
        actor=f"staff:{decision['reviewer_id']}",
        action="draft.review",
        client_id=client_id,
        subject=message_id,
        details=details,
    )
    return update
