# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""Outreach inside the server: the portal's questionnaire links over HTTP, EHR outreach events on
the signed webhook, the scheduler's timer (and two processes ticking one database without a
double send), reviewer decisions on outbound drafts through the review page, expired drafts
withdrawn by the next pass, and the daily digest of automatic sends shown to its supervisor."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.outreach.assessments import Assessments
from agent.outreach.config import OutreachConfig, link_domains
from agent.outreach.reminders import Reminders
from agent.outreach.scheduler import OutreachScheduler
from agent.policy import PracticePolicy
from agent.server.app import Services, create_app
from agent.store.alerts import AlertStore
from agent.store.audit import audit_log
from agent.store.crypto import FieldCipher
from agent.store.db import Database
from agent.store.inbox import Inbox
from agent.store.outreach import OutreachStore
from agent.store.policy_store import PolicyStore
from agent.store.review import ReviewQueue
from agent.store.staff import StaffAccount, StaffDirectory
from tests.test_server_fakes import (  # noqa: F401
    ScriptedAssistant,
    cheap_password_hashing,
    crisis_screen,
    encode,
    signed,
)
from tests.test_store_backends import db_url, postgres_url  # noqa: F401
from tools.ehr.clock import SimulatedClock
from tools.ehr.sandbox import SandboxEHR

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = date(2026, 3, 2)  # a Monday
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
PASSWORD = "correct horse battery"
DOMAINS = link_domains()  # the practice's portal, telehealth and resources hosts
APPROVED = {
    "outreach.reminder": "Hi {name}, a reminder of {whose} appointment with {clinician} on "
    "{when}. {where}{confirm_line} Reply here if you need to reschedule.",
}
NEW_YORK = ZoneInfo("America/New_York")
SAFETY = "If you are thinking about harming yourself, call or text 988 now. Riverbend test line."


@pytest.fixture(scope="session")
def anchored_sandbox(tmp_path_factory):
    """The sandbox practice seeded once at a fixed date; each test copies the file."""
    path = tmp_path_factory.mktemp("outreach-sandbox") / "sandbox_ehr.db"
    SandboxEHR(path, seed=7, anchor=ANCHOR, clock=SimulatedClock(START))
    return path


class Practice:
    """Services over a sandbox with a settable clock, plus the helpers the tests share."""

    def __init__(self, services: Services, clock: SimulatedClock, key: bytes):
        self.services, self.clock, self.key = services, clock, key
        self.db, self.ehr = services.db, services.ehr

    def policy(self, mode: str, only: tuple[str, ...] | None = None, **extra) -> None:
        """Every outreach workflow in `mode` (or only those in `only`, the others off)."""
        rollout = {w: mode if only is None or w in only else "off"
                   for w in ("reminders", "checkins", "assessments", "onboarding", "discharge",
                             "resources", "wellness", "refills")}
        PolicyStore(self.db).save(PracticePolicy(rollout=rollout, templates=APPROVED,
                                                 allowed_link_domains=DOMAINS, **extra),
                                  actor="admin-test")

    def scheduler(self, *workflows, config: OutreachConfig | None = None) -> OutreachScheduler:
        return OutreachScheduler(ehr=self.ehr, db=self.db, workflows=list(workflows),
                                 config=config)

    def outreach_messages(self, client_id: str) -> list:
        return [m for t in self.ehr.threads(client_id) for m in self.ehr.get_thread(t.id).messages
                if (m.sender_id or "").startswith("outreach:")]

    def reminder_client(self) -> str:
        """An adult New York client of Daniel Reyes with a visit 1-3 days out, booked earlier."""
        for client_id in self.ehr.caseload("clin-reyes").client_ids:
            client = self.ehr.get_client(client_id)
            if client.is_minor or client.part2 or client.timezone != "America/New_York":
                continue
            upcoming = self.ehr.upcoming_appointments(client_id)
            if (upcoming and START + timedelta(days=1, hours=2) < upcoming[0].start
                    < START + timedelta(days=3)
                    and upcoming[0].created_at < upcoming[0].start - timedelta(days=3)):
                return client_id
        raise AssertionError("no sandbox client fits")

    def queue_reminder(self, client_id: str) -> tuple[str, str]:
        """Plan and run reminders for one client in review mode: (review id, send key)."""
        scheduler = self.scheduler(Reminders())
        scheduler.plan(START, client_ids=[client_id])
        appointment = self.ehr.upcoming_appointments(client_id)[0]
        scheduler.run_due(appointment.start - timedelta(days=1))
        [send] = OutreachStore(self.db).sends(client_id=client_id, statuses=["in_review"])
        return send.review_id, send.key


@pytest.fixture
def practice(tmp_path, anchored_sandbox, db_url, crisis_screen):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(anchored_sandbox, data / "sandbox_ehr.db")
    from agent.settings import Settings

    settings = Settings(data_dir=data, database_url=db_url, worker_threads=0,
                        webhook_secret="test-secret-1")
    clock = SimulatedClock(START)
    key = os.urandom(32)
    db = Database(settings.resolved_database_url, cipher=FieldCipher([key]))
    ehr = SandboxEHR(data / "sandbox_ehr.db", seed=7, anchor=ANCHOR, clock=clock)
    services = Services.build(settings, db=db, ehr=ehr, crisis_screen=crisis_screen,
                              assistant_factory=ScriptedAssistant)
    yield Practice(services, clock, key)
    db.dispose()


@pytest.fixture
def staff(practice, cheap_password_hashing):
    directory = StaffDirectory(practice.db)
    for username, roles, clinician_id in (("reyes", ["clinician"], "clin-reyes"),
                                          ("okafor", ["supervisor"], "clin-okafor"),
                                          ("admin", ["admin"], None)):
        directory.create(StaffAccount(username=username, roles=roles, clinician_id=clinician_id,
                                      display_name=username.title()), PASSWORD)
    return directory


def sign_in(practice: Practice, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(practice.services, start_workers=False))
    response = client.post("/login", data={"username": username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


# --- 1. the portal's questionnaire links ------------------------------------------------------
def issue_form(practice: Practice, instrument: str) -> tuple[str, str]:
    client_id = next(c for c in practice.ehr.caseload("clin-reyes").client_ids
                     if not practice.ehr.get_client(c).is_minor
                     and not practice.ehr.get_client(c).part2)
    scheduler = practice.scheduler(
        Assessments(), config=OutreachConfig(assessment_instruments=[instrument]))
    scheduler.plan(START, client_ids=[client_id])
    scheduler.run_due(START)
    [form] = OutreachStore(practice.db).forms_for(client_id, instrument)
    return client_id, form["token"]


def test_phq9_link_item9_raises_the_alert_before_the_reply_with_the_practice_message(practice):
    practice.policy("review", safety_message=SAFETY)
    client_id, token = issue_form(practice, "phq9")
    http = TestClient(create_app(practice.services, start_workers=False))
    form = http.get(f"/forms/{token}")
    assert form.status_code == 200 and form.json()["title"] == "PHQ-9"
    assert len(form.json()["items"]) == 9
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 1}  # total 1, item 9 = 1
    receipt = http.post(f"/forms/{token}", json={"answers": answers})
    # The alert row already exists when the client's page gets its answer.
    [alert] = AlertStore(practice.db).list_open(client_ids={client_id})
    assert receipt.status_code == 200 and receipt.json()["safety_message"] == SAFETY
    assert alert.clinician_id == "clin-reyes" and "phq9_item9" in alert.categories
    assert http.post(f"/forms/{token}", json={"answers": answers}).status_code == 410


@pytest.mark.parametrize(("instrument", "items"), [("gad7", 7), ("dass21", 21)])
def test_gad7_and_dass21_links_work_over_http_without_a_safety_message(practice, instrument,
                                                                       items):
    practice.policy("review", safety_message=SAFETY)
    client_id, token = issue_form(practice, instrument)
    http = TestClient(create_app(practice.services, start_workers=False))
    form = http.get(f"/forms/{token}").json()
    assert len(form["items"]) == items
    bad = http.post(f"/forms/{token}", json={"answers": {"1": 9}})
    assert bad.status_code == 422 and "item 1" in bad.json()["detail"]
    receipt = http.post(f"/forms/{token}", json={"answers": {str(i): 1 for i in range(1, items
                                                                                       + 1)}})
    assert receipt.status_code == 200 and receipt.json() == {"status": "received",
                                                             "safety_message": None}
    assert not AlertStore(practice.db).list_open(client_ids={client_id})


def test_forms_are_in_the_openapi_spec(practice):
    http = TestClient(create_app(practice.services, start_workers=False))
    paths = http.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/forms/{token}"])


# --- 3. EHR outreach events on the webhook -----------------------------------------------------
def outreach_event(kind: str, client_id: str, *, event_id: str, **data) -> dict:
    return {"event_id": event_id, "type": kind, "occurred_at": START.isoformat(),
            "data": {"client_id": client_id, **data}}


def post(http: TestClient, settings, event: dict):
    body = encode(event)
    return http.post("/webhooks/ehr", content=body, headers=signed(settings, body))


def test_session_completed_event_plans_the_checkin_once_per_event_id(practice):
    practice.policy("review", only=("checkins",))
    client_id = practice.reminder_client()
    visit = practice.ehr.upcoming_appointments(client_id)[0]
    practice.clock.set(visit.end + timedelta(minutes=5))
    practice.ehr.record_attendance(visit.id, "fulfilled", request_id="attend-1")
    http = TestClient(create_app(practice.services, start_workers=False))
    event = outreach_event("session_completed", client_id, event_id="evt-sc-1",
                           appointment_id=visit.id)
    first = post(http, practice.services.settings, event)
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    again = post(http, practice.services.settings, event)
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    pool = practice.services.worker_pool(threads=0)
    assert pool.run_once() == "evt-sc-1" and pool.run_once() is None
    stored = Inbox(practice.db).get("evt-sc-1")
    assert stored.status == "done" and stored.outcome.startswith("outreach:session_completed")
    [checkin] = OutreachStore(practice.db).sends(client_id=client_id, workflow="checkins")
    assert checkin.trigger_id.endswith(visit.id) or visit.id in checkin.key
    # Two hours later the next pass puts the check-in in front of the clinician.
    practice.clock.set(visit.end + timedelta(hours=2, minutes=1))
    practice.services.outreach().run_due(practice.clock())
    checkin = OutreachStore(practice.db).get(checkin.key)
    assert checkin.status == "in_review", (checkin.status, checkin.reason)
    item = ReviewQueue(practice.db).get(checkin.review_id)
    assert item.source == "outreach:checkins" and item.status == "pending"


@pytest.mark.parametrize("kind", ["client_created", "episode_closed", "appointment_changed"])
def test_other_outreach_events_reach_the_scheduler(practice, kind):
    client_id = practice.reminder_client()
    subject = {"episode_closed": {"episode_id": "ep-1"},
               "appointment_changed": {"appointment_id": "ap-1"}}.get(kind, {})
    http = TestClient(create_app(practice.services, start_workers=False))
    response = post(http, practice.services.settings,
                    outreach_event(kind, client_id, event_id=f"evt-{kind}", **subject))
    assert response.status_code == 202
    practice.services.worker_pool(threads=0).run_once()
    assert Inbox(practice.db).get(f"evt-{kind}").outcome.startswith(f"outreach:{kind}:planned=")
    if kind == "appointment_changed":  # reminders for the client's visits are planned
        assert OutreachStore(practice.db).sends(client_id=client_id, workflow="reminders")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["data"].pop("client_id"), "data.client_id"),
        (lambda e: e["data"].pop("appointment_id"), "data.appointment_id"),
        (lambda e: e.update(type="session_started"), "type"),
        (lambda e: e["data"].update(note="x"), "data.note"),
        (lambda e: e.update(occurred_at="yesterday"), "occurred_at"),
    ],
)
def test_bad_outreach_events_are_422_naming_the_field(practice, mutate, field):
    event = outreach_event("session_completed", "cl-0001", event_id="evt-bad",
                           appointment_id="ap-1")
    mutate(event)
    http = TestClient(create_app(practice.services, start_workers=False))
    response = post(http, practice.services.settings, event)
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    assert Inbox(practice.db).counts() == {}


def test_outreach_event_for_unknown_client_is_422(practice):
    http = TestClient(create_app(practice.services, start_workers=False))
    response = post(http, practice.services.settings,
                    outreach_event("client_created", "cl-9999", event_id="evt-x"))
    assert response.status_code == 422 and "unknown client" in response.json()["error"]


def test_openapi_documents_every_event_type(practice):
    http = TestClient(create_app(practice.services, start_workers=False))
    spec = http.get("/openapi.json").json()
    operation = spec["paths"]["/webhooks/ehr"]["post"]
    mapping = operation["requestBody"]["content"]["application/json"]["schema"][
        "discriminator"]["mapping"]
    assert set(mapping) == {"message.created", "client_created", "session_completed",
                            "episode_closed", "appointment_changed"}
    assert {"MessageCreatedEvent", "OutreachEvent"} <= set(spec["components"]["schemas"])
    for kind in mapping:
        assert kind in operation["summary"]


# --- 2. the scheduler's timer ------------------------------------------------------------------
def test_the_server_runs_the_scheduler_on_its_timer(practice):
    practice.policy("review")
    settings = practice.services.settings.model_copy(update={"outreach_tick_s": 0.05})
    practice.services.settings = settings
    store = OutreachStore(practice.db)
    with TestClient(create_app(practice.services)) as http:
        assert http.get("/readyz").json()["checks"]["outreach"] == "ok"
        deadline = time.monotonic() + 120
        while not store.sends() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert store.sends(), "the timer never ran a pass"


def test_interval_zero_disables_the_timer(practice):
    settings = practice.services.settings.model_copy(update={"outreach_tick_s": 0})
    practice.services.settings = settings
    with TestClient(create_app(practice.services)) as http:
        assert "outreach" not in http.get("/readyz").json()["checks"]


_TICKER = textwrap.dedent("""
    import os, sys, time
    from datetime import date, datetime
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from agent.outreach.reminders import Reminders
    from agent.outreach.scheduler import OutreachScheduler
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database
    from tools.ehr.clock import SimulatedClock
    from tools.ehr.sandbox import SandboxEHR

    now = datetime.fromisoformat(os.environ["NOW"])
    ehr = SandboxEHR(os.environ["SANDBOX"], seed=7, anchor=date.fromisoformat(os.environ["ANCHOR"]),
                     clock=SimulatedClock(now))
    post = ehr.post_message
    log = Path(os.environ["POST_LOG"])

    def logged_post(*args, request_id=None, **kwargs):  # every delivery attempt, by send key
        with open(log, "a") as handle:
            handle.write(f"{{request_id}} {{os.getpid()}}\\n")
        return post(*args, request_id=request_id, **kwargs)

    ehr.post_message = logged_post
    db = Database(os.environ["DB_URL"], cipher=FieldCipher([bytes.fromhex(os.environ["KEY"])]))
    scheduler = OutreachScheduler(ehr=ehr, db=db, workflows=[Reminders()])
    go = Path(os.environ["GO"])
    Path(os.environ["READY"]).touch()
    while not go.exists():
        time.sleep(0.01)
    for _ in range(2):
        scheduler.tick(now)
""")


def test_two_processes_ticking_at_once_never_double_send(practice, tmp_path):
    """Two server processes' timers fire together on one database (SQLite here, PostgreSQL in
    the `postgres` run): every reminder is posted once, by one of them, audited once."""
    practice.policy("auto_template")
    script = tmp_path / "ticker.py"
    script.write_text(_TICKER.format(root=str(ROOT)))
    log = tmp_path / "posts.log"
    now = START + timedelta(days=1)
    env = {**os.environ, "NOW": now.isoformat(), "ANCHOR": ANCHOR.isoformat(),
           "SANDBOX": str(practice.services.settings.data_dir / "sandbox_ehr.db"),
           "DB_URL": practice.services.settings.resolved_database_url,
           "KEY": practice.key.hex(), "POST_LOG": str(log), "GO": str(tmp_path / "go")}
    processes = [subprocess.Popen([sys.executable, str(script)], cwd=ROOT,
                                  env={**env, "READY": str(tmp_path / f"ready-{n}")},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for n in range(2)]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{n}").exists() for n in range(2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes), \
            [p.stderr.read().decode()[-2000:] for p in processes if p.poll() is not None]
        time.sleep(0.05)
    (tmp_path / "go").touch()
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read().decode()[-2000:]
    attempts = [line.split() for line in log.read_text().splitlines()]
    per_key = Counter(request_id for request_id, _pid in attempts)
    assert len(per_key) >= 3, "the race needs several reminders due at once"
    assert max(per_key.values()) == 1, [k for k, n in per_key.items() if n > 1]
    with practice.db.read() as conn:
        audited = Counter(conn.execute(select(audit_log.c.subject).where(
            audit_log.c.action == "outreach.send")).scalars())
    assert set(audited) == {key.removeprefix("outreach:") for key in per_key}
    assert set(audited.values()) == {1}
    sent = OutreachStore(practice.db).sends(statuses=["sent"])
    assert len(sent) == len(per_key)


# --- 5. outbound drafts through the review page -----------------------------------------------
def test_reviewer_approves_an_outbound_draft_on_the_review_page(practice, staff):
    practice.policy("review")
    client_id = practice.reminder_client()
    review_id, key = practice.queue_reminder(client_id)
    http, csrf = sign_in(practice, "reyes")
    page = http.get(f"/review/{review_id}")
    assert page.status_code == 200 and "appointment" in page.text
    practice.clock.set(practice.ehr.upcoming_appointments(client_id)[0].start
                       - timedelta(days=1))
    response = http.post(f"/review/{review_id}/decide",
                         data={"decision": "accept", "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    [message] = practice.outreach_messages(client_id)
    assert message.text == OutreachStore(practice.db).body(key)
    item = ReviewQueue(practice.db).get(review_id)
    assert (item.status, item.outcome) == ("decided", "sent")
    assert OutreachStore(practice.db).get(key).message_id == message.id


@pytest.mark.parametrize("decision", ["edit", "ignore"])
def test_reviewer_edits_or_dismisses_an_outbound_draft(practice, staff, decision):
    practice.policy("review")
    client_id = practice.reminder_client()
    review_id, key = practice.queue_reminder(client_id)
    practice.clock.set(practice.ehr.upcoming_appointments(client_id)[0].start
                       - timedelta(days=1))
    http, csrf = sign_in(practice, "reyes")
    edited = "Hi, a reminder of your appointment tomorrow. Reply here to reschedule."
    http.post(f"/review/{review_id}/decide",
              data={"decision": decision, "text": edited, "csrf": csrf}, follow_redirects=False)
    item = ReviewQueue(practice.db).get(review_id)
    if decision == "edit":
        assert [m.text for m in practice.outreach_messages(client_id)] == [edited]
        assert (item.outcome, item.final_text) == ("sent", edited)
    else:
        assert not practice.outreach_messages(client_id)
        assert item.outcome == "dismissed"
        assert OutreachStore(practice.db).get(key).status == "skipped"


def test_expired_outbound_draft_is_withdrawn_by_the_next_pass(practice, staff):
    practice.policy("review")
    client_id = practice.reminder_client()
    review_id, key = practice.queue_reminder(client_id)
    visit = practice.ehr.upcoming_appointments(client_id)[0]
    http, _csrf = sign_in(practice, "reyes")
    assert review_id in http.get("/inbox").text
    practice.scheduler(Reminders()).tick(visit.start + timedelta(minutes=1))
    assert OutreachStore(practice.db).get(key).status == "expired"
    item = ReviewQueue(practice.db).get(review_id)
    assert (item.status, item.outcome, item.decided_by) == ("decided", "expired",
                                                            "system:outreach")
    assert review_id not in http.get("/inbox").text  # no reviewer opened it
    assert not practice.outreach_messages(client_id)


# --- 4. the daily digest of automatic sends ----------------------------------------------------
def admin_policy_form(csrf: str, **fields) -> dict:
    return {"csrf": csrf, "intent": ["schedule_change", "billing"],
            "rollout:reminders": "auto_template", "rollout:inbound": "review",
            "template:outreach.reminder": APPROVED["outreach.reminder"],
            "safety_message": SAFETY, "safety_message_enabled": "on",
            "allowed_link_domains": " ".join(DOMAINS), **fields}


def test_admin_sets_the_digest_supervisor_and_an_unknown_one_is_422(practice, staff):
    http, csrf = sign_in(practice, "admin")
    bad = http.post("/admin/policy", data=admin_policy_form(csrf,
                                                            digest_supervisor_id="clin-nobody"))
    assert bad.status_code == 422 and "digest_supervisor_id" in bad.text
    assert PolicyStore(practice.db).latest() is None
    ok = http.post("/admin/policy", data=admin_policy_form(csrf,
                                                           digest_supervisor_id="clin-haddad"))
    assert ok.status_code == 200 and 'value="clin-haddad" selected' in ok.text
    assert PolicyStore(practice.db).current().digest_supervisor_id == "clin-haddad"


def test_auto_sent_reminder_appears_in_the_supervisors_next_digest(practice, staff):
    """The practice names Dr. Haddad as supervising clinician: the digest goes to him (not to
    Daniel Reyes' own supervisor, Dr. Okafor, who would get it by default) and to admins."""
    staff.create(StaffAccount(username="haddad", roles=["supervisor"], clinician_id="clin-haddad",
                              display_name="Samir Haddad"), PASSWORD)
    admin, csrf = sign_in(practice, "admin")
    saved = admin.post("/admin/policy",
                       data=admin_policy_form(csrf, digest_supervisor_id="clin-haddad"))
    assert saved.status_code == 200
    client_id = practice.reminder_client()
    visit = practice.ehr.upcoming_appointments(client_id)[0]
    scheduler = practice.scheduler(Reminders())
    scheduler.plan(START, client_ids=[client_id])
    day = visit.start - timedelta(days=1)
    scheduler.run_due(day)
    [message] = practice.outreach_messages(client_id)  # sent on the approved template
    evening = datetime.combine(day.date(), datetime.min.time(), UTC) + timedelta(hours=23)
    practice.clock.set(evening)
    scheduler.tick(evening)

    haddad, _ = sign_in(practice, "haddad")
    inbox = haddad.get("/inbox").text
    assert "Daily digest of automatic outreach" in inbox
    assert client_id in inbox and message.id in inbox
    assert message.id in admin.get("/digests").text
    for other in ("okafor", "reyes"):  # neither is the practice's supervising clinician
        http, _ = sign_in(practice, other)
        assert message.id not in http.get("/inbox").text
        assert message.id not in http.get("/digests").text
    with practice.db.read() as conn:
        reads = conn.execute(select(audit_log.c.subject).where(
            audit_log.c.action == "digest.read")).scalars().all()
    assert f"clin-haddad:{evening.astimezone(NEW_YORK).date().isoformat()}" in reads


def test_an_outreach_event_that_keeps_failing_is_parked_without_a_client_item(practice):
    class Broken:
        def on_event(self, client_id, now):
            raise RuntimeError("scheduler down")

    practice.services._outreach = Broken()
    practice.services.settings = practice.services.settings.model_copy(
        update={"worker_max_attempts": 1})
    http = TestClient(create_app(practice.services, start_workers=False))
    post(http, practice.services.settings,
         outreach_event("client_created", "cl-0001", event_id="evt-broken"))
    assert practice.services.worker_pool(threads=0).run_once() == "evt-broken"
    assert Inbox(practice.db).get("evt-broken").status == "parked"
    assert ReviewQueue(practice.db).pending() == []  # nothing for a clinician to answer
