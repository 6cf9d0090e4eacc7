"""What a client's reply answers: the outreach message behind `InboundMessage.in_reply_to`.

A reply to a reminder ("confirm", "I need to reschedule", "can't make it") is an ordinary inbound
message for the graph; this gives the graph the reminder as context — which appointment, which
step — so "confirm" can be applied to the right visit. Ids only: no message text.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from agent.store.db import Database
from agent.store.outreach import OutreachStore


class OutboundRef(BaseModel):
    send_key: str
    workflow: str
    step: str
    trigger_id: str
    sent_at: datetime | None
    #: The appointment a reminder or check-in was about (None for other workflows).
    appointment_id: str | None


def outbound_context(db: Database, message_id: str) -> OutboundRef | None:
    """The outreach send that posted EHR message `message_id`, or None if it was not ours."""
    send = OutreachStore(db).by_message_id(message_id)
    if send is None:
        return None
    return OutboundRef(
        send_key=send.key,
        workflow=send.workflow,
        step=send.step,
        trigger_id=send.trigger_id,
        sent_at=send.counted_at,
        appointment_id=send.trigger_id if send.workflow in ("reminders", "checkins") else None,
    )
