"""Crisis alerts: one row per crisis message, pinned on top of the review inbox until acknowledged.

`create` is idempotent on the message id (the inline webhook screen and the graph's crisis node
may both raise the same alert; a redelivered webhook must not raise a second one). Evidence
phrases are PHI and are encrypted at rest; creating and acknowledging are audited in the same
transaction as the change.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Column, Connection, Index, String, Table, Text, func, select

from agent.store.audit import AuditLog
from agent.store.db import Database, metadata, utcnow

SEVERITY_RANK = {"imminent": 0, "high": 1, "elevated": 2}
_EVIDENCE_CONTEXT = "alerts.evidence"

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("client_id", String(80), nullable=False),
    Column("clinician_id", String(80)),
    Column("thread_id", String(200)),
    Column("severity", String(20), nullable=False),
    Column("categories", Text, nullable=False),
    Column("evidence_enc", Text, nullable=False),
    Column("status", String(20), nullable=False, default="open"),
    Column("created_at", String(40), nullable=False),
    Column("acknowledged_at", String(40)),
    Column("acknowledged_by", String(120)),
    Index("ix_alerts_status", "status"),
)


def _evidence_text(item: Any) -> str:
    """Evidence as the reviewer reads it: a phrase, whether given as text, a dict or an object
    (the crisis screen's `Evidence`)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return str(item.get("text", ""))
    return str(getattr(item, "text", item))


class AlertNotFound(LookupError):
    """No alert has this id."""


class Alert(BaseModel):
    id: str
    message_id: str
    client_id: str
    clinician_id: str | None
    thread_id: str | None
    severity: str
    categories: list[str]
    evidence: list[str]
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class AlertStore:
    def __init__(self, db: Database):
        self.db = db
        self.audit = AuditLog(db)

    def create(
        self,
        *,
        message_id: str,
        client_id: str,
        clinician_id: str | None,
        severity: str,
        categories: list[str],
        evidence: list[Any],
        thread_id: str | None = None,
        actor: str = "system:crisis-screen",
        conn: Connection | None = None,
    ) -> str:
        """Raise an alert for `message_id` and return its id (the existing id if already raised).

        Pass `conn` (from `Database.write()`) to commit the alert with the caller's other rows.
        """
        if severity not in SEVERITY_RANK:
            raise ValueError(f"severity must be one of {sorted(SEVERITY_RANK)}, got {severity!r}")
        if conn is None:
            with self.db.write() as own:
                return self.create(message_id=message_id, client_id=client_id,
                                   clinician_id=clinician_id, severity=severity,
                                   categories=categories, evidence=evidence, thread_id=thread_id,
                                   actor=actor, conn=own)
        alert_id = f"alt_{uuid.uuid4().hex[:20]}"
        inserted = self.db.insert_once(conn, alerts, {
            "id": alert_id, "message_id": message_id, "client_id": client_id,
            "clinician_id": clinician_id, "thread_id": thread_id, "severity": severity,
            "categories": json.dumps(list(categories)),
            "evidence_enc": self.db.cipher.encrypt_json(
                [_evidence_text(item) for item in evidence], context=_EVIDENCE_CONTEXT),
            "status": "open", "created_at": utcnow().isoformat(),
        }, index=["message_id"])
        if inserted is None:  # raised before (a redelivery, or the graph after the webhook)
            return conn.execute(
                select(alerts.c.id).where(alerts.c.message_id == message_id)
            ).scalar_one()
        self.audit.append(
            actor=actor, action="alert.create", client_id=client_id, subject=alert_id,
            details={"message_id": message_id, "severity": severity,
                     "categories": list(categories), "clinician_id": clinician_id},
            conn=conn,
        )
        return alert_id

    def _id_for(self, message_id: str) -> str | None:
        with self.db.read() as conn:
            return conn.execute(
                select(alerts.c.id).where(alerts.c.message_id == message_id)
            ).scalar_one_or_none()

    def get(self, alert_id: str) -> Alert:
        with self.db.read() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        if row is None:
            raise AlertNotFound(alert_id)
        return self._to_model(row)

    def for_message(self, message_id: str) -> Alert | None:
        alert_id = self._id_for(message_id)
        return self.get(alert_id) if alert_id else None

    def list_open(
        self, *, client_ids: set[str] | None = None, limit: int = 200
    ) -> list[Alert]:
        """Open alerts, most severe then oldest first; `client_ids` restricts to a caseload."""
        query = select(alerts).where(alerts.c.status == "open").order_by(alerts.c.created_at)
        if client_ids is not None:
            if not client_ids:
                return []
            query = query.where(alerts.c.client_id.in_(sorted(client_ids)))
        with self.db.read() as conn:
            rows = conn.execute(query.limit(limit)).mappings().all()
        found = [self._to_model(row) for row in rows]
        return sorted(found, key=lambda a: (SEVERITY_RANK[a.severity], a.created_at))

    def count_open(self) -> int:
        with self.db.read() as conn:
            return conn.execute(
                select(func.count()).select_from(alerts).where(alerts.c.status == "open")
            ).scalar_one()

    def acknowledge(self, alert_id: str, by: str) -> Alert:
        """Mark acknowledged by staff `by`; acknowledging twice keeps the first acknowledgement."""
        with self.db.write() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
            if row is None:
                raise AlertNotFound(alert_id)
            if row["status"] == "open":
                conn.execute(
                    alerts.update()
                    .where(alerts.c.id == alert_id)
                    .values(status="acknowledged", acknowledged_at=utcnow().isoformat(),
                            acknowledged_by=by)
                )
                self.audit.append(actor=by, action="alert.acknowledge",
                                  client_id=row["client_id"], subject=alert_id, conn=conn)
        return self.get(alert_id)

    def _to_model(self, row) -> Alert:
        return Alert(
            id=row["id"],
            message_id=row["message_id"],
            client_id=row["client_id"],
            clinician_id=row["clinician_id"],
            thread_id=row["thread_id"],
            severity=row["severity"],
            categories=json.loads(row["categories"]),
            evidence=self.db.cipher.decrypt_json(row["evidence_enc"], context=_EVIDENCE_CONTEXT),
            status=row["status"],
            created_at=row["created_at"],
            acknowledged_at=row["acknowledged_at"],
            acknowledged_by=row["acknowledged_by"],
        )
