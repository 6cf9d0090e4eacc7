"""A month of outreach over the sandbox practice in fast calendar time:
`python -m agent.outreach.simulate [--days 28] [--seed 7] [--json]`.

The real scheduler, store, guard, review queue and audit log run against the seeded sandbox EHR on
a simulated clock (hourly passes, a full planning pass each morning). The practice's side is
simulated around them, deterministically from the seed:
- the front desk marks attendance after each visit (no-shows drawn from a per-client propensity,
  lowered by each reminder the client received) — the check-in workflow reacts to it;
- a reviewer approves the outreach drafts waiting in the queue during business hours;
- clients complete assessment forms (some days later, some never) and paperwork after nudges;
- a few clients opt out of every channel mid-month; a few episodes of care close (discharge);
- a few clients are enrolled in the wellness program.

It then checks, from the store and the audit log, the rules that must hold: no send in the
client's quiet hours, no send without a consented channel, the frequency caps, no duplicate send.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time as wall
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from agent.outreach.assessments import AssessmentCollector, FormUnavailable, Submission
from agent.outreach.config import OutreachConfig, link_domains
from agent.outreach.consent import Blocked, in_quiet_hours, recipient
from agent.outreach.noshow import fit_from_ehr
from agent.outreach.practice_events import PracticeEvents
from agent.outreach.scheduler import OutreachScheduler
from agent.policy import PracticePolicy
from agent.safety.crisis import CrisisScreen
from agent.state import ReviewDecision
from agent.store.crypto import FieldCipher
from agent.store.db import Database
from agent.store.outreach import OutreachStore
from agent.store.policy_store import PolicyStore
from agent.store.review import AlreadyDecided, ReviewQueue
from tools.ehr.clock import SimulatedClock
from tools.ehr.errors import EHRError
from tools.ehr.sandbox import SandboxEHR

PRACTICE_ZONE = ZoneInfo("America/New_York")
ANCHOR = date(2026, 3, 2)
# The practice approved these wordings for automatic sending (conditional automation).
SIM_TEMPLATES = {
    "outreach.reminder": (
        "Hi {name}, a reminder of {whose} appointment with {clinician} on {when}. {where}"
        "{confirm_line} Reply here if you need to reschedule."
    ),
    "outreach.checkin": (
        "Hi {name}, thank you for {whose} session today. {homework_line}{next_line}"
    ),
    "outreach.assessment": (
        "Hi {name}, {clinician} asked you to fill in a short check-in ({instrument}, about "
        "{minutes} minutes): {link}"
    ),
    "outreach.assessment_nudge": "Hi {name}, your {instrument} check-in is still open: {link}",
}
SIM_ROLLOUT = {
    "reminders": "auto_template",
    "checkins": "auto_template",
    "assessments": "auto_template",
    "onboarding": "review",
    "discharge": "review",
    "resources": "review",
    "wellness": "review",
    "refills": "review",
}
# No-show propensity: a client's own rate, lowered 15% (relative) by each reminder received.
REMINDER_EFFECT = 0.85


class SimulationReport(BaseModel):
    days: int
    clients: int
    wall_seconds: float
    sent_by_workflow: dict[str, int]
    approved_by_reviewer: int
    auto_sent: int
    in_review_left: int
    suppressed: dict[str, int]
    skipped: dict[str, int]
    expired: dict[str, int]
    deferred: dict[str, int]
    staff_tasks: dict[str, int]
    assessment_alerts: int
    appointments_seen: int
    noshows: int
    sends_in_quiet_hours: int
    sends_without_consent: int
    cap_violations: int
    duplicate_sends: int
    reminders_front_desk_spared: int
    audit_chain_ok: bool


def client_propensity(client_id: str, seed: int) -> float:
    """A client's latent no-show rate (Beta(1.1, 9): mean about 11%, a long tail of 30%+)."""
    return random.Random(f"noshow:{seed}:{client_id}").betavariate(1.1, 9.0)


def run(
    days: int = 28, seed: int = 7, workdir: Path | None = None, client_limit: int | None = None
) -> SimulationReport:
    """Simulate `days` of practice life; `client_limit` plans outreach for only the first N
    clients (a quick run for tests), the rest of the practice still exists in the EHR. Without a
    `workdir` the databases live in a temporary directory (in memory-backed /dev/shm when there
    is one: the simulation's speed is bound by SQLite commits) removed afterwards."""
    if workdir is not None:
        return _simulate(days, seed, workdir, client_limit)
    memory = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="outreach-sim-", dir=memory) as tmp:
        return _simulate(days, seed, Path(tmp), client_limit)


def _simulate(days: int, seed: int, workdir: Path, client_limit: int | None) -> SimulationReport:
    started = wall.perf_counter()
    start = datetime.combine(ANCHOR, time(6), PRACTICE_ZONE).astimezone(UTC)
    clock = SimulatedClock(start)
    ehr = PracticeEvents(SandboxEHR(workdir / "ehr.db", seed=seed, anchor=ANCHOR, clock=clock))
    db = Database(f"sqlite:///{workdir / 'app.db'}", cipher=FieldCipher([os.urandom(32)]))
    db.create_all()
    PolicyStore(db).save(
        PracticePolicy(
            rollout=SIM_ROLLOUT,
            templates=SIM_TEMPLATES,
            allowed_link_domains=link_domains(ehr.practice()),
        ),
        actor="sim-admin",
    )
    config = OutreachConfig()
    scheduler = OutreachScheduler(ehr=ehr, db=db, config=config, noshow=fit_from_ehr(ehr))
    collector = AssessmentCollector(ehr=ehr, db=db, crisis=CrisisScreen(semantic=False))
    store, queue = OutreachStore(db), ReviewQueue(db)
    rng = random.Random(f"sim:{seed}")
    clients = ehr.list_clients()[:client_limit]
    planned_ids = [c.id for c in clients] if client_limit else None
    for client in rng.sample(clients, 10):
        store.enroll(client.id, "wellness-basics", by=client.clinician_id, now=start)
    opt_out_day = {
        c.id: rng.randint(0, days - 1) if days < 10 else rng.randint(5, days - 5)
        for c in rng.sample(clients, 4)
    }
    # When each client stopped being contactable: from the start (no consented channel) or at
    # their opt-out; any send at or after that moment is a send without consent.
    blocked_since = {c.id: start for c in clients if isinstance(recipient(c), Blocked)}
    close_day = {
        c.id: rng.randint(0, days - 1) if days < 10 else rng.randint(3, days - 8)
        for c in rng.sample(clients, 5)
    }
    attended: set[str] = set()
    noshows = seen = approved = alerts = 0
    totals = Counter()
    report_counters = {k: Counter() for k in ("suppressed", "skipped", "expired", "deferred")}

    for hour in range(days * 24):
        now = start + timedelta(hours=hour)
        clock.set(now)
        local = now.astimezone(PRACTICE_ZONE)
        day = (local.date() - ANCHOR).days
        if local.hour == 6:
            _practice_day(ehr, day, opt_out_day, close_day, local.date())
            blocked_since.update({c: now for c, d in opt_out_day.items() if d == day})
            scheduler.plan(now, client_ids=planned_ids)
        # The front desk marks attendance for visits that ended in the last hour.
        for appointment in ehr.appointments_between(now - timedelta(hours=2), now):
            if appointment.id in attended or appointment.end > now:
                continue
            if planned_ids is not None and appointment.client_id not in planned_ids:
                continue
            if appointment.status not in ("booked", "confirmed"):
                continue
            attended.add(appointment.id)
            seen += 1
            reminders = sum(
                1
                for s in store.sends(
                    client_id=appointment.client_id, workflow="reminders", statuses=["sent"]
                )
                if s.trigger_id == appointment.id
            )
            p = client_propensity(appointment.client_id, seed) * REMINDER_EFFECT**reminders
            status = "noshow" if rng.random() < p else "fulfilled"
            noshows += status == "noshow"
            ehr.record_attendance(appointment.id, status, request_id=f"sim-attend:{appointment.id}")
            if status == "fulfilled":
                scheduler.plan(now, client_ids=[appointment.client_id])
        result = scheduler.run_due(now)
        for name, counter in report_counters.items():
            counter.update(getattr(result, name))
        totals.update(result.sent)
        if 9 <= local.hour < 17 and local.weekday() < 5:
            approved += _review_outreach(scheduler, queue, now)
        alerts += _clients_answer(collector, store, seed, now)
        _clients_do_paperwork(ehr, store, seed, now)
        scheduler.write_digests(now)

    return _report(
        days=days,
        clients=len(clients),
        started=started,
        ehr=ehr,
        db=db,
        store=store,
        queue=queue,
        config=config,
        approved=approved,
        alerts=alerts,
        seen=seen,
        noshows=noshows,
        counters=report_counters,
        blocked_since=blocked_since,
    )


def _practice_day(
    ehr: PracticeEvents,
    day: int,
    opt_out_day: dict[str, int],
    close_day: dict[str, int],
    today: date,
) -> None:
    for client_id, when in opt_out_day.items():
        if when == day:
            for channel in ("portal", "sms", "email"):
                ehr.set_channel_opt_out(
                    client_id, channel, True, request_id=f"sim-optout:{client_id}:{channel}"
                )
    for client_id, when in close_day.items():
        if when == day:
            for episode in ehr.episodes(client_id):
                if episode.status == "open" and not episode.part2:
                    ehr.close_episode(episode.id, today)


def _review_outreach(scheduler: OutreachScheduler, queue: ReviewQueue, now: datetime) -> int:
    """A clinician works the outreach drafts in the queue (inbound items are not ours)."""
    done = 0
    for item in queue.pending(limit=500):
        if not item.source.startswith("outreach:") or item.kind != "draft":
            continue
        try:
            scheduler.decide(
                item.id, ReviewDecision(type="accept", reviewer_id="sim-clinician"), now
            )
            done += 1
        except (AlreadyDecided, LookupError, EHRError):
            continue
    return done


def _clients_answer(
    collector: AssessmentCollector, store: OutreachStore, seed: int, now: datetime
) -> int:
    """Clients open the forms they were sent: 70% answer within 1-3 days, the rest never."""
    alerts = 0
    for form in store.all_forms():
        if form["status"] != "open":
            continue
        issued = datetime.fromisoformat(form["issued_at"])
        chooser = random.Random(f"{seed}:{form['send_key']}")
        delay = timedelta(hours=chooser.randint(10, 72))
        if (
            chooser.random() > 0.7
            or now < issued + delay
            or now - (issued + delay) >= timedelta(hours=1)
        ):
            continue
        items = 9 if form["instrument"] == "phq9" else 7 if form["instrument"] == "gad7" else 21
        level = chooser.choice((0, 0, 1, 1, 2))
        answers = {
            i: max(0, min(3, level + chooser.choice((-1, 0, 0, 1)))) for i in range(1, items + 1)
        }
        if form["instrument"] == "phq9":
            answers[9] = 1 if chooser.random() < 0.04 else 0
        try:
            outcome = collector.submit(form["token"], Submission(answers=answers), now=now)
        except (FormUnavailable, EHRError):
            continue
        alerts += outcome.alert_id is not None
    return alerts


def _clients_do_paperwork(
    ehr: PracticeEvents, store: OutreachStore, seed: int, now: datetime
) -> None:
    """After an onboarding message, a client completes each form with 40% chance per message."""
    for send in store.sends(workflow="onboarding", statuses=["sent"]):
        if send.counted_at is None or not now - timedelta(hours=1) < send.counted_at <= now:
            continue
        for form in ehr.outstanding_forms(send.client_id):
            if (
                form.status == "outstanding"
                and random.Random(f"{seed}:{send.key}:{form.id}").random() < 0.4
            ):
                ehr.complete_form(form.id)


def _report(
    *,
    days,
    clients,
    started,
    ehr,
    db,
    store,
    queue,
    config,
    approved,
    alerts,
    seen,
    noshows,
    counters,
    blocked_since,
) -> SimulationReport:
    from agent.store.audit import AuditLog

    sent = store.sends(statuses=["sent"])
    by_client: dict[str, list[datetime]] = {}
    quiet = without_consent = 0
    client_cache = {c.id: c for c in ehr.list_clients()}
    for send in sent:
        client = client_cache.get(send.client_id) or ehr.get_client(send.client_id)
        assert send.counted_at is not None
        if in_quiet_hours(client, send.counted_at):
            quiet += 1
        since = blocked_since.get(send.client_id)
        if since is not None and send.counted_at >= since:
            without_consent += 1
        by_client.setdefault(send.client_id, []).append(send.counted_at)
    counted = store.sends(statuses=["sent", "in_review", "approved"])
    cap_times: dict[str, list[datetime]] = {}
    for send in counted:
        if send.counted_at:
            cap_times.setdefault(send.client_id, []).append(send.counted_at)
    violations = 0
    for times in cap_times.values():
        times.sort()
        for t in times:
            day = sum(1 for u in times if t - timedelta(days=1) < u <= t)
            week = sum(1 for u in times if t - timedelta(days=7) < u <= t)
            violations += day > config.cap.per_day or week > config.cap.per_week
    message_ids = [s.message_id for s in sent]
    tasks = Counter(item.source for item in queue.pending(limit=5000) if item.kind == "handoff")
    reminders = [s for s in sent if s.workflow == "reminders"]
    return SimulationReport(
        days=days,
        clients=clients,
        wall_seconds=round(wall.perf_counter() - started, 1),
        sent_by_workflow=dict(sorted(Counter(s.workflow for s in sent).items())),
        approved_by_reviewer=approved,
        auto_sent=sum(1 for s in sent if s.approved_by is None),
        in_review_left=len([i for i in queue.pending(limit=5000) if i.kind == "draft"]),
        suppressed=dict(counters["suppressed"]),
        skipped=dict(counters["skipped"]),
        expired=dict(counters["expired"]),
        deferred=dict(counters["deferred"]),
        staff_tasks=dict(tasks),
        assessment_alerts=alerts,
        appointments_seen=seen,
        noshows=noshows,
        sends_in_quiet_hours=quiet,
        sends_without_consent=without_consent,
        cap_violations=violations,
        duplicate_sends=len(message_ids) - len(set(message_ids)),
        reminders_front_desk_spared=len(reminders),
        audit_chain_ok=AuditLog(db).verify().ok,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 31:
        parser.error("--days: between 1 and 31")
    report = run(days=args.days, seed=args.seed)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        for key, value in report.model_dump().items():
            print(f"{key:30} {value}")
    ok = (
        not (
            report.sends_in_quiet_hours
            or report.sends_without_consent
            or report.cap_violations
            or report.duplicate_sends
        )
        and report.audit_chain_ok
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
