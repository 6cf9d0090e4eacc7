# ruff: noqa: F811  (pytest fixtures imported from tests.test_store_backends)
"""Inbox, review queue and policy store: what workers, reviewers and admins rely on."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from agent.policy import PracticePolicy
from agent.store.audit import AuditLog
from agent.store.inbox import Inbox, inbox_events
from agent.store.policy_store import PolicyStore
from agent.store.review import (
    PRIORITY_HIGH,
    AlreadyDecided,
    ReviewItemIn,
    ReviewQueue,
    review_items,
)
from tests.test_store_backends import db, db_url, postgres_url  # noqa: F401


def _accept(inbox: Inbox, n: int) -> None:
    inbox.accept(event_id=f"evt_{n}", kind="message.created", client_id="cl_1",
                 payload={"text": f"hello {n}"}, thread_id="th_1", message_id=f"m{n}")


# --- inbox -------------------------------------------------------------------------------------
def test_redelivered_event_is_a_duplicate_and_changes_nothing(db):
    inbox = Inbox(db)
    first = inbox.accept(event_id="evt_1", kind="message.created", client_id="cl_1",
                         payload={"text": "original"})
    again = inbox.accept(event_id="evt_1", kind="message.created", client_id="cl_1",
                         payload={"text": "tampered redelivery"})
    assert not first.duplicate and again.duplicate and again.seq == first.seq
    assert inbox.get("evt_1").payload == {"text": "original"}
    with db.read() as conn:
        assert "original" not in conn.execute(select(inbox_events.c.payload_enc)).scalar_one()


def test_claim_leases_oldest_first_and_expired_lease_is_reclaimed(db):
    inbox = Inbox(db)
    for n in range(2):
        _accept(inbox, n)
    first = inbox.claim("w1", lease_s=60)
    second = inbox.claim("w2", lease_s=60)
    assert (first.event_id, second.event_id) == ("evt_0", "evt_1")
    assert inbox.claim("w3", lease_s=60) is None
    # w1 "crashes": its lease expires and another worker picks the event up.
    with db.write() as conn:
        conn.execute(update(inbox_events).where(inbox_events.c.event_id == "evt_0")
                     .values(lease_expires=0))
    retaken = inbox.claim("w3", lease_s=60)
    assert retaken.event_id == "evt_0" and retaken.attempts == 2
    assert inbox.complete("evt_0", "w1", outcome="late") is False  # stale owner cannot finish
    assert inbox.complete("evt_0", "w3", outcome="draft") is True
    assert inbox.get("evt_0").status == "done"


def test_poison_event_is_parked_after_max_attempts_and_can_be_requeued(db):
    inbox = Inbox(db)
    _accept(inbox, 0)
    statuses = []
    for attempt in range(3):
        with db.write() as conn:  # skip the retry backoff
            conn.execute(update(inbox_events).values(available_at=0))
        event = inbox.claim(f"w{attempt}", lease_s=60)
        statuses.append(inbox.fail(event.event_id, f"w{attempt}", error="ValueError: bad",
                                   max_attempts=3))
    assert statuses == ["queued", "queued", "parked"]
    parked = inbox.parked()
    assert [e.event_id for e in parked] == ["evt_0"] and parked[0].last_error == "ValueError: bad"
    with db.write() as conn:
        conn.execute(update(inbox_events).values(available_at=0))
    assert inbox.claim("w9", lease_s=60) is None  # parked is never retried on its own
    assert inbox.requeue("evt_0") and inbox.claim("w9", lease_s=60).event_id == "evt_0"


def test_concurrent_claims_never_hand_one_event_to_two_workers(db):
    inbox = Inbox(db)
    for n in range(30):
        _accept(inbox, n)
    claimed: list[str] = []
    lock = threading.Lock()

    def work(worker: str) -> None:
        while (event := inbox.claim(worker, lease_s=60)) is not None:
            with lock:
                claimed.append(event.event_id)
            inbox.complete(event.event_id, worker, outcome="ok")

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claimed) == sorted(f"evt_{n}" for n in range(30))
    assert Inbox(db).counts() == {"done": 30}


# --- review queue ------------------------------------------------------------------------------
def _item(turn: str, client: str = "cl_1", intents=("billing",), priority: int = 50):
    return ReviewItemIn(turn_id=turn, client_id=client, clinician_id="dr_1",
                        thread_id=turn, message_id=f"m_{turn}", intents=list(intents),
                        priority=priority, client_message="Can I pay my bill online?",
                        draft="Yes, through the portal.", sources=["billing.md#payments"])


def test_enqueue_is_idempotent_and_payload_encrypted(db):
    queue = ReviewQueue(db)
    first = queue.enqueue(_item("t1"))
    assert queue.enqueue(_item("t1")) == first
    with db.read() as conn:
        raw = conn.execute(select(review_items.c.payload_enc)).scalar_one()
    assert "pay my bill" not in raw
    item = queue.get(first)
    assert item.draft == "Yes, through the portal." and item.sources == ["billing.md#payments"]


def test_queue_orders_by_priority_then_age_and_scopes_by_role(db):
    queue = ReviewQueue(db)
    a = queue.enqueue(_item("t1", client="cl_1"))
    b = queue.enqueue(_item("t2", client="cl_2", intents=("clinical",)))
    c = queue.enqueue(_item("t3", client="cl_1", priority=PRIORITY_HIGH))
    assert [s.id for s in queue.pending()] == [c, a, b]
    assert [s.id for s in queue.pending(client_ids={"cl_2"})] == [b]
    # Front desk: non-clinical only; an item with no intents counts as clinical.
    queue.enqueue(_item("t4", client="cl_3", intents=()))
    assert [s.id for s in queue.pending(include_clinical=False)] == [c, a]
    assert queue.next_for(client_ids={"cl_1"}, after=c).id == a


def test_only_one_reviewer_can_take_an_item_and_decisions_are_audited(db):
    queue = ReviewQueue(db)
    item_id = queue.enqueue(_item("t1"))
    queue.begin_decision(item_id, "staff:dr_1")
    with pytest.raises(AlreadyDecided):
        queue.begin_decision(item_id, "staff:dr_2")
    assert queue.pending() == []
    done = queue.complete_decision(item_id, decision="edit", reviewer_id="staff:dr_1",
                                   outcome="sent", final_text="Yes - use the Billing tab.")
    assert done.status == "decided" and done.final_text == "Yes - use the Billing tab."
    actions = [e.action for e in AuditLog(db).search()]
    assert actions == ["review.edit", "review.enqueue"]


def test_aborted_decision_returns_item_with_error(db):
    queue = ReviewQueue(db)
    item_id = queue.enqueue(_item("t1"))
    queue.begin_decision(item_id, "staff:dr_1")
    queue.abort_decision(item_id, "EHRUnavailable: timeout")
    item = queue.get(item_id)
    assert item.status == "pending" and item.last_error == "EHRUnavailable: timeout"


# --- policy ------------------------------------------------------------------------------------
def test_policy_defaults_then_versions_with_audited_saves(db):
    store = PolicyStore(db)
    assert store.current() == PracticePolicy()
    changed = PracticePolicy(intent_allowlist=["billing"], safety_message_enabled=True)
    assert store.save(changed, actor="staff:admin") == 1
    assert store.save(changed.model_copy(update={"allowed_link_domains": ["example.org"]}),
                      actor="staff:admin") == 2
    assert store.current().allowed_link_domains == ["example.org"]
    assert [v.version for v in store.history()] == [2, 1]
    entry = AuditLog(db).search(action="policy.save")[-1]
    assert entry.details == {"changed": ["intent_allowlist"]}


def test_policy_save_revalidates(db):
    bad = PracticePolicy.model_construct(**{**PracticePolicy().model_dump(),
                                            "intent_allowlist": ["clinical"]})
    with pytest.raises(ValueError, match="never get an AI draft"):
        PolicyStore(db).save(bad, actor="staff:admin")
    assert PolicyStore(db).latest() is None


def test_sqlite_writer_waits_for_another_processes_lock_then_commits(tmp_path):
    """Our own lock polling (instead of SQLite's growing sleeps) still waits, never fails early."""
    import sqlite3

    from agent.store.db import Database

    path = tmp_path / "locked.db"
    db = Database(f"sqlite:///{path}")
    db.create_all()
    other = sqlite3.connect(path, isolation_level=None)  # as another process would
    other.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def write() -> None:
        AuditLog(db).append(actor="system:test", action="lock.wait")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.3)  # blocked while the other writer holds the lock
    other.execute("COMMIT")
    writer.join(timeout=10)
    assert done.is_set() and AuditLog(db).verify().checked == 1
    other.close()
    db.dispose()
