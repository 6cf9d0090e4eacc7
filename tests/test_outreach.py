"""Outreach workflows end to end over the sandbox EHR: what the client receives, what goes to
review, what is never sent, and that a restarted scheduler neither double-sends nor skips."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from agent.outreach.assessments import Assessments
from agent.outreach.checkins import CheckIns
from agent.outreach.config import OutreachConfig, link_domains
from agent.outreach.discharge import Discharge
from agent.outreach.onboarding import Onboarding
from agent.outreach.practice_events import PracticeEvents
from agent.outreach.refills import Refills
from agent.outreach.reminders import Reminders
from agent.outreach.replies import outbound_context
from agent.outreach.resources import Resources, engagement_report, record_engagement
from agent.outreach.scheduler import OutreachScheduler
from agent.outreach.wellness import Wellness
from agent.policy import PracticePolicy
from agent.state import ReviewDecision
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog, audit_log
from agent.store.crypto import FieldCipher
from agent.store.db import Database
from agent.store.outreach import OutreachStore
from agent.store.policy_store import PolicyStore
from agent.store.review import ReviewQueue
from tools.ehr.clock import SimulatedClock
from tools.ehr.models import OutstandingForm
from tools.ehr.practice import HARBORVIEW
from tools.ehr.sandbox import SandboxEHR

ANCHOR = date(2026, 3, 2)  # a Monday
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
DOMAINS = link_domains(HARBORVIEW)
APPROVED = {
    "outreach.reminder": "Hi {name}, a reminder of {whose} appointment with {clinician} on "
    "{when}. {where}{confirm_line} Reply here if you need to reschedule.",
    "outreach.checkin": "Hi {name}, thank you for {whose} session today. {homework_line}"
    "{next_line}",
    "outreach.wellness": "Hi {name}, {body}",
}


@dataclass
class World:
    ehr: PracticeEvents
    db: Database
    clock: SimulatedClock

    def scheduler(self, *workflows, config: OutreachConfig | None = None) -> OutreachScheduler:
        return OutreachScheduler(ehr=self.ehr, db=self.db, workflows=list(workflows), config=config)

    def policy(self, mode: str, **extra) -> None:
        rollout = {
            w: mode
            for w in (
                "reminders",
                "checkins",
                "assessments",
                "onboarding",
                "discharge",
                "resources",
                "wellness",
                "refills",
            )
        }
        PolicyStore(self.db).save(
            PracticePolicy(
                rollout=rollout, templates=APPROVED, allowed_link_domains=DOMAINS, **extra
            ),
            actor="admin-test",
        )

    def messages(self, client_id: str, sender_prefix: str = "outreach:"):
        return [
            m
            for t in self.ehr.threads(client_id)
            for m in self.ehr.get_thread(t.id).messages
            if (m.sender_id or "").startswith(sender_prefix)
        ]


@pytest.fixture
def world(tmp_path) -> World:
    clock = SimulatedClock(START)
    ehr = PracticeEvents(SandboxEHR(tmp_path / "ehr.db", seed=7, anchor=ANCHOR, clock=clock))
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", cipher=FieldCipher([os.urandom(32)]))
    db.create_all()
    return World(ehr=ehr, db=db, clock=clock)


def pick(world: World, predicate) -> str:
    for client in world.ehr.list_clients():
        if predicate(client):
            return client.id
    raise AssertionError("no sandbox client fits")


def adult_with_upcoming(world: World, modality: str = "telehealth"):
    def fits(client) -> bool:
        if client.is_minor or client.part2 or client.timezone != "America/New_York":
            return False
        upcoming = world.ehr.upcoming_appointments(client.id)
        return (
            bool(upcoming)
            and upcoming[0].modality == modality
            and (START + timedelta(days=1, hours=2) < upcoming[0].start < START + timedelta(days=3))
            and upcoming[0].created_at < upcoming[0].start - timedelta(days=3)
        )

    return pick(world, fits)


def audit_actions(world: World, client_id: str) -> list[str]:
    with world.db.read() as conn:
        return [
            r.action
            for r in conn.execute(
                select(audit_log.c.action)
                .where(audit_log.c.client_id == client_id)
                .order_by(audit_log.c.id)
            )
        ]


# --- reminders ---------------------------------------------------------------------------------
def test_reminder_auto_sent_with_telehealth_link_and_audited(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    world.clock.set(appointment.start - timedelta(days=1))
    report = scheduler.run_due(world.clock())
    sent = world.messages(client_id)
    assert report.sent["reminders"] >= 1
    assert any(appointment.telehealth_url in m.text for m in sent)
    assert "outreach.send" in audit_actions(world, client_id)
    assert AuditLog(world.db).verify().ok
    record = [s for s in OutreachStore(world.db).sends(client_id=client_id) if s.status == "sent"]
    assert record and all(s.trigger_id == appointment.id for s in record)
    # The client's reply ("confirm") reaches the graph with the reminder as its context.
    reply_to = outbound_context(world.db, sent[-1].id)
    assert reply_to is not None and reply_to.appointment_id == appointment.id
    assert outbound_context(world.db, "msg-not-ours") is None


def test_reminder_for_cancelled_appointment_is_never_sent(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    world.ehr.cancel(client_id, appointment.id, request_id="test-cancel")
    world.clock.set(appointment.start - timedelta(hours=20))
    report = scheduler.run_due(world.clock())
    assert not [
        m
        for m in world.messages(client_id)
        if appointment.id in m.thread_id or appointment.start.strftime("%B") in m.text
    ]
    assert report.skipped["reminders"] >= 1


def test_review_mode_queues_and_accept_sends_edit_sends_edited_text(world):
    world.policy("review")
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    world.clock.set(appointment.start - timedelta(days=1))
    report = scheduler.run_due(world.clock())
    assert report.in_review["reminders"] >= 1 and not world.messages(client_id)
    queue = ReviewQueue(world.db)
    items = [i for i in queue.pending() if i.client_id == client_id]
    assert items and all(i.source == "outreach:reminders" for i in items)
    item = queue.get(items[0].id)
    assert item.interrupt["action_request"]["action"] == "send_outreach_reminders"
    edited = "Hi, see you soon. Reply here to reschedule."
    final = scheduler.decide(
        item.id, ReviewDecision(type="edit", text=edited, reviewer_id="clin-reyes"), world.clock()
    )
    assert final.status == "sent" and final.approved_by == "clin-reyes"
    assert [m.text for m in world.messages(client_id)] == [edited]
    assert queue.get(item.id).decision == "edit"


def test_ignore_decision_sends_nothing(world):
    world.policy("review")
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    world.clock.set(appointment.start - timedelta(days=1))
    scheduler.run_due(world.clock())
    item = [i for i in ReviewQueue(world.db).pending() if i.client_id == client_id][0]
    final = scheduler.decide(
        item.id, ReviewDecision(type="ignore", reviewer_id="clin-reyes"), world.clock()
    )
    assert final.status == "skipped" and not world.messages(client_id)


def test_built_in_wording_goes_to_review_even_in_auto_mode(world):
    PolicyStore(world.db).save(
        PracticePolicy(rollout={"reminders": "auto_template"}, allowed_link_domains=DOMAINS),
        actor="admin",
    )
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    world.clock.set(world.ehr.upcoming_appointments(client_id)[0].start - timedelta(days=1))
    report = scheduler.run_due(world.clock())
    assert not report.sent and report.in_review["reminders"] >= 1


def test_guard_block_routes_to_review_even_in_auto_mode(world):
    # The telehealth domain is not allowlisted: the link_not_allowed rule blocks auto-send.
    PolicyStore(world.db).save(
        PracticePolicy(
            rollout={"reminders": "auto_template"},
            templates=APPROVED,
            allowed_link_domains=[f"portal.{HARBORVIEW.website}"],
        ),
        actor="admin",
    )
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    world.clock.set(world.ehr.upcoming_appointments(client_id)[0].start - timedelta(days=1))
    report = scheduler.run_due(world.clock())
    assert not report.sent
    item = [i for i in ReviewQueue(world.db).pending() if i.client_id == client_id][0]
    assert "link_not_allowed" in [
        f["rule"] for f in ReviewQueue(world.db).get(item.id).guard_findings
    ]


def test_shadow_mode_drafts_but_never_sends_or_queues(world):
    world.policy("shadow")
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    world.clock.set(world.ehr.upcoming_appointments(client_id)[0].start - timedelta(days=1))
    report = scheduler.run_due(world.clock())
    assert report.shadowed["reminders"] >= 1
    assert not world.messages(client_id)
    assert not [i for i in ReviewQueue(world.db).pending() if i.client_id == client_id]


def test_workflow_off_plans_nothing(world):
    world.policy("off")
    client_id = adult_with_upcoming(world)
    assert world.scheduler(Reminders()).plan(START, client_ids=[client_id]) == 0


# --- durability --------------------------------------------------------------------------------
def test_restart_after_crash_between_ehr_post_and_commit_sends_exactly_once(world, monkeypatch):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    first = world.scheduler(Reminders())
    now = appointment.start - timedelta(days=1)
    first.plan(now, client_ids=[client_id])

    original = first.store.update_send

    def crash(*args, **kwargs):
        if kwargs.get("status") == "sent":
            raise SystemExit("process killed after the EHR post")
        return original(*args, **kwargs)

    monkeypatch.setattr(first.store, "update_send", crash)
    with pytest.raises(SystemExit):
        first.run_due(now)
    assert len(world.messages(client_id)) == 1  # the post reached the EHR before the crash
    monkeypatch.undo()

    # A brand-new scheduler (new process) on the same database, after the lease lapsed.
    second = world.scheduler(Reminders())
    assert second.plan(now, client_ids=[client_id]) == 0  # nothing re-planned
    second.run_due(now + timedelta(minutes=6))
    second.run_due(now + timedelta(minutes=7))
    messages = world.messages(client_id)
    assert len(messages) == 1  # the crashed send was not posted a second time
    sends = OutreachStore(world.db).sends(client_id=client_id)
    sent = [s for s in sends if s.status == "sent"]
    assert [s.message_id for s in sent] == [m.id for m in messages]  # and not lost either


def test_restart_never_resends_or_skips(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    first = world.scheduler(Reminders())
    first.plan(START, client_ids=[client_id])
    first.run_due(appointment.start - timedelta(days=3))
    count = len(world.messages(client_id))
    second = world.scheduler(Reminders())  # restart
    second.plan(appointment.start - timedelta(days=3), client_ids=[client_id])
    second.run_due(appointment.start - timedelta(days=3))
    assert len(world.messages(client_id)) == count
    second.run_due(appointment.start - timedelta(hours=23))  # the 1-day reminder is not skipped
    assert len(world.messages(client_id)) == count + 1


def test_quiet_hours_defer_to_morning(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    late = datetime.combine(
        appointment.start.date() - timedelta(days=2), datetime.min.time(), UTC
    ) + timedelta(hours=3, minutes=30)  # 22:30 New York
    report = scheduler.run_due(late)
    assert not report.sent and report.deferred["quiet_hours"] >= 1
    assert not world.messages(client_id)
    report = scheduler.run_due(late + timedelta(hours=9, minutes=31))  # 08:01 New York
    assert report.sent["reminders"] >= 1


def test_no_consent_means_no_send_and_an_audited_suppression(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    for channel in ("portal", "sms", "email"):
        world.ehr.set_channel_opt_out(client_id, channel, True, request_id=f"optout-{channel}")
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    report = scheduler.run_due(
        world.ehr.upcoming_appointments(client_id)[0].start - timedelta(days=1)
    )
    assert report.suppressed["reminders"] >= 1 and not world.messages(client_id)
    assert "outreach.suppressed" in audit_actions(world, client_id)


def test_minor_reminder_addresses_guardian(world):
    world.policy("auto_template")
    client_id = pick(
        world,
        lambda c: c.is_minor and c.guardian is not None and world.ehr.upcoming_appointments(c.id),
    )
    client = world.ehr.get_client(client_id)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    scheduler = world.scheduler(Reminders())
    scheduler.plan(appointment.start - timedelta(days=2), client_ids=[client_id])
    world.clock.set(appointment.start - timedelta(hours=23))
    scheduler.run_due(appointment.start - timedelta(hours=23))
    texts = [m.text for m in world.messages(client_id)]
    assert texts and texts[-1].startswith(f"Hi {client.guardian.name.split()[0]},")
    assert f"{client.display_name}'s appointment" in texts[-1]
    sent = [s for s in OutreachStore(world.db).sends(client_id=client_id) if s.status == "sent"]
    assert sent[-1].recipient == "guardian"


def test_frequency_cap_holds_across_workflows(world):
    world.policy("review")
    config = OutreachConfig()
    scheduler = world.scheduler(Reminders(), Assessments(), Onboarding(), Refills(), config=config)
    client_id = "cl-0001"  # upcoming visit, an intake form, a refill due, no recent PHQ
    scheduler.plan(START, client_ids=[client_id])
    for hour in range(0, 72, 2):
        scheduler.run_due(START + timedelta(hours=hour))
    times = OutreachStore(world.db).counted_times(client_id, START - timedelta(days=1))
    assert len(times) >= 3
    for t in times:
        in_day = [u for u in times if t - timedelta(days=1) < u <= t]
        assert len(in_day) <= config.cap.per_day


# --- check-ins ---------------------------------------------------------------------------------
def test_checkin_after_session_names_marked_homework_and_next_visit(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    world.clock.set(appointment.end + timedelta(minutes=5))
    world.ehr.record_attendance(appointment.id, "fulfilled", request_id="attend-1")
    homework = world.ehr.homework(client_id)[0]
    scheduler = world.scheduler(CheckIns())
    scheduler.on_event(client_id, world.clock())
    assert not world.messages(client_id)  # due two hours after the session
    scheduler.run_due(appointment.end + timedelta(hours=2, minutes=1))
    texts = [m.text for m in world.messages(client_id)]
    assert len(texts) == 1 and homework.skill in texts[0]
    assert "next appointment" in texts[0]


# --- assessments -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crisis_screen():
    """The real screen, lexicon layers only: these tests check the collector's wiring (a crisis
    comment raises the alert), not the screen's recall, which the crisis suite measures; the
    semantic layer's exemplar embedding costs tens of seconds on this shared machine."""
    from agent.safety.crisis import CrisisScreen

    return CrisisScreen(semantic=False)


def issued_form(world: World, client_id: str, instrument: str = "phq9") -> str:
    world.policy("review")
    scheduler = world.scheduler(
        Assessments(), config=OutreachConfig(assessment_interval=timedelta(days=28))
    )
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START)
    forms = OutreachStore(world.db).forms_for(client_id, instrument)
    assert forms, "the request should have issued a form"
    return forms[0]["token"]


def test_assessment_request_links_a_one_time_form(world):
    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    token = issued_form(world, client_id)
    item = [i for i in ReviewQueue(world.db).pending() if i.client_id == client_id][0]
    assert token in ReviewQueue(world.db).get(item.id).draft


def test_item9_positive_alerts_at_once_and_writes_loinc_coded_result(world, crisis_screen):
    from agent.outreach.assessments import AssessmentCollector, Submission

    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    token = issued_form(world, client_id)
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    answers = {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 1}  # total 3, item 9 = 1
    outcome = collector.submit(token, Submission(answers=answers), now=START)
    assert outcome.scores["total"] == 3 and outcome.bands["total"] == "minimal"
    assert outcome.alert_id is not None
    alerts = AlertStore(world.db).list_open(client_ids={client_id})
    assert [a.id for a in alerts] == [outcome.alert_id] and alerts[0].severity == "high"
    assert any(a.category == "assessment_risk" for a in world.ehr.active_alerts(client_id))
    latest = world.ehr.assessment_history(client_id, "PHQ-9")[-1]
    assert latest.id == outcome.result_id
    assert (latest.loinc_panel, latest.loinc_total) == ("44249-1", "44261-6")
    assert latest.total_score == 3


def test_double_submit_is_refused_and_nothing_changes(world, crisis_screen):
    from agent.outreach.assessments import AssessmentCollector, FormUnavailable, Submission

    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    token = issued_form(world, client_id)
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    collector.submit(token, Submission(answers={i: 0 for i in range(1, 10)}), now=START)
    before = len(world.ehr.assessment_history(client_id, "PHQ-9"))
    with pytest.raises(FormUnavailable, match="already completed"):
        collector.submit(token, Submission(answers={i: 3 for i in range(1, 10)}), now=START)
    assert len(world.ehr.assessment_history(client_id, "PHQ-9")) == before


def test_rise_of_five_goes_to_clinician_review(world, crisis_screen):
    from agent.outreach.assessments import AssessmentCollector, Submission

    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    last = world.ehr.assessment_history(client_id, "PHQ-9")[-1].total_score
    token = issued_form(world, client_id)
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    target = min(last + 5, 24)
    answers = {i: 0 for i in range(1, 10)}
    remaining = target
    for i in range(1, 9):
        answers[i] = min(3, remaining)
        remaining -= answers[i]
    outcome = collector.submit(token, Submission(answers=answers), now=START)
    kinds = [f.kind for f in outcome.flags]
    assert "rise" in kinds and outcome.alert_id is None and outcome.review_id is not None
    item = ReviewQueue(world.db).get(outcome.review_id)
    assert item.kind == "handoff" and item.clinical


def test_prorated_form_is_charted_as_prorated_and_unscorable_one_is_reviewed(world, crisis_screen):
    from agent.outreach.assessments import AssessmentCollector, Submission

    adults = [c.id for c in world.ehr.list_clients() if not c.is_minor and not c.part2]
    client_id, other_id = adults[:2]
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    before = len(world.ehr.assessment_history(client_id, "PHQ-9"))
    other_before = len(world.ehr.assessment_history(other_id, "PHQ-9"))

    # One item of nine skipped (PHQ-9 allows two): charted, prorated 7 x 9/8 -> 8, marked so.
    token = issued_form(world, client_id)
    outcome = collector.submit(
        token, Submission(answers={1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 9: 0}), now=START
    )
    assert outcome.scores["total"] == 8 and outcome.written_to_chart
    charted = world.ehr.assessment_history(client_id, "PHQ-9")
    assert len(charted) == before + 1
    assert charted[-1].id == outcome.result_id
    assert charted[-1].prorated and charted[-1].total_score == 8
    assert outcome.review_id is None  # nothing about it needs a clinician beyond the chart

    # Three skipped: too incomplete to score, so never charted, and a clinician reviews it.
    token = issued_form(world, other_id)
    outcome = collector.submit(
        token, Submission(answers={1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 9: 0}), now=START
    )
    assert outcome.scores["total"] is None and not outcome.written_to_chart
    assert len(world.ehr.assessment_history(other_id, "PHQ-9")) == other_before
    assert "unscorable" in [f.kind for f in outcome.flags]
    item = ReviewQueue(world.db).get(outcome.review_id)
    assert item.kind == "handoff" and item.clinical


def test_crisis_in_free_text_comment_alerts_even_with_low_scores(world, crisis_screen):
    from agent.outreach.assessments import AssessmentCollector, Submission

    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    token = issued_form(world, client_id)
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    outcome = collector.submit(
        token,
        Submission(
            answers={i: 0 for i in range(1, 10)},
            comment="honestly I have a plan to kill myself this weekend",
        ),
        now=START,
    )
    assert outcome.alert_id is not None


# --- onboarding, discharge, refills, resources, wellness ---------------------------------------
def test_existing_clients_paperwork_is_nudged_not_welcomed_and_stops_when_done(world):
    world.policy("review")
    client_id = pick(
        world,
        lambda c: (
            not c.is_minor
            and not c.part2
            and any(f.kind == "intake" for f in world.ehr.outstanding_forms(c.id))
        ),
    )
    assert world.ehr.get_client(client_id).created_at < START - timedelta(days=90)
    scheduler = world.scheduler(Onboarding())
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START)
    queue = ReviewQueue(world.db)
    item = [i for i in queue.pending() if i.client_id == client_id][0]
    draft = queue.get(item.id).draft
    assert "Intake questionnaire" in draft and "welcome" not in draft.lower()
    for form in world.ehr.outstanding_forms(client_id):
        world.ehr.complete_form(form.id)
    report = scheduler.run_due(START + timedelta(days=3, minutes=1))
    assert report.skipped["onboarding"] == 1 and not report.in_review


def test_new_client_is_welcomed_by_practice_name_then_nudged_until_forms_done(world, monkeypatch):
    """client_created: the EHR record's creation date, not outstanding paperwork, starts it."""
    world.policy("review")
    client_id = pick(
        world,
        lambda c: not c.is_minor and not c.part2 and not world.ehr.outstanding_forms(c.id),
    )
    quiet_id = pick(
        world,
        lambda c: (
            c.id != client_id
            and not c.is_minor
            and not c.part2
            and not world.ehr.outstanding_forms(c.id)
        ),
    )
    real_get, real_list = world.ehr.get_client, world.ehr.list_clients

    def created_today(client):  # the front desk just registered this client in the EHR
        if client.id != client_id:
            return client
        return client.model_copy(update={"created_at": START - timedelta(hours=2)})

    monkeypatch.setattr(world.ehr, "get_client", lambda cid: created_today(real_get(cid)))
    monkeypatch.setattr(
        world.ehr, "list_clients", lambda **kw: [created_today(c) for c in real_list(**kw)]
    )
    world.ehr.add_form(
        OutstandingForm(
            id="form-new-intake", client_id=client_id, kind="intake", title="Intake questionnaire"
        )
    )
    scheduler = world.scheduler(Onboarding())
    scheduler.plan(START, client_ids=[client_id, quiet_id])
    scheduler.run_due(START)
    queue = ReviewQueue(world.db)
    drafts = {i.client_id: queue.get(i.id).draft for i in queue.pending()}
    assert quiet_id not in drafts  # a long-standing client without paperwork hears nothing
    welcome = drafts[client_id]
    assert "welcome to Harborview Counseling Group" in welcome
    assert "Intake questionnaire" in welcome
    steps = [s.step for s in OutreachStore(world.db).sends(client_id=client_id)]
    assert sorted(steps) == ["nudge1", "nudge2", "nudge3", "welcome"]  # no nudge0 on the welcome

    # Past the window, planning again neither re-welcomes nor starts a second sequence.
    later = START + timedelta(days=40)
    scheduler.plan(later, client_ids=[client_id])
    assert len(OutreachStore(world.db).sends(client_id=client_id)) == 4

    scheduler.decide(
        [i.id for i in queue.pending() if i.client_id == client_id][0],
        ReviewDecision(type="accept", reviewer_id="clin-1"),
        START,
    )
    report = scheduler.run_due(START + timedelta(days=3, minutes=1))
    nudge = [i for i in queue.pending() if i.client_id == client_id]
    assert (
        report.in_review["onboarding"] == 1
        and "Intake questionnaire" in queue.get(nudge[0].id).draft
    )
    world.ehr.complete_form("form-new-intake")
    report = scheduler.run_due(START + timedelta(days=6, minutes=1))
    assert report.skipped["onboarding"] == 1 and not report.in_review


def test_discharge_to_at_risk_client_needs_clinician_approval_even_in_auto_mode(world):
    world.policy(
        "auto_template",
    )
    PolicyStore(world.db).save(
        PracticePolicy(
            rollout={"discharge": "auto_template"},
            templates={
                "outreach.discharge_thanks": "Hi {name}, thank you for the "
                "work you did with {clinician}. {resources_line}"
            },
            allowed_link_domains=DOMAINS,
        ),
        actor="admin",
    )
    risky, safe = [c.id for c in world.ehr.list_clients() if not c.is_minor and not c.part2][:2]
    for client_id in (risky, safe):
        episode = world.ehr.episodes(client_id)[0]
        world.ehr.close_episode(episode.id, START.date() - timedelta(days=2))
    AlertStore(world.db).create(
        message_id="msg-risk",
        client_id=risky,
        clinician_id=None,
        severity="high",
        categories=["suicidal_ideation"],
        evidence=["..."],
    )
    scheduler = world.scheduler(Discharge())
    scheduler.plan(START, client_ids=[risky, safe])
    report = scheduler.run_due(START)
    assert world.messages(safe) and not world.messages(risky)
    item = [i for i in ReviewQueue(world.db).pending() if i.client_id == risky][0]
    assert "open crisis alert" in " ".join(ReviewQueue(world.db).get(item.id).notes)
    assert report.sent["discharge"] == 1


def test_refill_opens_prescriber_task_and_prompt_never_names_medication(world):
    world.policy("review")
    client_id = pick(
        world,
        lambda c: (
            not c.part2
            and any(
                m.refill_due and START.date() <= m.refill_due <= START.date() + timedelta(days=7)
                for m in world.ehr.medications(c.id)
            )
        ),
    )
    medication = [m for m in world.ehr.medications(client_id) if m.refill_due][0]
    scheduler = world.scheduler(Refills())
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START)
    queue = ReviewQueue(world.db)
    items = [queue.get(i.id) for i in queue.pending() if i.client_id == client_id]
    tasks = [i for i in items if i.kind == "handoff"]
    drafts = [i for i in items if i.kind == "draft"]
    assert tasks[0].handoff["queue"] == "prescriber"
    assert tasks[0].handoff["details"]["medication"] == medication.name
    assert drafts and medication.name not in drafts[0].draft


def test_part2_medications_never_trigger_refill_outreach(world):
    world.policy("review")
    client_id = pick(world, lambda c: c.part2)
    scheduler = world.scheduler(Refills())
    scheduler.plan(START + timedelta(days=14), client_ids=[client_id])
    sends = OutreachStore(world.db).sends(client_id=client_id)
    part2_ids = {m.id for m in world.ehr.medications(client_id) if m.part2}
    assert not [s for s in sends if s.trigger_id.rpartition("-")[0] in part2_ids]


def test_resource_matched_to_goal_and_engagement_reported(world):
    world.policy("review")
    client_id = pick(
        world,
        lambda c: (
            not c.part2
            and any("sleep" in g.description.lower() for g in world.ehr.treatment_goals(c.id))
        ),
    )
    scheduler = world.scheduler(Resources())
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START)
    queue = ReviewQueue(world.db)
    item = [i for i in queue.pending() if i.client_id == client_id][0]
    assert "sleep-diary" in queue.get(item.id).draft
    scheduler.decide(item.id, ReviewDecision(type="accept", reviewer_id="clin-x"), START)
    send = OutreachStore(world.db).sends(client_id=client_id, statuses=["sent"])[0]
    store = OutreachStore(world.db)
    record_engagement(store, send, "opened", now=START + timedelta(hours=3))
    record_engagement(
        store, send, "feedback", now=START + timedelta(days=1), feedback="it helped a bit"
    )
    report = engagement_report(store, client_id)
    assert report[0].resource_id == "res-sleep" and report[0].opened
    assert report[0].feedback == ["it helped a bit"] and not report[0].completed


def test_wellness_pauses_during_open_crisis(world):
    world.policy("auto_template")
    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    store = OutreachStore(world.db)
    store.enroll(client_id, "wellness-basics", by="clin-reyes", now=START - timedelta(days=7))
    AlertStore(world.db).create(
        message_id="m-crisis",
        client_id=client_id,
        clinician_id=None,
        severity="high",
        categories=["suicidal_ideation"],
        evidence=["..."],
    )
    scheduler = world.scheduler(Wellness())
    scheduler.plan(START, client_ids=[client_id])
    report = scheduler.run_due(START)
    assert report.deferred["paused_open_crisis"] == 1 and not world.messages(client_id)
    alert = AlertStore(world.db).list_open(client_ids={client_id})[0]
    AlertStore(world.db).acknowledge(alert.id, by="clin-reyes")
    report = scheduler.run_due(START + timedelta(days=1, minutes=1))
    assert report.sent["wellness"] == 1


def test_daily_digest_for_supervisor_lists_auto_sends(world):
    world.policy("auto_template")
    client_id = adult_with_upcoming(world)
    clinician = world.ehr.get_clinician(world.ehr.get_client(client_id).clinician_id)
    appointment = world.ehr.upcoming_appointments(client_id)[0]
    scheduler = world.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    day = appointment.start - timedelta(days=1)
    scheduler.run_due(day)
    evening = datetime.combine(day.date(), datetime.min.time(), UTC) + timedelta(hours=23)
    assert scheduler.write_digests(evening) == 1
    body = OutreachStore(world.db).digest(
        clinician.supervisor_id or clinician.id,
        evening.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York")).date().isoformat(),
    )
    assert body and client_id in body and "reminders: " in body
    assert scheduler.write_digests(evening + timedelta(minutes=30)) == 0  # once a day


def test_from_settings_runs_on_the_configured_sandbox(settings):
    scheduler = OutreachScheduler.from_settings(settings)
    assert scheduler.noshow is not None and scheduler.noshow.fitted  # the sandbox has no-shows
    client_id = scheduler.ehr.list_clients()[0].id
    assert scheduler.plan(scheduler.ehr.now(), client_ids=[client_id]) > 0


def test_portal_form_endpoints_validate_and_show_safety_message(world, crisis_screen):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from agent.outreach.api import forms_router
    from agent.outreach.assessments import AssessmentCollector

    client_id = pick(world, lambda c: not c.is_minor and not c.part2)
    token = issued_form(world, client_id)
    app = FastAPI()
    collector = AssessmentCollector(ehr=world.ehr, db=world.db, crisis=crisis_screen)
    app.include_router(
        forms_router(collector, policy=PolicyStore(world.db).current, clock=lambda: START)
    )
    http = TestClient(app)
    form = http.get(f"/forms/{token}").json()
    assert form["title"] == "PHQ-9" and len(form["items"]) == 9
    bad = http.post(f"/forms/{token}", json={"answers": {"1": 7}})
    assert bad.status_code == 422 and "item 1" in bad.json()["detail"]
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 2}
    receipt = http.post(f"/forms/{token}", json={"answers": answers})
    assert receipt.status_code == 200 and "988" in receipt.json()["safety_message"]
    assert http.post(f"/forms/{token}", json={"answers": answers}).status_code == 410
    assert http.get("/forms/not-a-token").status_code == 404


def test_server_decision_entry_point_sends_draft_and_acknowledges_tasks(world, settings):
    from agent.outreach.review import apply_review_decision

    world.policy("review")
    client_id = "cl-0001"  # an upcoming visit and a refill due
    scheduler = world.scheduler(Reminders(), Refills())
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START + timedelta(days=3))
    queue = ReviewQueue(world.db)
    items = [queue.get(i.id) for i in queue.pending() if i.client_id == client_id]
    draft = next(i for i in items if i.kind == "draft")
    task = next(i for i in items if i.kind == "handoff")
    world.clock.set(START + timedelta(days=3))
    queue.begin_decision(draft.id, "clin-reyes")  # the server reserves the item first
    outcome, sent_id = apply_review_decision(
        settings,
        world.db,
        world.ehr,
        draft,
        ReviewDecision(type="accept", reviewer_id="clin-reyes"),
    )
    assert outcome == "sent" and sent_id in [m.id for m in world.messages(client_id)]
    outcome, sent_id = apply_review_decision(
        settings,
        world.db,
        world.ehr,
        task,
        ReviewDecision(type="respond", text="called the pharmacy", reviewer_id="clin-reyes"),
    )
    assert (outcome, sent_id) == ("acknowledged", None)
