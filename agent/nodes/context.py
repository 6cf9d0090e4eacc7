"""load_context: the minimum-necessary client context a draft may draw on, and nothing more.

Reads `EHR.client_context` (Part 2 records are already withheld there without consent) and keeps a
plain-JSON copy in state. When the message answers one of our appointment reminders (named by
`in_reply_to`, or else the last outreach message in the same portal thread), the reminder's
appointment joins the context as `reply_to`, so "confirm" / "I need to reschedule" / "can't make
it" act on THAT visit rather than on whichever is soonest. The reminder must be this client's,
in this client's thread, about this client's still-active appointment; anything else is ignored.

It never raises: an EHR failure is recorded and the crisis screen still runs next, because a
crisis message must be caught even when the record cannot be read.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.state import TurnState

log = logging.getLogger(__name__)

OUTREACH_SENDER = "outreach:"


def load_context(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message = state["message"]
    client_id = message["client_id"]
    try:
        context = deps.ehr.client_context(client_id)
    except Exception as err:  # noqa: BLE001 - any EHR failure: record it, keep screening
        log.warning("context unavailable client=%s error=%s", client_id, type(err).__name__)
        return {"context": {"error": type(err).__name__}, "notes": ["Client record unavailable."]}
    update: dict[str, Any] = {"context": context.model_dump(mode="json"), "reply_to": None}
    try:
        update["reply_to"] = reminder_replied_to(deps, message)
    except Exception as err:  # noqa: BLE001 - without the reminder it is an ordinary message
        log.warning("reply context failed message=%s error=%s", message["message_id"], err)
        update["notes"] = ["Could not tell which reminder this replies to; read it as new."]
    details: dict[str, Any] = {
        "appointments": len(context.upcoming_appointments),
        "part2": context.part2,
    }
    if update["reply_to"]:
        details["reply_to"] = update["reply_to"]["send_key"]
    deps.audit.append(
        actor="system:graph",
        action="ehr.read_context",
        client_id=client_id,
        subject=message["message_id"],
        details=details,
    )
    return update


def _answered_message_id(deps: Deps, message: dict[str, Any]) -> str | None:
    """`in_reply_to` if the portal gave it; else the last outreach message in the client's own
    thread sent before this message arrived."""
    from tools.ehr.errors import NotFound

    if message.get("in_reply_to"):
        return message["in_reply_to"]
    try:
        thread = deps.ehr.get_thread(message["thread_id"])
    except NotFound:  # a thread the EHR does not know holds no reminder of ours
        return None
    if thread.client_id != message["client_id"]:
        return None
    received = datetime.fromisoformat(message["received_at"])
    ours = [
        m
        for m in thread.messages
        if (m.sender_id or "").startswith(OUTREACH_SENDER)
        and m.sent_at <= received
        and m.id != message["message_id"]
    ]
    return ours[-1].id if ours else None


def reminder_replied_to(deps: Deps, message: dict[str, Any]) -> dict[str, Any] | None:
    """The reminder this message answers, with its appointment and what the client asked."""
    from agent.outreach.replies import outbound_context, read_reply
    from tools.ehr.models import ACTIVE_STATUSES

    if deps.db is None:
        return None
    answered = _answered_message_id(deps, message)
    ref = outbound_context(deps.db, answered) if answered else None
    if (
        ref is None
        or ref.workflow != "reminders"
        or ref.appointment_id is None
        or ref.client_id != message["client_id"]  # a reply cannot borrow another's reminder
        or (ref.thread_id is not None and ref.thread_id != message["thread_id"])
    ):
        return None
    appointment = deps.ehr.get_appointment(ref.appointment_id)
    if appointment.client_id != message["client_id"]:
        return None
    active = appointment.status in ACTIVE_STATUSES and appointment.start > deps.ehr.now()
    return {
        "send_key": ref.send_key,
        "workflow": ref.workflow,
        "step": ref.step,
        "appointment": appointment.model_dump(mode="json"),
        "active": active,
        "kind": read_reply(message["text"]) if active else None,
    }
