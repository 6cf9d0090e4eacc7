"""Replies to appointment reminders, through the real graph: the reminder's appointment is in
context, "confirm" confirms THAT visit, "I need to reschedule" offers slots for it, "can't make it"
inside the late window cancels it with the practice's fee notice — and the EHR sees no write
before a reviewer approves (writes are counted)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.assistant import NoPendingReview
from agent.nodes.scheduling import describe
from agent.outreach.replies import outbound_context, read_reply
from agent.state import InboundMessage, ReviewDecision
from agent.store.outreach import OutreachStore, PlannedSend
from tests.test_graph_fixtures import build_assistant, make_settings
from tools.ehr.practice import HARBORVIEW

pytestmark = pytest.mark.timeout(900)
_ids = iter(range(1, 1_000_000))


@pytest.fixture
def practice(tmp_path):
    settings = make_settings(tmp_path / "data")
    assistant, ehr = build_assistant(settings)
    yield assistant, ehr
    assistant.close()


def send_reminder(assistant, ehr, appointment) -> tuple[str, str]:
    """Post a reminder the way the outreach scheduler does, and record it as sent.
    Returns (thread id, reminder message id); the EHR write counter starts from zero after."""
    now = ehr.now()
    thread = ehr.start_thread(
        appointment.client_id, "Appointment reminder", request_id=f"t:{appointment.id}"
    )
    posted = ehr.post_message(
        appointment.client_id,
        thread.id,
        'Reminder: your appointment is coming up. Please reply "confirm".',
        sender="assistant",
        sender_id="outreach:reminders",
        request_id=f"m:{appointment.id}",
    )
    store = OutreachStore(assistant.deps.db)
    planned = PlannedSend(
        workflow="reminders",
        client_id=appointment.client_id,
        trigger_id=appointment.id,
        step="24h-confirm",
        due_at=now,
        expires_at=appointment.start,
        priority=10,
    )
    store.plan([planned], now)
    store.update_send(
        planned.key, now, status="sent", thread_id=thread.id, message_id=posted.id, counted_at=now
    )
    ehr.writes.clear()
    return thread.id, posted.id


def reply(client_id, thread_id, text, in_reply_to=None) -> InboundMessage:
    n = next(_ids)
    return InboundMessage(
        event_id=f"evt-r{n}",
        client_id=client_id,
        thread_id=thread_id,
        message_id=f"msg-reply-{n}",
        text=text,
        in_reply_to=in_reply_to,
    )


def _adults(ehr):
    return [c for c in ehr.list_clients() if not c.is_minor and c.consents.ai_assisted_drafting]


def _when(appointment) -> str:
    return describe(appointment.start, ZoneInfo(HARBORVIEW.timezone))


def test_reply_reader():
    assert read_reply("Confirm") == "confirm"
    assert read_reply("yes, I'll be there!") == "confirm"
    assert read_reply("I need to reschedule") == "reschedule"
    assert read_reply("can't make it, can we move it to Friday?") == "reschedule"
    assert read_reply("Sorry, I can't make it") == "cancel"
    assert read_reply("What is your address?") is None


def test_confirm_confirms_that_appointment_only_after_approval(practice):
    assistant, ehr = practice
    client, appointment = next(
        (c, a)
        for c in _adults(ehr)
        for a in ehr.upcoming_appointments(c.id)
        if a.status == "booked"
    )
    thread_id, reminder_id = send_reminder(assistant, ehr, appointment)
    ref = outbound_context(assistant.deps.db, reminder_id)
    assert ref.appointment_id == appointment.id and ref.client_id == client.id

    outcome = assistant.handle_message(reply(client.id, thread_id, "Confirm", reminder_id))

    assert outcome.route == "draft" and outcome.status == "awaiting_review"
    change = outcome.interrupt["action_request"]["args"]["pending_change"]
    assert change["kind"] == "confirm" and change["appointment_id"] == appointment.id
    assert _when(appointment) in outcome.draft and "confirming" in outcome.draft
    assert ehr.writes == [], "nothing may be written before a reviewer approves"
    assert ehr.get_appointment(appointment.id).status == "booked"

    done = assistant.resume(outcome.thread_id, ReviewDecision(type="accept", reviewer_id="u1"))

    assert done.status == "sent"
    assert ehr.count("confirm") == 1 and ehr.count("post_message") == 1
    assert ehr.get_appointment(appointment.id).status == "confirmed"
    with pytest.raises(NoPendingReview):
        assistant.resume(outcome.thread_id, ReviewDecision(type="accept", reviewer_id="u1"))
    assert ehr.count("confirm") == 1 and ehr.count("post_message") == 1


def test_reschedule_offers_slots_for_the_reminded_appointment_not_the_soonest(practice):
    assistant, ehr = practice
    client, later = next(
        (c, ups[1]) for c in _adults(ehr) if len(ups := ehr.upcoming_appointments(c.id)) >= 2
    )
    soonest = ehr.upcoming_appointments(client.id)[0]
    thread_id, _ = send_reminder(assistant, ehr, later)

    # no in_reply_to from the portal: the reminder is found as the thread's last outreach message
    outcome = assistant.handle_message(reply(client.id, thread_id, "I need to reschedule"))

    assert outcome.route == "draft" and outcome.intents[0] == "schedule_change"
    assert f"move your appointment on {_when(later)}" in outcome.draft
    assert _when(soonest) not in outcome.draft
    assert outcome.draft.count("\n- ") >= 2, "concrete openings to choose from"
    assert ehr.writes == []


def test_cant_make_it_inside_the_window_cancels_with_the_fee_notice_after_approval(practice):
    assistant, ehr = practice
    now = ehr.now()
    client, appointment = next(
        (c, a)
        for c in _adults(ehr)
        for a in ehr.upcoming_appointments(c.id)
        if now + timedelta(hours=2) < a.start < now + timedelta(hours=20)
    )
    thread_id, reminder_id = send_reminder(assistant, ehr, appointment)

    message = reply(client.id, thread_id, "Sorry, I can't make it.", reminder_id)
    outcome = assistant.handle_message(message)

    assert outcome.route == "draft"
    change = outcome.interrupt["action_request"]["args"]["pending_change"]
    assert change["kind"] == "cancel" and change["appointment_id"] == appointment.id
    assert HARBORVIEW.late_cancel_fee_notice in outcome.draft
    assert "Harborview" in outcome.draft and "Riverbend" not in outcome.draft
    assert ehr.writes == []
    assert ehr.get_appointment(appointment.id).status in ("booked", "confirmed")

    assistant.resume(outcome.thread_id, ReviewDecision(type="accept", reviewer_id="u1"))
    assert assistant.handle_message(message).status == "sent"  # a redelivery changes nothing

    assert ehr.count("cancel") == 1 and ehr.count("post_message") == 1
    assert ehr.get_appointment(appointment.id).status == "late_cancelled"


def test_a_reply_cannot_borrow_another_clients_reminder(practice):
    assistant, ehr = practice
    adults = _adults(ehr)
    other_appointment = next(a for c in adults[1:] for a in ehr.upcoming_appointments(c.id))
    _, their_reminder = send_reminder(assistant, ehr, other_appointment)
    client = next(c for c in adults if c.id != other_appointment.client_id and ehr.threads(c.id))
    own_thread = ehr.threads(client.id)[0].id

    outcome = assistant.handle_message(reply(client.id, own_thread, "Confirm", their_reminder))

    change = (outcome.interrupt or {}).get("action_request", {}).get("args", {})
    assert (change.get("pending_change") or {}).get("appointment_id") != other_appointment.id
    assert ehr.count("confirm") == 0
    assert ehr.get_appointment(other_appointment.id).status == other_appointment.status
