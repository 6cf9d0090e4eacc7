"""The review queue: drafts and staff hand-offs waiting for a human, and the decisions on them.

One item per graph turn (inbound) or outbound touchpoint (outreach): enqueueing the same
`turn_id` twice returns the first item. Everything a reviewer reads — the client's message, the
draft, guard findings, sources, tool results — is PHI and sits in one encrypted payload; the plain
columns (ids, intents, priority, status) are what the queue sorts and scopes by.

A decision is two steps so a send never happens twice: `begin_decision` moves the item from
pending to deciding for exactly one reviewer (conditional UPDATE), the caller acts (resumes the
graph / sends the outreach), then `complete_decision` records the result or `abort_decision`
puts the item back with the error.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
    update,
)

from agent.store.audit import AuditLog
from agent.store.db import Database, metadata, utcnow

# Intents whose text front-desk staff may read; anything else (or no intent) is clinical.
NONCLINICAL_INTENTS = frozenset(
    {"schedule_change", "appointment_info", "billing", "forms", "practice_info"}
)
PRIORITY_URGENT, PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_LOW = 10, 30, 50, 80
_PAYLOAD_CONTEXT = "review_items.payload"
_FINAL_CONTEXT = "review_items.final_text"

ItemKind = Literal["draft", "handoff"]
ItemStatus = Literal["pending", "deciding", "decided"]
DecisionType = Literal["accept", "edit", "respond", "ignore"]

review_items = Table(
    "review_items",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("turn_id", String(420), nullable=False, unique=True),
    Column("source", String(60), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("client_id", String(80), nullable=False),
    Column("clinician_id", String(80)),
    Column("thread_id", String(420)),
    Column("message_id", String(200)),
    Column("route", String(20), nullable=False),
    Column("intents", Text, nullable=False),
    Column("clinical", Boolean, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("payload_enc", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("deciding_by", String(120)),
    Column("deciding_at", String(40)),
    Column("decision", String(20)),
    Column("decided_by", String(120)),
    Column("decided_at", String(40)),
    Column("outcome", String(40)),
    Column("final_text_enc", Text),
    Column("last_error", String(300)),
    Index("ix_review_items_queue", "status", "priority", "created_at"),
    Index("ix_review_items_client", "client_id"),
)


class ReviewNotFound(LookupError):
    """No review item has this id."""


class AlreadyDecided(RuntimeError):
    """Another reviewer took or finished this item first; nothing was changed."""


class ReviewItemIn(BaseModel):
    """What a producer (the inbound graph's outcome, an outreach workflow) puts in the queue."""

    turn_id: str = Field(min_length=1, max_length=420, description="Graph thread id / send key.")
    source: str = Field("inbound", max_length=60, description='"inbound" or "outreach:<name>".')
    kind: ItemKind = "draft"
    client_id: str = Field(min_length=1, max_length=80)
    clinician_id: str | None = None
    thread_id: str | None = None
    message_id: str | None = None
    route: str = "draft"
    intents: list[str] = Field(default_factory=list)
    clinical: bool | None = Field(
        None, description="Front desk never sees clinical items; None derives it from intents."
    )
    priority: int = PRIORITY_NORMAL
    client_message: str | None = None
    draft: str | None = None
    metadata: dict[str, Any] | None = None
    guard_findings: list[dict[str, Any]] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    tool_results: dict[str, Any] = Field(default_factory=dict)
    handoff: dict[str, Any] | None = None
    interrupt: dict[str, Any] | None = None
    notes: list[str] = Field(default_factory=list)
    routed_because: str | None = None


class ReviewItem(ReviewItemIn):
    id: str
    clinical: bool
    status: ItemStatus
    created_at: datetime
    decision: DecisionType | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    outcome: str | None = None
    final_text: str | None = None
    last_error: str | None = None


class ReviewSummary(BaseModel):
    """A queue row without PHI: what list pages and counters need."""

    id: str
    source: str
    kind: ItemKind
    client_id: str
    clinician_id: str | None
    route: str
    intents: list[str]
    clinical: bool
    priority: int
    status: ItemStatus
    created_at: datetime


_PAYLOAD_FIELDS = (
    "client_message", "draft", "metadata", "guard_findings", "sources", "tool_results",
    "handoff", "interrupt", "notes", "routed_because",
)


def is_clinical(intents: list[str]) -> bool:
    return not intents or any(intent not in NONCLINICAL_INTENTS for intent in intents)


class ReviewQueue:
    def __init__(self, db: Database):
        self.db = db
        self.audit = AuditLog(db)

    def enqueue(self, item: ReviewItemIn, *, conn: Connection | None = None) -> str:
        """Queue `item` and return its id; the same turn_id queued again returns the first id.
        Pass `conn` (from `Database.write()`) to queue it in the caller's transaction."""
        if conn is None:
            with self.db.write() as own:
                return self.enqueue(item, conn=own)
        item_id = f"rev_{uuid.uuid4().hex[:20]}"
        payload = item.model_dump(mode="json", include=set(_PAYLOAD_FIELDS))
        clinical = is_clinical(item.intents) if item.clinical is None else item.clinical
        inserted = self.db.insert_once(conn, review_items, {
            "id": item_id, "turn_id": item.turn_id, "source": item.source, "kind": item.kind,
            "client_id": item.client_id, "clinician_id": item.clinician_id,
            "thread_id": item.thread_id, "message_id": item.message_id, "route": item.route,
            "intents": json.dumps(item.intents), "clinical": clinical, "priority": item.priority,
            "payload_enc": self.db.cipher.encrypt_json(payload, context=_PAYLOAD_CONTEXT),
            "status": "pending", "created_at": utcnow().isoformat(),
        }, index=["turn_id"])
        if inserted is None:  # this turn was queued before (a re-run after a crash)
            return conn.execute(
                select(review_items.c.id).where(review_items.c.turn_id == item.turn_id)
            ).scalar_one()
        self.audit.append(actor=f"system:{item.source}", action="review.enqueue",
                          client_id=item.client_id, subject=item_id,
                          details={"kind": item.kind, "route": item.route,
                                   "intents": item.intents, "turn_id": item.turn_id},
                          conn=conn)
        return item_id

    def _id_for(self, turn_id: str) -> str | None:
        with self.db.read() as conn:
            return conn.execute(
                select(review_items.c.id).where(review_items.c.turn_id == turn_id)
            ).scalar_one_or_none()

    def get(self, item_id: str) -> ReviewItem:
        """The full item, decrypted. Callers that show it to a person audit that read."""
        with self.db.read() as conn:
            row = conn.execute(
                select(review_items).where(review_items.c.id == item_id)
            ).mappings().first()
        if row is None:
            raise ReviewNotFound(item_id)
        payload = self.db.cipher.decrypt_json(row["payload_enc"], context=_PAYLOAD_CONTEXT)
        final = (
            self.db.cipher.decrypt(row["final_text_enc"], context=_FINAL_CONTEXT)
            if row["final_text_enc"]
            else None
        )
        return ReviewItem(
            **payload, **self._plain(row), final_text=final,
            turn_id=row["turn_id"], thread_id=row["thread_id"], message_id=row["message_id"],
            decision=row["decision"], decided_by=row["decided_by"], decided_at=row["decided_at"],
            outcome=row["outcome"], last_error=row["last_error"],
        )

    def by_turn(self, turn_id: str) -> ReviewItem | None:
        item_id = self._id_for(turn_id)
        return self.get(item_id) if item_id else None

    def pending(
        self,
        *,
        client_ids: set[str] | None = None,
        include_clinical: bool = True,
        limit: int = 200,
    ) -> list[ReviewSummary]:
        """Items waiting for a decision, most urgent then oldest first, within a reviewer's scope:
        `client_ids` None = every client; `include_clinical` False = non-clinical items only."""
        if client_ids is not None and not client_ids:
            return []
        query = self._scoped(select(review_items), client_ids, include_clinical)
        query = query.where(review_items.c.status == "pending").order_by(
            review_items.c.priority, review_items.c.created_at, review_items.c.id
        )
        with self.db.read() as conn:
            rows = conn.execute(query.limit(limit)).mappings().all()
        return [ReviewSummary(**self._plain(row)) for row in rows]

    def next_for(
        self, *, client_ids: set[str] | None = None, include_clinical: bool = True,
        after: str | None = None,
    ) -> ReviewSummary | None:
        """The item a reviewer with this scope should open next (skipping `after`)."""
        for summary in self.pending(client_ids=client_ids, include_clinical=include_clinical,
                                    limit=2):
            if summary.id != after:
                return summary
        return None

    def depth(self) -> dict[str, int]:
        """Pending items by source (the /metrics queue depth)."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(review_items.c.source, func.count())
                .where(review_items.c.status == "pending")
                .group_by(review_items.c.source)
            ).all()
        return {source: count for source, count in rows}

    def begin_decision(self, item_id: str, reviewer_id: str) -> ReviewItem:
        """Reserve a pending item for one reviewer; raises AlreadyDecided for everyone else."""
        with self.db.write() as conn:
            taken = conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id, review_items.c.status == "pending")
                .values(status="deciding", deciding_by=reviewer_id,
                        deciding_at=utcnow().isoformat())
            ).rowcount
            if not taken:
                exists = conn.execute(
                    select(review_items.c.id).where(review_items.c.id == item_id)
                ).first()
                if exists is None:
                    raise ReviewNotFound(item_id)
                raise AlreadyDecided(item_id)
        return self.get(item_id)

    def complete_decision(
        self,
        item_id: str,
        *,
        decision: DecisionType,
        reviewer_id: str,
        outcome: str,
        final_text: str | None = None,
        sent_message_id: str | None = None,
    ) -> ReviewItem:
        """Record the decision and what came of it (e.g. outcome "sent"), audited."""
        with self.db.write() as conn:
            row = conn.execute(
                select(review_items.c.client_id, review_items.c.status, review_items.c.created_at)
                .where(review_items.c.id == item_id)
            ).first()
            if row is None:
                raise ReviewNotFound(item_id)
            if row.status == "decided":
                raise AlreadyDecided(item_id)
            now = utcnow()
            conn.execute(
                update(review_items).where(review_items.c.id == item_id).values(
                    status="decided", decision=decision, decided_by=reviewer_id,
                    decided_at=now.isoformat(), outcome=outcome, last_error=None,
                    final_text_enc=(
                        self.db.cipher.encrypt(final_text, context=_FINAL_CONTEXT)
                        if final_text else None
                    ),
                )
            )
            waited = (now - datetime.fromisoformat(row.created_at)).total_seconds()
            self.audit.append(actor=reviewer_id, action=f"review.{decision}",
                              client_id=row.client_id, subject=item_id,
                              details={"outcome": outcome, "sent_message_id": sent_message_id,
                                       "seconds_waiting": round(waited, 1)},
                              conn=conn)
        return self.get(item_id)

    def abort_decision(self, item_id: str, error: str) -> None:
        """Put a reserved item back in the queue with a short, PHI-free error for the reviewer."""
        with self.db.write() as conn:
            conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id, review_items.c.status == "deciding")
                .values(status="pending", deciding_by=None, deciding_at=None,
                        last_error=error[:300])
            )

    @staticmethod
    def _scoped(query, client_ids: set[str] | None, include_clinical: bool):
        if client_ids is not None:
            query = query.where(review_items.c.client_id.in_(sorted(client_ids)))
        if not include_clinical:
            query = query.where(review_items.c.clinical.is_(False))
        return query

    @staticmethod
    def _plain(row) -> dict[str, Any]:
        return {
            "id": row["id"], "source": row["source"], "kind": row["kind"],
            "client_id": row["client_id"], "clinician_id": row["clinician_id"],
            "route": row["route"], "intents": json.loads(row["intents"]),
            "clinical": row["clinical"], "priority": row["priority"], "status": row["status"],
            "created_at": row["created_at"],
        }
