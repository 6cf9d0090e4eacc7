"""The audit log: append-only, hash-chained record of every read of PHI, send, decision and alert.

Row n's hash is SHA-256 over row n-1's hash and row n's canonical JSON (id, time, actor, action,
client id, subject, details), so editing, deleting or reordering any row breaks every later link.
A head row (`audit_head`) records the last id and hash, so truncating the tail is caught too.
Appends are serialized (SQLite: the write lock; PostgreSQL: a transaction advisory lock), which
keeps the chain linear when several server and worker processes append at once.

Details hold ids, counts and codes only — never message text or names; `append` rejects keys
that would carry them. `python -m agent.store.audit verify` names the first broken link.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Connection, Index, String, Table, Text, select

from agent.store.db import Database, metadata, utcnow

GENESIS_HASH = "0" * 64
_PG_LOCK_KEY = 7157002
_MAX_DETAIL_STRING = 200
# Keys whose values would be message text or identity, which the audit log must never hold.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "text", "body", "message", "content", "draft", "reply", "evidence", "note", "notes",
        "name", "first_name", "last_name", "full_name", "email", "phone", "dob", "birth_date",
        "address", "ssn",
    }
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(80), nullable=False),
    Column("client_id", String(80)),
    Column("subject", String(500)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_client", "client_id"),
    Index("ix_audit_log_action", "action"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)


class AuditDetailsError(ValueError):
    """Audit details would carry message text or a name; the caller must pass ids instead."""


class ChainReport(BaseModel):
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    head_hash: str | None = None


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    client_id: str | None
    subject: str | None
    details: dict[str, Any]


def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(
        {k: row[k] for k in ("id", "at", "actor", "action", "client_id", "subject", "details")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _link_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + _canonical(row)).encode("utf-8")).hexdigest()


def _check_details(details: dict[str, Any], path: str = "details") -> None:
    for key, value in details.items():
        if str(key).lower() in FORBIDDEN_DETAIL_KEYS:
            raise AuditDetailsError(f"{path}.{key}: audit details hold ids, never text or names")
        if isinstance(value, dict):
            _check_details(value, f"{path}.{key}")
        elif isinstance(value, str) and len(value) > _MAX_DETAIL_STRING:
            raise AuditDetailsError(f"{path}.{key}: longer than {_MAX_DETAIL_STRING} characters")
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, str) and len(item) > _MAX_DETAIL_STRING:
                    raise AuditDetailsError(f"{path}.{key}: an item is too long")


class AuditLog:
    def __init__(self, db: Database):
        self.db = db

    def append(
        self,
        *,
        actor: str,
        action: str,
        client_id: str | None = None,
        subject: str | None = None,
        details: dict | None = None,
        conn: Connection | None = None,
    ) -> int:
        """Append one entry and return its id.

        Pass `conn` (from `Database.write()`) to make the entry part of the caller's transaction,
        so the audited change and its audit row commit or roll back together.
        """
        details = dict(details or {})
        _check_details(details)
        if conn is None:
            with self.db.write() as own:
                return self._append(own, actor, action, client_id, subject, details)
        return self._append(conn, actor, action, client_id, subject, details)

    def _append(
        self,
        conn: Connection,
        actor: str,
        action: str,
        client_id: str | None,
        subject: str | None,
        details: dict[str, Any],
    ) -> int:
        if self.db.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS_HASH)
        row = {
            "id": last_id + 1,
            "at": utcnow().isoformat(),
            "actor": actor,
            "action": action,
            "client_id": client_id,
            "subject": subject,
            "details": json.loads(json.dumps(details, default=str)),
        }
        digest = _link_hash(last_hash, row)
        conn.execute(
            audit_log.insert().values(
                **{**row, "details": json.dumps(row["details"], sort_keys=True, default=str)},
                prev_hash=last_hash,
                hash=digest,
            )
        )
        if head:
            conn.execute(
                audit_head.update()
                .where(audit_head.c.id == 1)
                .values(last_id=row["id"], last_hash=digest)
            )
        else:
            conn.execute(audit_head.insert().values(id=1, last_id=row["id"], last_hash=digest))
        return row["id"]

    def verify(self) -> ChainReport:
        """Walk the whole chain; report the first row whose link does not hold."""
        expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
        with self.db.read() as conn:
            head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
            for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings():
                checked += 1
                content = dict(row)
                try:
                    content["details"] = json.loads(row["details"])
                except ValueError:
                    return ChainReport(ok=False, checked=checked, first_broken_id=row["id"],
                                       reason="details are not valid JSON")
                if row["id"] != expected_id:
                    return ChainReport(ok=False, checked=checked, first_broken_id=expected_id,
                                       reason=f"entry {expected_id} is missing")
                if row["prev_hash"] != expected_prev:
                    return ChainReport(ok=False, checked=checked, first_broken_id=row["id"],
                                       reason="previous-hash link does not match")
                if _link_hash(expected_prev, content) != row["hash"]:
                    return ChainReport(ok=False, checked=checked, first_broken_id=row["id"],
                                       reason="entry content does not match its hash")
                expected_prev, expected_id = row["hash"], expected_id + 1
        head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS_HASH)
        if head_id != expected_id - 1 or head_hash != expected_prev:
            return ChainReport(ok=False, checked=checked, first_broken_id=min(head_id, expected_id),
                               reason="chain head does not match the last entry (truncated?)")
        return ChainReport(ok=True, checked=checked, head_hash=expected_prev)

    def search(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        client_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Entries newest first, filtered; the admin audit viewer pages through this."""
        return list(self._query(actor, action, client_id, since, until, limit, offset))

    def export_csv(self, **filters: Any) -> str:
        """The filtered entries as CSV (newest first, at most 100 000 rows)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "actor", "action", "client_id", "subject", "details"])
        for entry in self._query(
            filters.get("actor"), filters.get("action"), filters.get("client_id"),
            filters.get("since"), filters.get("until"), 100_000, 0,
        ):
            writer.writerow([entry.id, entry.at.isoformat(), entry.actor, entry.action,
                             entry.client_id or "", entry.subject or "",
                             json.dumps(entry.details, sort_keys=True)])
        return out.getvalue()

    def _query(self, actor, action, client_id, since, until, limit, offset) -> Iterator[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
        if actor:
            query = query.where(audit_log.c.actor == actor)
        if action:
            query = query.where(audit_log.c.action == action)
        if client_id:
            query = query.where(audit_log.c.client_id == client_id)
        if since:
            query = query.where(audit_log.c.at >= since.astimezone(UTC).isoformat())
        if until:
            query = query.where(audit_log.c.at <= until.astimezone(UTC).isoformat())
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        for row in rows:
            yield AuditEntry(**{**row, "details": json.loads(row["details"])})


def main(argv: list[str] | None = None) -> int:
    """`python -m agent.store.audit verify`: exit 0 when the chain holds, 1 naming the break."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["verify"]:
        print("usage: python -m agent.store.audit verify", file=sys.stderr)
        return 2
    from agent.settings import get_settings

    report = AuditLog(Database.from_settings(get_settings())).verify()
    if report.ok:
        print(f"audit chain OK: {report.checked} entries, head {report.head_hash}")
        return 0
    print(f"audit chain BROKEN at entry {report.first_broken_id}: {report.reason} "
          f"({report.checked} entries checked)")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
