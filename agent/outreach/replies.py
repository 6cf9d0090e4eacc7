"""What a client's reply answers: the outreach message behind `InboundMessage.in_reply_to`.

A reply to a reminder ("confirm", "I need to reschedule", "can't make it") is an ordinary inbound
message for the graph; this gives the graph the reminder as context — which appointment, which
step — so "confirm" is applied to the right visit. `outbound_context` finds the reminder;
`read_reply` reads what the client answered. Ids only: no message text is stored or logged.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from agent.store.db import Database
from agent.store.outreach import OutreachStore

ReplyKind = Literal["confirm", "reschedule", "cancel"]


class OutboundRef(BaseModel):
    send_key: str
    workflow: str
    step: str
    trigger_id: str
    client_id: str
    message_id: str
    thread_id: str | None
    sent_at: datetime | None
    #: The appointment a reminder or check-in was about (None for other workflows).
    appointment_id: str | None


def outbound_context(db: Database, message_id: str) -> OutboundRef | None:
    """The outreach send that posted EHR message `message_id`, or None if it was not ours."""
    send = OutreachStore(db).by_message_id(message_id)
    if send is None or send.message_id is None:
        return None
    return OutboundRef(
        send_key=send.key,
        workflow=send.workflow,
        step=send.step,
        trigger_id=send.trigger_id,
        client_id=send.client_id,
        message_id=send.message_id,
        thread_id=send.thread_id,
        sent_at=send.counted_at,
        appointment_id=send.trigger_id if send.workflow in ("reminders", "checkins") else None,
    )


# Order matters: "can't make it, can we reschedule?" asks to move, not to drop, the visit;
# "no, I can't come" cancels; a bare "yes" / "confirm" / "see you then" confirms.
_RESCHEDULE = re.compile(
    r"\b(re-?schedul\w*|move|change (?:the |my )?(?:time|day|appointment)|another (?:time|day)|"
    r"different (?:time|day)|push (?:it )?back|later (?:time|day)|instead)\b",
    re.I,
)
_CANCEL = re.compile(
    r"\b(cancel\w*|can(?:no|')?t (?:make|come|attend|do)|cannot (?:make|come|attend|do)|"
    r"won'?t (?:be able|make|come)|unable to (?:make|come|attend)|not (?:able to )?(?:make|come)"
    r"|have to miss|need to miss)\b",
    re.I,
)
_CONFIRM = re.compile(
    r"^\W*(?:yes|yep|yeah|y|ok(?:ay)?|sure|confirm(?:ed)?|i confirm|confirming|i'?ll be there|"
    r"i will be there|see you (?:then|there)|sounds good|i'?m coming|will do|c)\b[\w\s,.!']{0,40}$",
    re.I,
)


def read_reply(text: str) -> ReplyKind | None:
    """What a reply to a reminder asks for, or None when it is not one of the three answers (the
    graph then treats it as any other message)."""
    if _RESCHEDULE.search(text):
        return "reschedule"
    if _CANCEL.search(text):
        return "cancel"
    if _CONFIRM.match(text.strip()):
        return "confirm"
    return None
