"""The EHR protocol's rules, run against the sandbox in-process AND through the FHIR adapter over
loopback HTTP (the `ehr` fixture is parametrized over both)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.test_ehr_support import ANCHOR
from tools.ehr import errors, open_ehr
from tools.ehr.calendar import slot_id
from tools.ehr.models import AssessmentSubmission
from tools.ehr.sandbox import SandboxEHR

pytest_plugins = ["tests.test_ehr_support"]


def _client_with_upcoming(ehr, *, exclude: set[str] = frozenset()):
    for client in ehr.list_clients(clinician_id="clin-chen"):
        if client.id not in exclude and ehr.upcoming_appointments(client.id):
            return client
    raise AssertionError("seed has no client with upcoming appointments")


def _free_slot(ehr, clinician_id, *, days_ahead: int = 3):
    now = ehr.now()
    slots = ehr.open_slots(clinician_id, now + timedelta(days=days_ahead), now + timedelta(days=21))
    assert slots, "seed leaves no free slot"
    return slots[0]


# --- the synthetic practice ------------------------------------------------------------------
def test_same_seed_and_anchor_give_the_same_practice(tmp_path, clock):
    first = SandboxEHR(tmp_path / "a.db", seed=7, anchor=ANCHOR, clock=clock)
    second = SandboxEHR(tmp_path / "b.db", seed=7, anchor=ANCHOR, clock=clock)
    other = SandboxEHR(tmp_path / "c.db", seed=8, anchor=ANCHOR, clock=clock)
    window = (clock() - timedelta(days=30), clock() + timedelta(days=30))
    assert first.list_clients() == second.list_clients()
    assert first.appointments_between(*window) == second.appointments_between(*window)
    assert first.list_clients() != other.list_clients()


def test_sandbox_is_a_believable_practice(sandbox):
    clients = sandbox.list_clients()
    clinicians = sandbox.list_clinicians()
    assert len(clients) >= 100
    assert len({c.timezone for c in clinicians}) >= 3
    minors = [c for c in clients if c.is_minor]
    assert minors and all(c.guardian is not None for c in minors)
    assert 3 <= sum(c.part2 for c in clients) <= 10
    window = sandbox.appointments_between(
        sandbox.now() - timedelta(days=28), sandbox.now() + timedelta(days=28)
    )
    statuses = {a.status for a in window}
    assert {"fulfilled", "noshow", "late_cancelled", "booked"} <= statuses
    assert all(a.modality == "telehealth" for a in window if a.telehealth_url)
    assert any(sandbox.threads(c.id) for c in clients[:10])
    assert sandbox.supervisees("clin-okafor"), "supervisor without supervisees"


def test_existing_sandbox_file_keeps_its_state(tmp_path, clock):
    path = tmp_path / "ehr.db"
    first = SandboxEHR(path, anchor=ANCHOR, clock=clock)
    client = first.list_clients()[0]
    first.set_channel_opt_out(client.id, "email", True, request_id="optout-1")
    reopened = SandboxEHR(path, anchor=ANCHOR, clock=clock)
    assert reopened.get_client(client.id).opted_out_channels == ("email",)


def test_open_ehr_uses_settings(settings):
    assert isinstance(open_ehr(settings), SandboxEHR)
    assert settings.resolved_sandbox_db.exists()
    with pytest.raises(ValueError, match="PRACTICE_FHIR_BASE_URL"):
        open_ehr(settings.model_copy(update={"ehr_backend": "fhir"}))


# --- client context --------------------------------------------------------------------------
def test_context_withholds_part2_records_without_consent(ehr):
    part2 = [c for c in ehr.list_clients() if c.part2]
    without = next(c for c in part2 if not c.consents.part2_disclosure)
    with_consent = next(c for c in part2 if c.consents.part2_disclosure)

    hidden = ehr.client_context(without.id)
    assert hidden.part2_withheld
    assert not any("Buprenorphine" in m.name for m in hidden.medications)
    assert not any(e.part2 for e in hidden.open_episodes)

    shown = ehr.client_context(with_consent.id)
    assert not shown.part2_withheld
    assert any(m.part2 for m in shown.medications)


def test_context_is_minimum_necessary(ehr):
    client = ehr.list_clients()[5]
    context = ehr.client_context(client.id).model_dump_json()
    assert client.birth_date.isoformat() not in context
    assert client.address not in context
    assert client.record_number not in context
    assert ehr.client_context(client.id).clinician.id == client.clinician_id


def test_identifiers_for_pseudonymizer_and_guard(ehr):
    minor = next(c for c in ehr.list_clients() if c.is_minor)
    mine = ehr.client_identifiers(minor.id)
    assert f"{minor.given_name} {minor.family_name}" in mine.names
    assert minor.guardian.name in mine.names
    assert mine.birth_date == minor.birth_date and minor.record_number in mine.record_numbers
    roster = ehr.roster_identifiers()
    assert minor.id in {o.client_id for o in roster}
    assert len(roster) >= len(ehr.list_clients())  # discharged clients stay guarded too
    assert all(o.birth_date is None and not o.addresses for o in roster)


def test_unknown_client_is_a_typed_error(ehr):
    for call in (
        lambda: ehr.get_client("cl-9999"),
        lambda: ehr.client_context("cl-9999"),
        lambda: ehr.appointments("cl-9999"),
        lambda: ehr.book("cl-9999", "clin-chen.20261201T1500Z", request_id="r-unknown"),
    ):
        with pytest.raises(errors.ClientNotFound, match="cl-9999"):
            call()


def test_staff_directory_for_rbac(ehr):
    caseload = ehr.caseload("clin-reyes")
    assert caseload.client_ids and all(
        ehr.get_client(cid).clinician_id == "clin-reyes" for cid in caseload.client_ids[:3]
    )
    assert {c.id for c in ehr.supervisees("clin-okafor")} == {
        "clin-reyes",
        "clin-chen",
        "clin-walsh",
    }
    on_call = ehr.on_call(ehr.now())
    assert on_call.starts <= ehr.now() < on_call.ends
    assert on_call.phone
    with pytest.raises(errors.ClinicianNotFound):
        ehr.caseload("clin-nobody")


# --- the calendar ----------------------------------------------------------------------------
def test_open_slots_are_free_future_and_inside_hours(ehr):
    now = ehr.now()
    slots = ehr.open_slots("clin-chen", now - timedelta(days=2), now + timedelta(days=14))
    assert slots
    booked = ehr.appointments_between(now, now + timedelta(days=15), clinician_id="clin-chen")
    live = [a for a in booked if a.status in ("booked", "confirmed")]
    for slot in slots:
        assert slot.start >= now
        assert not any(a.start < slot.end and a.end > slot.start for a in live)
    windows = ehr.availability("clin-chen")
    for slot in slots:
        local_start = slot.start.astimezone(ZoneInfo(windows[0].timezone))
        local_end = slot.end.astimezone(ZoneInfo(windows[0].timezone))
        assert any(
            w.weekday == local_start.weekday()
            and w.start <= local_start.time()
            and local_end.time() <= w.end
            for w in windows
        ), slot.id
    with pytest.raises(errors.InvalidRequest):
        ehr.open_slots("clin-chen", now + timedelta(days=2), now)


def test_book_is_idempotent_on_request_id(ehr):
    client = ehr.list_clients(clinician_id="clin-chen")[0]
    slot = _free_slot(ehr, "clin-chen")
    first = ehr.book(client.id, slot.id, request_id="book-1")
    again = ehr.book(client.id, slot.id, request_id="book-1")
    assert again == first and first.start == slot.start and first.status == "booked"
    at_slot = [
        a
        for a in ehr.appointments(client.id, start=slot.start, end=slot.end)
        if a.status == "booked"
    ]
    assert [a.id for a in at_slot] == [first.id]
    other = _free_slot(ehr, "clin-chen", days_ahead=5)
    with pytest.raises(errors.IdempotencyConflict):
        ehr.book(client.id, other.id, request_id="book-1")


def test_reschedule_moves_the_appointment(ehr):
    client = _client_with_upcoming(ehr)
    original = ehr.upcoming_appointments(client.id)[-1]
    slot = _free_slot(ehr, client.clinician_id)
    moved = ehr.reschedule(client.id, original.id, slot.id, request_id="move-1")
    assert moved.start == slot.start and moved.status == "booked"
    assert moved.modality == original.modality
    old = ehr.get_appointment(original.id)
    assert old.status == "cancelled" and old.rescheduled_to == moved.id
    assert ehr.reschedule(client.id, original.id, slot.id, request_id="move-1") == moved
    assert slot.id not in {s.id for s in ehr.open_slots(client.clinician_id, slot.start, slot.end)}


def test_late_changes_are_marked_late(ehr, clock):
    client = _client_with_upcoming(ehr)
    soonest = ehr.upcoming_appointments(client.id)[0]
    clock.set(soonest.start - timedelta(hours=3))
    cancelled = ehr.cancel(client.id, soonest.id, request_id="late-1")
    assert cancelled.status == "late_cancelled"
    assert ehr.get_appointment(soonest.id).status == "late_cancelled"


def test_cancel_outside_window_and_no_second_cancel(ehr):
    client = _client_with_upcoming(ehr)
    last = ehr.upcoming_appointments(client.id)[-1]
    assert last.start - ehr.now() > timedelta(hours=48)
    assert ehr.cancel(client.id, last.id, request_id="cancel-1").status == "cancelled"
    with pytest.raises(errors.InvalidTransition):
        ehr.cancel(client.id, last.id, request_id="cancel-2")


def test_confirm(ehr):
    client = _client_with_upcoming(ehr)
    target = next(a for a in ehr.upcoming_appointments(client.id) if a.status == "booked")
    assert ehr.confirm(client.id, target.id, request_id="confirm-1").status == "confirmed"
    assert ehr.get_appointment(target.id).status == "confirmed"


def test_failed_reschedule_leaves_the_original_intact(ehr):
    client = _client_with_upcoming(ehr)
    original = ehr.upcoming_appointments(client.id)[-1]
    neighbour = _client_with_upcoming(ehr, exclude={client.id})
    taken = ehr.upcoming_appointments(neighbour.id)[-1]
    taken_slot = slot_id(taken.clinician_id, taken.start)
    with pytest.raises(errors.SlotUnavailable):
        ehr.reschedule(client.id, original.id, taken_slot, request_id="move-taken")
    assert ehr.get_appointment(original.id) == original
    assert ehr.get_appointment(taken.id) == taken


def test_a_client_cannot_touch_another_clients_appointment(ehr):
    client = _client_with_upcoming(ehr)
    other = _client_with_upcoming(ehr, exclude={client.id})
    theirs = ehr.upcoming_appointments(other.id)[-1]
    slot = _free_slot(ehr, client.clinician_id)
    for call in (
        lambda: ehr.cancel(client.id, theirs.id, request_id="x-1"),
        lambda: ehr.confirm(client.id, theirs.id, request_id="x-2"),
        lambda: ehr.reschedule(client.id, theirs.id, slot.id, request_id="x-3"),
    ):
        with pytest.raises(errors.AppointmentNotOwned):
            call()
    assert ehr.get_appointment(theirs.id) == theirs


def test_slot_rules(ehr, clock):
    client = _client_with_upcoming(ehr)
    past = slot_id(client.clinician_id, ehr.now() - timedelta(days=1))
    with pytest.raises(errors.SlotInPast):
        ehr.book(client.id, past, request_id="past-1")
    elsewhere = _free_slot(
        ehr, "clin-reyes" if client.clinician_id != "clin-reyes" else "clin-walsh"
    )
    with pytest.raises(errors.ClinicianNotPermitted):
        ehr.book(client.id, elsewhere.id, request_id="other-clin-1")
    with pytest.raises(errors.SlotNotFound):
        ehr.book(client.id, "not-a-slot", request_id="garbage-1")
    at_3am = (ehr.now() + timedelta(days=7)).replace(hour=8, minute=0)  # 03:00 New York
    with pytest.raises(errors.SlotUnavailable):
        ehr.book(client.id, slot_id(client.clinician_id, at_3am), request_id="night-1")


def test_racing_bookings_of_one_slot_exactly_one_wins(ehr):
    clients = ehr.list_clients(clinician_id="clin-chen")[:6]
    slot = _free_slot(ehr, "clin-chen")
    barrier = threading.Barrier(len(clients), timeout=10)
    outcomes: dict[str, object] = {}

    def attempt(client_id: str) -> None:
        barrier.wait()
        try:
            outcomes[client_id] = ehr.book(client_id, slot.id, request_id=f"race-{client_id}")
        except errors.EHRError as err:
            outcomes[client_id] = err

    threads = [threading.Thread(target=attempt, args=(c.id,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == len(clients)
    winners = [o for o in outcomes.values() if not isinstance(o, Exception)]
    losers = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(e, errors.SlotUnavailable) for e in losers)
    live = [
        a
        for a in ehr.appointments_between(slot.start, slot.end, clinician_id="clin-chen")
        if a.status == "booked"
    ]
    assert [a.id for a in live] == [winners[0].id]


def test_attendance_is_recorded_only_after_start(ehr, clock):
    client = _client_with_upcoming(ehr)
    soonest = ehr.upcoming_appointments(client.id)[0]
    with pytest.raises(errors.InvalidTransition):
        ehr.record_attendance(soonest.id, "noshow", request_id="att-early")
    clock.set(soonest.start + timedelta(minutes=20))
    assert ehr.record_attendance(soonest.id, "noshow", request_id="att-1").status == "noshow"
    assert ehr.get_appointment(soonest.id).status == "noshow"


# --- messages, alerts, assessments -----------------------------------------------------------
def test_portal_messages(ehr):
    client, other = ehr.list_clients()[:2]
    thread = ehr.start_thread(client.id, "Your appointment", request_id="thread-1")
    sent = ehr.post_message(
        client.id, thread.id, "See you Tuesday.", sender="clinician",
        sender_id=client.clinician_id, request_id="msg-1",
    )  # fmt: skip
    again = ehr.post_message(
        client.id, thread.id, "See you Tuesday.", sender="clinician",
        sender_id=client.clinician_id, request_id="msg-1",
    )  # fmt: skip
    assert again == sent
    stored = ehr.get_thread(thread.id)
    assert [m.text for m in stored.messages] == ["See you Tuesday."]
    assert thread.id in {t.id for t in ehr.threads(client.id)}
    with pytest.raises(errors.ThreadNotOwned):
        ehr.post_message(other.id, thread.id, "hi", sender="assistant", sender_id=None,
                         request_id="msg-2")  # fmt: skip
    with pytest.raises(errors.InvalidRequest):
        ehr.post_message(client.id, thread.id, "   ", sender="assistant", sender_id=None,
                         request_id="msg-3")  # fmt: skip
    with pytest.raises(errors.ThreadNotFound):
        ehr.get_thread("th-missing")


def test_alerts_raise_and_resolve(ehr):
    client = ehr.list_clients()[3]
    alert = ehr.raise_alert(
        client.id, severity="imminent", category="crisis",
        description="Crisis screen positive; see review inbox", raised_by="system:crisis",
        request_id="alert-1", message_id="m-123",
    )  # fmt: skip
    assert ehr.raise_alert(
        client.id, severity="imminent", category="crisis",
        description="Crisis screen positive; see review inbox", raised_by="system:crisis",
        request_id="alert-1", message_id="m-123",
    ) == alert  # fmt: skip
    assert ehr.active_alerts(client.id) == [alert]
    resolved = ehr.resolve_alert(alert.id, resolved_by="clin-chen", request_id="resolve-1")
    assert resolved.status == "inactive" and resolved.resolved_by == "clin-chen"
    assert ehr.active_alerts(client.id) == []
    with pytest.raises(errors.AlertNotFound):
        ehr.resolve_alert("flag-missing", resolved_by="x", request_id="resolve-2")


def test_assessment_written_and_read_back(ehr):
    client = ehr.list_clients()[4]
    before = ehr.assessment_history(client.id, "PHQ-9")
    submission = AssessmentSubmission(
        client_id=client.id, instrument="PHQ-9", answers=[2, 2, 1, 1, 2, 1, 1, 0, 1],
        total_score=11, severity="moderate", completed_at=ehr.now(),
    )  # fmt: skip
    result = ehr.write_assessment(submission, request_id="phq-1")
    assert result.loinc_panel == "44249-1" and result.loinc_total == "44261-6"
    assert ehr.write_assessment(submission, request_id="phq-1") == result
    after = ehr.assessment_history(client.id, "PHQ-9")
    assert after == [*before, result]
    bad = submission.model_copy(update={"answers": [1, 1, 1]})
    with pytest.raises(errors.InvalidRequest, match="9 items"):
        ehr.write_assessment(bad, request_id="phq-2")
    wrong_total = submission.model_copy(update={"total_score": 3})
    with pytest.raises(errors.InvalidRequest, match="total_score"):
        ehr.write_assessment(wrong_total, request_id="phq-3")


def test_structured_records_for_outreach(ehr):
    client = ehr.list_clients()[0]
    assert ehr.homework(client.id) and ehr.homework(client.id)[0].skill
    assert ehr.treatment_goals(client.id)
    assert ehr.episodes(client.id)[0].status == "open"
    assert all(f.status == "outstanding" for f in ehr.outstanding_forms(client.id))
    history = ehr.assessment_history(client.id)
    assert {r.instrument for r in history} == {"PHQ-9", "GAD-7"}


def test_channel_opt_out(ehr):
    client = ehr.list_clients()[0]
    updated = ehr.set_channel_opt_out(client.id, "sms", True, request_id="stop-1")
    assert "sms" in updated.opted_out_channels
    assert "sms" in ehr.get_client(client.id).opted_out_channels
    back = ehr.set_channel_opt_out(client.id, "sms", False, request_id="start-1")
    assert "sms" not in back.opted_out_channels


# --- the practice itself ---------------------------------------------------------------------
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _clock_text(moment) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def _corpus_hours(settings) -> dict[int, tuple[str, str]]:
    """weekday -> (opens, closes) as the corpus's office-hours page states them."""
    import re

    text = (settings.corpus_dir / "office-hours.md").read_text()
    section = text.split("## Appointment hours", 1)[1].split("##", 1)[0]
    hours = {}
    for first, last, opens, closes in re.findall(
        r"- (\w+day)(?: to (\w+day))?: (\d+:\d\d [ap]m) – (\d+:\d\d [ap]m)", section
    ):
        start = _DAY_NAMES.index(first)
        for weekday in range(start, _DAY_NAMES.index(last or first) + 1):
            hours[weekday] = (opens, closes)
    return hours


def test_the_sandbox_is_the_practice_the_corpus_describes(ehr, settings):
    practice = ehr.practice()  # sandbox, and Organization + Location through the facade
    corpus = "\n".join(p.read_text() for p in sorted(settings.corpus_dir.glob("*.md")))
    for fact in (practice.name, practice.street, practice.suite, practice.phone):
        assert fact in corpus, fact
    assert f"{practice.city}, {practice.region} {practice.postal_code}" in corpus
    assert practice.timezone == settings.practice_timezone == "America/New_York"
    assert (
        "48 hours" in practice.late_cancel_fee_notice and "$100" in practice.late_cancel_fee_notice
    )
    stated = {h.weekday: (_clock_text(h.opens), _clock_text(h.closes)) for h in practice.hours}
    assert stated == _corpus_hours(settings)
    assert [h.weekday for h in practice.hours if h.telehealth_only] == [5]  # Saturday


def test_calendar_and_records_stay_inside_the_practice(sandbox):
    practice = sandbox.practice()
    zone = ZoneInfo(practice.timezone)
    for clinician in sandbox.list_clinicians():
        assert "riverbend" not in (clinician.email or "")
        for window in sandbox.availability(clinician.id):
            today = sandbox.now().date()
            day = today + timedelta(days=(window.weekday - today.weekday()) % 7)
            own = ZoneInfo(window.timezone)
            start = datetime.combine(day, window.start, own).astimezone(zone)
            end = datetime.combine(day, window.end, own).astimezone(zone)
            hours = practice.hours_on(start.weekday())
            assert hours is not None, f"{clinician.id} works a day the practice is closed"
            assert hours.opens <= start.time() and end.time() <= hours.closes, clinician.id
    assert {c.timezone for c in sandbox.list_clients()} == {practice.timezone}
    window = sandbox.appointments_between(
        sandbox.now() - timedelta(days=182), sandbox.now() + timedelta(days=28)
    )
    in_person = [a for a in window if a.modality == "in_person"]
    assert in_person and {a.location for a in in_person} == {practice.office_location}
    for appointment in window:
        local = appointment.start.astimezone(zone)
        opening = practice.hours_on(local.weekday())
        assert opening is not None and opening.opens <= local.time() < opening.closes
        if opening.telehealth_only:
            assert appointment.modality == "telehealth"


def test_client_record_creation_time_flows_through_both_adapters(ehr, sandbox):
    for client in ehr.list_clients()[:20]:
        assert client.created_at is not None
        assert client.created_at == sandbox.get_client(client.id).created_at
        first = ehr.appointments(client.id)
        assert all(client.created_at <= a.created_at for a in first)
        assert all(client.created_at.date() <= e.start for e in ehr.episodes(client.id))


def test_prorated_assessment_is_charted_with_skipped_items_left_out(ehr):
    client = ehr.list_clients()[6]
    answers = [2, None, 1, 1, 2, 1, None, 0, 1]  # two skipped, item 9 answered
    submission = AssessmentSubmission(
        client_id=client.id, instrument="PHQ-9", answers=answers, total_score=10,
        severity="moderate", completed_at=ehr.now(), prorated=True,
    )  # fmt: skip
    # 8 points from 7 answered items, x 9/7 = 10.29 -> 10
    result = ehr.write_assessment(submission, request_id="phq-prorated-1")
    assert result.prorated and result.total_score == 10
    assert result.answers == tuple(answers)
    assert ehr.assessment_history(client.id, "PHQ-9")[-1] == result

    with pytest.raises(errors.InvalidRequest, match="prorated"):
        ehr.write_assessment(
            submission.model_copy(update={"prorated": False}), request_id="phq-prorated-2"
        )
    with pytest.raises(errors.InvalidRequest, match="prorated total"):
        ehr.write_assessment(
            submission.model_copy(update={"total_score": 8}), request_id="phq-prorated-3"
        )
    with pytest.raises(errors.InvalidRequest, match="too many"):
        ehr.write_assessment(
            submission.model_copy(update={"answers": [None, None, None, 1, 2, 1, 1, 0, 1]}),
            request_id="phq-prorated-4",
        )
    dass = [1] * 21
    dass[2] = None  # one depression item skipped: that subscale is prorated (6 x 7/6 = 7, x2)
    written = ehr.write_assessment(
        AssessmentSubmission(
            client_id=client.id, instrument="DASS-21", answers=dass, total_score=42,
            severity="depression normal; anxiety moderate; stress normal",
            completed_at=ehr.now(), prorated=True,
        ),
        request_id="dass-prorated-1",
    )  # fmt: skip
    assert written.prorated and written.answers[2] is None
