"""The inbound inbox: every accepted webhook event, durable before the EHR gets its 2xx.

An event is inserted once (idempotent on the EHR's event id: a redelivery changes nothing), then
claimed by one worker under a lease, and finished as done — or, after `max_attempts` failures,
parked with its error for an admin. A worker that dies mid-event leaves its lease to expire and
another worker (or the restarted process) claims the event again, so nothing accepted is lost.
Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL (N worker processes never block or double-claim)
and the database write lock on SQLite. The event body (the client's text) is encrypted.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    func,
    or_,
    select,
    update,
)

from agent.store.db import Database, metadata, utcnow

EventStatus = Literal["queued", "processing", "done", "parked"]
_PAYLOAD_CONTEXT = "inbox_events.payload"
RETRY_BACKOFF_S = (2.0, 10.0, 60.0)

inbox_events = Table(
    "inbox_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("event_id", String(200), nullable=False, unique=True),
    Column("kind", String(60), nullable=False),
    Column("client_id", String(80), nullable=False),
    Column("thread_id", String(200)),
    Column("message_id", String(200)),
    Column("payload_enc", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("available_at", Float, nullable=False),
    Column("lease_owner", String(120)),
    Column("lease_expires", Float),
    Column("crisis", String(20)),
    Column("alert_id", String(40)),
    Column("last_error", String(300)),
    Column("outcome", String(60)),
    Column("finished_at", String(40)),
    Index("ix_inbox_events_claim", "status", "available_at"),
)


class InboxEvent(BaseModel):
    seq: int
    event_id: str
    kind: str
    client_id: str
    thread_id: str | None
    message_id: str | None
    payload: dict[str, Any]
    received_at: datetime
    status: EventStatus
    attempts: int
    crisis: str | None
    alert_id: str | None
    last_error: str | None
    outcome: str | None


class Acceptance(BaseModel):
    """What `accept` did: `duplicate` True means the event id was already in the inbox."""

    seq: int
    duplicate: bool
    status: EventStatus
    alert_id: str | None = None


class Inbox:
    def __init__(self, db: Database):
        self.db = db

    def accept(
        self,
        *,
        event_id: str,
        kind: str,
        client_id: str,
        payload: dict[str, Any],
        thread_id: str | None = None,
        message_id: str | None = None,
        crisis: str | None = None,
        alert_id: str | None = None,
        conn: Connection | None = None,
    ) -> Acceptance:
        """Durably store a new event, or report the duplicate (the stored row is unchanged).

        `crisis` is the inline screen's verdict ("none" or a severity) and `alert_id` its alert;
        pass `conn` (from `Database.write()`) to commit the event with its alert atomically.
        """
        if conn is None:
            with self.db.write() as own:
                return self.accept(event_id=event_id, kind=kind, client_id=client_id,
                                   payload=payload, thread_id=thread_id, message_id=message_id,
                                   crisis=crisis, alert_id=alert_id, conn=own)
        seq = self.db.insert_once(conn, inbox_events, {
            "event_id": event_id, "kind": kind, "client_id": client_id, "thread_id": thread_id,
            "message_id": message_id,
            "payload_enc": self.db.cipher.encrypt_json(payload, context=_PAYLOAD_CONTEXT),
            "received_at": utcnow().isoformat(), "status": "queued", "attempts": 0,
            "available_at": time.time(), "crisis": crisis, "alert_id": alert_id,
        }, index=["event_id"])
        if seq is not None:
            return Acceptance(seq=seq, duplicate=False, status="queued", alert_id=alert_id)
        row = conn.execute(
            select(inbox_events.c.seq, inbox_events.c.status, inbox_events.c.alert_id)
            .where(inbox_events.c.event_id == event_id)
        ).one()
        return Acceptance(seq=row.seq, duplicate=True, status=row.status, alert_id=row.alert_id)

    def claim(self, worker_id: str, *, lease_s: float) -> InboxEvent | None:
        """Lease the oldest available event to `worker_id`, or None when nothing is due."""
        now = time.time()
        due = or_(
            and_(inbox_events.c.status == "queued", inbox_events.c.available_at <= now),
            and_(inbox_events.c.status == "processing", inbox_events.c.lease_expires < now),
        )
        query = select(inbox_events.c.seq).where(due).order_by(inbox_events.c.seq).limit(1)
        if self.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self.db.write() as conn:
            seq = conn.execute(query).scalar_one_or_none()
            if seq is None:
                return None
            conn.execute(
                update(inbox_events).where(inbox_events.c.seq == seq).values(
                    status="processing", attempts=inbox_events.c.attempts + 1,
                    lease_owner=worker_id, lease_expires=now + lease_s,
                )
            )
            row = conn.execute(select(inbox_events).where(inbox_events.c.seq == seq)).mappings()
            return self._to_model(row.one())

    def complete(self, event_id: str, worker_id: str, *, outcome: str,
                 conn: Connection | None = None) -> bool:
        """Finish an event; False if this worker's lease was lost (another worker owns it now).
        Pass `conn` (from `Database.write()`) to finish it in the caller's transaction."""
        if conn is None:
            with self.db.write() as own:
                return self.complete(event_id, worker_id, outcome=outcome, conn=own)
        return bool(conn.execute(
            update(inbox_events)
            .where(inbox_events.c.event_id == event_id,
                   inbox_events.c.lease_owner == worker_id,
                   inbox_events.c.status == "processing")
            .values(status="done", outcome=outcome[:60], lease_owner=None,
                    lease_expires=None, finished_at=utcnow().isoformat(), last_error=None)
        ).rowcount)

    def fail(self, event_id: str, worker_id: str, *, error: str, max_attempts: int) -> EventStatus:
        """Record a failed try: back to the queue with backoff, or parked after max_attempts."""
        with self.db.write() as conn:
            row = conn.execute(
                select(inbox_events.c.attempts).where(inbox_events.c.event_id == event_id,
                                                      inbox_events.c.lease_owner == worker_id)
            ).first()
            if row is None:
                return "processing"  # lease lost; the new owner decides
            parked = row.attempts >= max_attempts
            backoff = RETRY_BACKOFF_S[min(row.attempts, len(RETRY_BACKOFF_S)) - 1]
            status: EventStatus = "parked" if parked else "queued"
            conn.execute(
                update(inbox_events).where(inbox_events.c.event_id == event_id).values(
                    status=status, lease_owner=None, lease_expires=None,
                    available_at=time.time() + backoff, last_error=error[:300],
                )
            )
            return status

    def requeue(self, event_id: str) -> bool:
        """An admin sends a parked event round again (attempts reset)."""
        with self.db.write() as conn:
            return bool(conn.execute(
                update(inbox_events)
                .where(inbox_events.c.event_id == event_id, inbox_events.c.status == "parked")
                .values(status="queued", attempts=0, available_at=time.time())
            ).rowcount)

    def get(self, event_id: str) -> InboxEvent | None:
        with self.db.read() as conn:
            row = conn.execute(
                select(inbox_events).where(inbox_events.c.event_id == event_id)
            ).mappings().first()
        return self._to_model(row) if row else None

    def parked(self, limit: int = 100) -> list[InboxEvent]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(inbox_events).where(inbox_events.c.status == "parked")
                .order_by(inbox_events.c.seq).limit(limit)
            ).mappings().all()
        return [self._to_model(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Events by status (queue depth for /metrics and /readyz)."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(inbox_events.c.status, func.count()).group_by(inbox_events.c.status)
            ).all()
        return {status: count for status, count in rows}

    def _to_model(self, row) -> InboxEvent:
        return InboxEvent(
            seq=row["seq"], event_id=row["event_id"], kind=row["kind"],
            client_id=row["client_id"], thread_id=row["thread_id"],
            message_id=row["message_id"],
            payload=self.db.cipher.decrypt_json(row["payload_enc"], context=_PAYLOAD_CONTEXT),
            received_at=row["received_at"], status=row["status"], attempts=row["attempts"],
            crisis=row["crisis"], alert_id=row["alert_id"], last_error=row["last_error"],
            outcome=row["outcome"],
        )


def error_summary(exc: BaseException) -> str:
    """A PHI-free description of a failure: the exception type and, for our own typed errors
    whose messages carry ids only, the message (json-escaped, truncated)."""
    text = f"{type(exc).__module__}.{type(exc).__name__}"
    if type(exc).__module__.startswith(("agent.", "tools.")):
        text += ": " + json.dumps(str(exc))[1:-1]
    return text[:300]
