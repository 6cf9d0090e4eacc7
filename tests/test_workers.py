# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""Workers: outcomes land in the review queue, poison messages reach a human, a killed server loses
nothing, and two worker processes on one PostgreSQL process every event exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from agent.store.alerts import AlertStore
from agent.store.inbox import Inbox, inbox_events
from agent.store.review import ReviewQueue
from tests.test_server_fakes import (  # noqa: F401
    crisis_screen,
    encode,
    message_event,
    sandbox_template,
    server_settings,
    services,
    signed,
)
from tests.test_store_backends import db_url, postgres_url  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
CLIENT = "cl-0001"


def _accept(services, text: str, **kw) -> str:
    ingress = services.ingress()
    event = message_event(CLIENT, text, **kw)
    body = encode(event)
    headers = {k.lower(): v for k, v in signed(services.settings, body).items()}
    ingress.receive(body, headers, time.perf_counter())
    return event["event_id"]


def test_draft_and_handoff_reach_the_queue_crisis_does_not(services):
    pool = services.worker_pool(threads=0)
    draft = _accept(services, "How do I pay my bill?")
    handoff = _accept(services, "Can I take a double dose tonight?")
    crisis = _accept(services, "I keep thinking about ending my life")
    while pool.run_once():
        pass
    inbox = Inbox(services.db)
    assert {inbox.get(e).outcome for e in (draft, handoff, crisis)} == {
        "draft:awaiting_review", "handoff:handed_off", "crisis:escalated"}
    items = {i.route: i for i in ReviewQueue(services.db).pending()}
    assert set(items) == {"draft", "handoff"}
    draft_item = ReviewQueue(services.db).get(items["draft"].id)
    assert draft_item.draft and draft_item.interrupt and draft_item.clinician_id == "clin-reyes"
    assert draft_item.client_message == "How do I pay my bill?"
    assert ReviewQueue(services.db).get(items["handoff"].id).kind == "handoff"
    assert len(AlertStore(services.db).list_open()) == 1


def test_intake_crisis_never_becomes_a_draft_even_if_the_graph_disagrees(services):
    """The graph (here scripted) routes this text to a draft; intake's screen flagged it, so
    the clinician gets a reply-yourself item with no draft, at the top of the queue."""
    pool = services.worker_pool(threads=0)
    _accept(services, "How do I pay my bill? Honestly I want to die.")
    assert Inbox(services.db).counts() == {"queued": 1}
    pool.run_once()
    [summary] = ReviewQueue(services.db).pending()
    item = ReviewQueue(services.db).get(summary.id)
    assert item.kind == "handoff" and item.draft is None and item.interrupt is None
    assert "crisis" in item.intents and "flagged" in item.routed_because
    assert len(AlertStore(services.db).list_open()) == 1


def test_poison_message_is_parked_and_handed_to_its_clinician(services):
    pool = services.worker_pool(threads=0)
    event_id = _accept(services, "POISON please help")
    for _ in range(services.settings.worker_max_attempts):
        with services.db.write() as conn:  # skip the retry backoff
            conn.execute(update(inbox_events).values(available_at=0))
        assert pool.run_once() == event_id
    parked = Inbox(services.db).get(event_id)
    assert parked.status == "parked" and "ValueError" in parked.last_error
    assert pool.run_once() is None
    [item] = ReviewQueue(services.db).pending()
    full = ReviewQueue(services.db).get(item.id)
    assert full.kind == "handoff" and full.client_message == "POISON please help"
    assert "could not process" in full.routed_because


def test_a_review_item_that_cannot_be_stored_leaves_the_event_undone(services, monkeypatch):
    """The item and "done" commit together: if the item cannot be written, the event is not
    done but retried like any failure, so the message still reaches a person."""
    pool = services.worker_pool(threads=0)
    event_id = _accept(services, "How do I pay my bill?")
    real_enqueue = ReviewQueue.enqueue

    def broken(self, item, *, conn=None):
        if conn is not None:  # the worker's combined write; the hand-off path still works
            raise RuntimeError("disk full")
        return real_enqueue(self, item, conn=conn)

    monkeypatch.setattr(ReviewQueue, "enqueue", broken)
    assert pool.run_once() == event_id
    failed = Inbox(services.db).get(event_id)
    assert failed.status == "queued" and failed.attempts == 1
    assert "RuntimeError" in failed.last_error and ReviewQueue(services.db).pending() == []
    monkeypatch.setattr(ReviewQueue, "enqueue", real_enqueue)
    with services.db.write() as conn:  # skip the retry backoff
        conn.execute(update(inbox_events).values(available_at=0))
    assert pool.run_once() == event_id
    assert Inbox(services.db).get(event_id).status == "done"
    assert [item.route for item in ReviewQueue(services.db).pending()] == ["draft"]


def test_redelivered_event_runs_the_graph_once(services):
    event = message_event(CLIENT, "How do I pay my bill?")
    body = encode(event)
    ingress = services.ingress()
    for _ in range(5):
        headers = {k.lower(): v for k, v in signed(services.settings, body).items()}
        ingress.receive(body, headers, time.perf_counter())
    pool = services.worker_pool(threads=0)
    while pool.run_once():
        pass
    assert services.assistant().runs == [event["event_id"]]
    assert len(ReviewQueue(services.db).pending()) == 1


# --- separate processes ------------------------------------------------------------------------
_PROCESS = textwrap.dedent("""
    import os, sys, time, signal, threading
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from agent.settings import Settings
    from agent.server.app import Services, create_app
    from agent.safety.crisis import CrisisResult, CrisisScreen, WordReading
    from tests.test_server_fakes import ScriptedAssistant

    class NoCrisis(CrisisScreen):  # the recovery tests are about the queue, not the screen
        def read(self, text):
            return WordReading(text, CrisisResult(crisis=False, severity=None, categories=[],
                                                  evidence=[]))

    settings = Settings()
    assistant = ScriptedAssistant(log_path=Path(os.environ["RUN_LOG"]),
                                  delay_s=float(os.environ["DELAY_S"]))
    services = Services.build(settings, crisis_screen=NoCrisis(semantic=False),
                              assistant_factory=lambda: assistant)
    Path(os.environ["READY_FILE"]).touch()
    go = Path(os.environ["GO_FILE"])
    while not go.exists():
        time.sleep(0.05)
    if os.environ.get("MODE") == "server":
        import uvicorn
        uvicorn.run(create_app(services), host="127.0.0.1", port=int(os.environ["PORT"]),
                    log_level="warning")
    else:
        pool = services.worker_pool(threads=2)
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        pool.start()
        done.wait()
        pool.stop()
""")


def _spawn(tmp_path: Path, settings, *, mode: str, log: Path, port: int = 0,
           lease_s: float = 2.0, delay_s: float = 0.05) -> subprocess.Popen:
    script = tmp_path / "process.py"
    script.write_text(_PROCESS.format(root=str(ROOT)))
    env = {**os.environ, "PRACTICE_DATA_DIR": str(settings.data_dir),
           "PRACTICE_DATABASE_URL": settings.resolved_database_url,
           "PRACTICE_WEBHOOK_SECRET": "test-secret-1", "PRACTICE_WORKER_THREADS": "2",
           "PRACTICE_WORKER_LEASE_S": str(lease_s),
           "PRACTICE_FIELD_ENCRYPTION_KEY": settings.field_encryption_key.get_secret_value(),
           "RUN_LOG": str(log), "GO_FILE": str(tmp_path / "go"), "MODE": mode, "PORT": str(port),
           "READY_FILE": str(tmp_path / f"ready-{log.stem}"), "DELAY_S": str(delay_s)}
    return subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runs(log: Path) -> list[str]:
    return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def shared_settings(server_settings):
    """Settings a child process can reproduce from env (explicit field key)."""
    import base64

    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    from pydantic import SecretStr

    return server_settings.model_copy(update={"field_encryption_key": SecretStr(key)})


@pytest.mark.slow
def test_killed_server_loses_no_accepted_event(tmp_path, shared_settings):
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database

    settings = shared_settings
    db = Database(settings.resolved_database_url,
                  cipher=FieldCipher.from_settings(settings))
    db.create_all()
    log, port = tmp_path / "runs.log", _free_port()
    server = _spawn(tmp_path, settings, mode="server", log=log, port=port, delay_s=0.5)
    (tmp_path / "go").touch()
    url = f"http://127.0.0.1:{port}/webhooks/ehr"
    accepted: list[str] = []
    undelivered: list[bytes] = []
    try:
        with httpx.Client(timeout=5) as http:
            assert _wait(lambda: _up(http, port), 120), server.stderr.read1().decode()[-2000:]
            for n in range(40):
                body = encode(message_event(CLIENT, f"How do I pay bill {n}?"))
                if n == 12:  # kill -9 mid-stream, while workers are busy
                    server.send_signal(signal.SIGKILL)
                    server.wait(timeout=30)
                try:
                    response = http.post(url, content=body, headers=signed(settings, body))
                    assert response.status_code == 202
                    accepted.append(response.json()["event_id"])
                except httpx.TransportError:
                    undelivered.append(body)
        done_before_kill = Inbox(db).counts().get("done", 0)
        assert len(accepted) == 12 and done_before_kill < 12  # work was really in flight
        server = _spawn(tmp_path, settings, mode="server", log=log, port=port, delay_s=0.05)
        with httpx.Client(timeout=5) as http:
            assert _wait(lambda: _up(http, port), 120)
            for body in undelivered:  # the EHR redelivers what was never acknowledged
                response = http.post(url, content=body, headers=signed(settings, body))
                assert response.status_code == 202
                accepted.append(response.json()["event_id"])
        assert _wait(lambda: Inbox(db).counts() == {"done": 40}, 120), Inbox(db).counts()
    finally:
        server.terminate()
        server.wait(timeout=30)
    runs = Counter(_runs(log))
    assert set(runs) == set(accepted) and len(accepted) == 40
    # Only events in flight at the kill ran twice (at most one per worker thread), and the
    # queue holds exactly one item per event: the second run changed nothing.
    assert sum(count - 1 for count in runs.values()) <= 2
    assert len(ReviewQueue(db).pending()) == 40
    db.dispose()


def _up(http: httpx.Client, port: int) -> bool:
    try:
        return http.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_worker_processes_on_one_postgres_process_each_event_once(tmp_path,
                                                                      shared_settings):
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database

    settings = shared_settings
    db = Database(settings.resolved_database_url, cipher=FieldCipher.from_settings(settings))
    db.create_all()
    inbox = Inbox(db)
    events = [f"evt-pg-{n}" for n in range(60)]
    for event_id in events:
        event = message_event(CLIENT, "How do I pay my bill?", event_id=event_id)
        inbox.accept(event_id=event_id, kind="message.created", client_id=CLIENT,
                     payload=event, thread_id="th-test", message_id=f"msg-{event_id}")
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [_spawn(tmp_path, settings, mode="worker", log=log, lease_s=60) for log in logs]
    try:
        # Start both at once, so the claims really race.
        assert _wait(lambda: all((tmp_path / f"ready-{log.stem}").exists() for log in logs), 120)
        (tmp_path / "go").touch()
        assert _wait(lambda: inbox.counts() == {"done": 60}, 180), inbox.counts()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    per_worker = [_runs(log) for log in logs]
    runs = Counter(per_worker[0] + per_worker[1])
    assert set(runs) == set(events) and set(runs.values()) == {1}
    assert all(per_worker), "both worker processes took events"
    assert len(ReviewQueue(db).pending()) == 60
    db.dispose()
