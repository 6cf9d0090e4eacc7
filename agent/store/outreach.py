"""Outreach persistence: every planned outbound message (one row per deterministic send key), the
assessment forms handed out, resource engagement, wellness-program enrollments and digests.

The send key (workflow, client, trigger, step) is the primary key, so planning the same message
twice — by a retried tick, a restarted scheduler, or a second worker process — inserts nothing.
A send moves pending -> claimed (leased) -> sent | in_review | shadowed | suppressed | expired;
an expired lease is claimable again, and the EHR write uses the key as its request id, so a crash
between the EHR write and the status update never sends twice. Message bodies are encrypted.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    Connection,
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
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from agent.store.db import Database, metadata

SendStatus = Literal[
    "pending",  # planned, waiting for its due time
    "claimed",  # a scheduler holds it (lease); a lapsed lease makes it claimable again
    "approved",  # a reviewer approved the body; delivered on the next pass (quiet hours apply)
    "sent",
    "in_review",  # waiting for a clinician
    "shadowed",  # rollout mode shadow: drafted and kept, never offered or sent
    "suppressed",  # a contact rule forbids it (consent, opt-out, workflow off...)
    "skipped",  # its trigger no longer holds (appointment cancelled, form done...)
    "expired",  # could not go out while it was still useful
]
# Statuses a send never leaves.
FINAL_STATUSES = ("sent", "shadowed", "suppressed", "skipped", "expired")
# Statuses that use up a client's frequency-cap capacity at `counted_at`.
COUNTED_STATUSES = ("sent", "in_review", "approved")
_BODY_CONTEXT = "outreach_sends.body"
_FEEDBACK_CONTEXT = "outreach_resource_events.feedback"
_DIGEST_CONTEXT = "outreach_digests.body"

outreach_sends = Table(
    "outreach_sends",
    metadata,
    Column("key", String(240), primary_key=True),
    Column("workflow", String(40), nullable=False),
    Column("client_id", String(80), nullable=False),
    Column("trigger_id", String(120), nullable=False),
    Column("step", String(40), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("due_at", String(40), nullable=False),
    Column("expires_at", String(40)),
    Column("status", String(20), nullable=False),
    Column("reason", String(80)),
    Column("lease_until", String(40)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("channel", String(20)),
    Column("recipient", String(20)),
    Column("template", String(80)),
    Column("body_enc", Text),
    Column("thread_id", String(120)),
    Column("message_id", String(120)),
    Column("review_id", String(80)),
    # Set when a reviewer approved the send: its body is then final and is delivered as is.
    Column("approved_by", String(120)),
    Column("counted_at", String(40)),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("ix_outreach_sends_due", "status", "due_at"),
    Index("ix_outreach_sends_client", "client_id", "counted_at"),
    Index("ix_outreach_sends_review", "review_id"),
    Index("ix_outreach_sends_message", "message_id"),
)

outreach_forms = Table(
    "outreach_forms",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("send_key", String(240), nullable=False, unique=True),
    Column("client_id", String(80), nullable=False),
    Column("instrument", String(20), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # open | completed | expired
    Column("completed_at", String(40)),
    Column("result_id", String(120)),
    Column("flags", Text),
    Index("ix_outreach_forms_client", "client_id", "instrument"),
)

outreach_resource_events = Table(
    "outreach_resource_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("send_key", String(240), nullable=False),
    Column("client_id", String(80), nullable=False),
    Column("resource_id", String(80), nullable=False),
    Column("event", String(20), nullable=False),  # sent | opened | completed | feedback
    Column("at", String(40), nullable=False),
    Column("feedback_enc", Text),
    Index("ix_outreach_resource_client", "client_id", "resource_id"),
)

outreach_enrollments = Table(
    "outreach_enrollments",
    metadata,
    Column("client_id", String(80), primary_key=True),
    Column("program_id", String(80), primary_key=True),
    Column("enrolled_by", String(120), nullable=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # active | stopped
)

outreach_digests = Table(
    "outreach_digests",
    metadata,
    Column("supervisor_id", String(80), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("body_enc", Text, nullable=False),
    Column("sent_at", String(40), nullable=False),
)


def send_key(workflow: str, client_id: str, trigger_id: str, step: str) -> str:
    """The deterministic identity of one outbound message (also its EHR request id)."""
    return f"{workflow}:{client_id}:{trigger_id}:{step}"


class PlannedSend(BaseModel):
    """One message a workflow wants sent; `key` is deterministic from its parts."""

    workflow: str
    client_id: str
    trigger_id: str
    step: str
    due_at: datetime
    expires_at: datetime | None = None
    priority: int = 50  # lower goes first when caps leave room for only some

    @property
    def key(self) -> str:
        return send_key(self.workflow, self.client_id, self.trigger_id, self.step)


class SendRecord(BaseModel):
    key: str
    workflow: str
    client_id: str
    trigger_id: str
    step: str
    priority: int
    due_at: datetime
    expires_at: datetime | None
    status: SendStatus
    reason: str | None
    attempts: int
    channel: str | None
    recipient: str | None
    template: str | None
    thread_id: str | None
    message_id: str | None
    review_id: str | None
    approved_by: str | None
    counted_at: datetime | None


def _iso(value: datetime | None) -> str | None:
    """UTC ISO text: one zone and one format, so stored times compare correctly as strings."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("outreach times must be timezone-aware")
    return value.astimezone(UTC).isoformat()


class OutreachStore:
    """Typed access to the outreach tables. Times are passed in (the scheduler's clock)."""

    def __init__(self, db: Database):
        self.db = db

    # --- sends -------------------------------------------------------------------------------
    def plan(self, sends: Iterable[PlannedSend], now: datetime) -> int:
        """Insert the sends not yet known, in one transaction; returns how many were new.

        INSERT ... ON CONFLICT DO NOTHING on the key: an existing send (whatever its status) is
        never touched, so re-planning is free of side effects.
        """
        rows = [
            {
                "key": send.key,
                "workflow": send.workflow,
                "client_id": send.client_id,
                "trigger_id": send.trigger_id,
                "step": send.step,
                "priority": send.priority,
                "due_at": _iso(send.due_at),
                "expires_at": _iso(send.expires_at),
                "status": "pending",
                "attempts": 0,
                "created_at": _iso(now),
                "updated_at": _iso(now),
            }
            for send in sends
        ]
        if not rows:
            return 0
        insert = postgresql_insert if self.db.dialect == "postgresql" else sqlite_insert
        statement = insert(outreach_sends).on_conflict_do_nothing(index_elements=["key"])
        new = 0
        with self.db.write() as conn:
            for row in rows:
                new += conn.execute(statement, row).rowcount
        return new

    def due(self, now: datetime, limit: int = 500) -> list[SendRecord]:
        """Sends to work on at `now`: pending/approved and due, or claimed with a lapsed lease."""
        at = _iso(now)
        query = (
            select(outreach_sends)
            .where(
                or_(
                    and_(
                        outreach_sends.c.status.in_(("pending", "approved")),
                        outreach_sends.c.due_at <= at,
                    ),
                    and_(outreach_sends.c.status == "claimed", outreach_sends.c.lease_until < at),
                )
            )
            .order_by(outreach_sends.c.priority, outreach_sends.c.due_at)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [self._record(row) for row in conn.execute(query).mappings()]

    def claim(self, key: str, now: datetime, lease: timedelta) -> SendRecord | None:
        """Take the send for `lease`; None when another worker holds it or it is finished."""
        at = _iso(now)
        with self.db.write() as conn:
            result = conn.execute(
                update(outreach_sends)
                .where(
                    outreach_sends.c.key == key,
                    or_(
                        outreach_sends.c.status.in_(("pending", "approved")),
                        and_(
                            outreach_sends.c.status == "claimed",
                            outreach_sends.c.lease_until < at,
                        ),
                    ),
                )
                .values(
                    status="claimed",
                    lease_until=_iso(now + lease),
                    attempts=outreach_sends.c.attempts + 1,
                    updated_at=at,
                )
            )
            if result.rowcount != 1:
                return None
            row = (
                conn.execute(select(outreach_sends).where(outreach_sends.c.key == key))
                .mappings()
                .one()
            )
        return self._record(row)

    def update_send(self, key: str, now: datetime, conn: Connection | None = None, **values: Any):
        """Set fields of one send (`body` is encrypted; datetimes become ISO strings)."""
        if "body" in values:
            body = values.pop("body")
            values["body_enc"] = (
                self.db.cipher.encrypt(body, context=_BODY_CONTEXT) if body is not None else None
            )
        values = {k: _iso(v) if isinstance(v, datetime) else v for k, v in values.items()}
        values["updated_at"] = _iso(now)
        statement = update(outreach_sends).where(outreach_sends.c.key == key).values(**values)
        if conn is not None:
            conn.execute(statement)
            return
        with self.db.write() as own:
            own.execute(statement)

    def get(self, key: str) -> SendRecord | None:
        with self.db.read() as conn:
            row = (
                conn.execute(select(outreach_sends).where(outreach_sends.c.key == key))
                .mappings()
                .first()
            )
        return self._record(row) if row else None

    def by_review(self, review_id: str) -> SendRecord | None:
        with self.db.read() as conn:
            row = (
                conn.execute(select(outreach_sends).where(outreach_sends.c.review_id == review_id))
                .mappings()
                .first()
            )
        return self._record(row) if row else None

    def body(self, key: str) -> str | None:
        """The decrypted message body of a send (PHI: callers must not log it)."""
        with self.db.read() as conn:
            token = conn.execute(
                select(outreach_sends.c.body_enc).where(outreach_sends.c.key == key)
            ).scalar_one_or_none()
        return self.db.cipher.decrypt(token, context=_BODY_CONTEXT) if token else None

    def counted_times(self, client_id: str, since: datetime) -> list[datetime]:
        """When this client's counted messages went out (or were queued), for frequency caps."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(outreach_sends.c.counted_at).where(
                    outreach_sends.c.client_id == client_id,
                    outreach_sends.c.status.in_(COUNTED_STATUSES),
                    outreach_sends.c.counted_at >= _iso(since),
                )
            ).scalars()
            return [datetime.fromisoformat(v) for v in rows if v]

    def sends(
        self,
        *,
        client_id: str | None = None,
        workflow: str | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[SendRecord]:
        query = select(outreach_sends).order_by(outreach_sends.c.due_at)
        if client_id is not None:
            query = query.where(outreach_sends.c.client_id == client_id)
        if workflow is not None:
            query = query.where(outreach_sends.c.workflow == workflow)
        if statuses is not None:
            query = query.where(outreach_sends.c.status.in_(tuple(statuses)))
        with self.db.read() as conn:
            return [self._record(row) for row in conn.execute(query).mappings()]

    @staticmethod
    def _record(row: Any) -> SendRecord:
        data = {k: row[k] for k in SendRecord.model_fields}
        return SendRecord.model_validate(data)

    # --- assessment forms --------------------------------------------------------------------
    def issue_form(
        self, *, send_key: str, client_id: str, instrument: str, now: datetime, valid: timedelta
    ) -> str:
        """The form token for this send (the same token if it was already issued)."""
        with self.db.read() as conn:
            existing = conn.execute(
                select(outreach_forms.c.token).where(outreach_forms.c.send_key == send_key)
            ).scalar_one_or_none()
        if existing:
            return existing
        token = secrets.token_urlsafe(24)
        try:
            with self.db.write() as conn:
                conn.execute(
                    outreach_forms.insert().values(
                        token=token,
                        send_key=send_key,
                        client_id=client_id,
                        instrument=instrument,
                        issued_at=_iso(now),
                        expires_at=_iso(now + valid),
                        status="open",
                    )
                )
        except IntegrityError:
            return self.issue_form(
                send_key=send_key, client_id=client_id, instrument=instrument, now=now, valid=valid
            )
        return token

    def form(self, token: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = (
                conn.execute(select(outreach_forms).where(outreach_forms.c.token == token))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def complete_form(
        self, token: str, *, now: datetime, result_id: str, flags: list[str], conn: Connection
    ) -> bool:
        """Mark an open form completed; False if it was not open (a double submit)."""
        result = conn.execute(
            update(outreach_forms)
            .where(outreach_forms.c.token == token, outreach_forms.c.status == "open")
            .values(
                status="completed",
                completed_at=_iso(now),
                result_id=result_id,
                flags=json.dumps(flags),
            )
        )
        return result.rowcount == 1

    def forms_for(self, client_id: str, instrument: str) -> list[dict[str, Any]]:
        """Every form of this instrument issued to the client, oldest first."""
        query = (
            select(outreach_forms)
            .where(
                outreach_forms.c.client_id == client_id,
                outreach_forms.c.instrument == instrument,
            )
            .order_by(outreach_forms.c.issued_at)
        )
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def all_forms(self) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            rows = conn.execute(select(outreach_forms).order_by(outreach_forms.c.issued_at))
            return [dict(r) for r in rows.mappings()]

    def form_for_send(self, send_key: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = (
                conn.execute(select(outreach_forms).where(outreach_forms.c.send_key == send_key))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    # --- resources ---------------------------------------------------------------------------
    def resource_event(
        self,
        *,
        send_key: str,
        client_id: str,
        resource_id: str,
        event: str,
        now: datetime,
        feedback: str | None = None,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                outreach_resource_events.insert().values(
                    send_key=send_key,
                    client_id=client_id,
                    resource_id=resource_id,
                    event=event,
                    at=_iso(now),
                    feedback_enc=self.db.cipher.encrypt(feedback, context=_FEEDBACK_CONTEXT)
                    if feedback
                    else None,
                )
            )

    def resource_events(self, client_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            rows = (
                conn.execute(
                    select(outreach_resource_events)
                    .where(outreach_resource_events.c.client_id == client_id)
                    .order_by(outreach_resource_events.c.id)
                )
                .mappings()
                .all()
            )
        out = []
        for row in rows:
            item = dict(row)
            token = item.pop("feedback_enc")
            item["feedback"] = (
                self.db.cipher.decrypt(token, context=_FEEDBACK_CONTEXT) if token else None
            )
            out.append(item)
        return out

    # --- wellness enrollments ----------------------------------------------------------------
    def enroll(self, client_id: str, program_id: str, *, by: str, now: datetime) -> None:
        with self.db.write() as conn:
            exists = conn.execute(
                select(outreach_enrollments.c.status).where(
                    outreach_enrollments.c.client_id == client_id,
                    outreach_enrollments.c.program_id == program_id,
                )
            ).scalar_one_or_none()
            if exists is None:
                conn.execute(
                    outreach_enrollments.insert().values(
                        client_id=client_id,
                        program_id=program_id,
                        enrolled_by=by,
                        enrolled_at=_iso(now),
                        status="active",
                    )
                )
            else:
                conn.execute(
                    update(outreach_enrollments)
                    .where(
                        outreach_enrollments.c.client_id == client_id,
                        outreach_enrollments.c.program_id == program_id,
                    )
                    .values(status="active")
                )

    def unenroll(self, client_id: str, program_id: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                update(outreach_enrollments)
                .where(
                    outreach_enrollments.c.client_id == client_id,
                    outreach_enrollments.c.program_id == program_id,
                )
                .values(status="stopped")
            )

    def enrollments(self, client_id: str | None = None) -> list[dict[str, Any]]:
        query = select(outreach_enrollments).where(outreach_enrollments.c.status == "active")
        if client_id is not None:
            query = query.where(outreach_enrollments.c.client_id == client_id)
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # --- digests -----------------------------------------------------------------------------
    def digest_sent(self, supervisor_id: str, day: str) -> bool:
        with self.db.read() as conn:
            return (
                conn.execute(
                    select(func.count())
                    .select_from(outreach_digests)
                    .where(
                        outreach_digests.c.supervisor_id == supervisor_id,
                        outreach_digests.c.day == day,
                    )
                ).scalar_one()
                > 0
            )

    def record_digest(
        self, supervisor_id: str, day: str, *, body: str, count: int, now: datetime
    ) -> bool:
        """Store one supervisor's digest for `day`; False if it already exists."""
        try:
            with self.db.write() as conn:
                conn.execute(
                    outreach_digests.insert().values(
                        supervisor_id=supervisor_id,
                        day=day,
                        count=count,
                        body_enc=self.db.cipher.encrypt(body, context=_DIGEST_CONTEXT),
                        sent_at=_iso(now),
                    )
                )
        except IntegrityError:
            return False
        return True

    def digest(self, supervisor_id: str, day: str) -> str | None:
        with self.db.read() as conn:
            token = conn.execute(
                select(outreach_digests.c.body_enc).where(
                    outreach_digests.c.supervisor_id == supervisor_id,
                    outreach_digests.c.day == day,
                )
            ).scalar_one_or_none()
        return self.db.cipher.decrypt(token, context=_DIGEST_CONTEXT) if token else None

    def sent_between(self, start: datetime, end: datetime) -> list[SendRecord]:
        """Sends delivered in [start, end) (by counted_at), for digests and reports."""
        query = select(outreach_sends).where(
            outreach_sends.c.status == "sent",
            outreach_sends.c.counted_at >= _iso(start),
            outreach_sends.c.counted_at < _iso(end),
        )
        with self.db.read() as conn:
            return [self._record(row) for row in conn.execute(query).mappings()]

    def by_message_id(self, message_id: str) -> SendRecord | None:
        """The outreach send that posted EHR message `message_id` (a client's reply context)."""
        with self.db.read() as conn:
            row = (
                conn.execute(
                    select(outreach_sends).where(outreach_sends.c.message_id == message_id)
                )
                .mappings()
                .first()
            )
        return self._record(row) if row else None
