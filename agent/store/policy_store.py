"""Practice policy persistence: every version kept, the newest in force, each save audited.

Versions are never overwritten, so "what rules were in force when this draft went out" stays
answerable; the graph reads `current()` once per message.
"""

from __future__ import annotations

import json

from pydantic import BaseModel
from sqlalchemy import Column, Integer, String, Table, Text, func, select

from agent.policy import PracticePolicy
from agent.store.audit import AuditLog
from agent.store.db import Database, metadata, utcnow

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("saved_at", String(40), nullable=False),
    Column("saved_by", String(120), nullable=False),
    Column("policy", Text, nullable=False),
)


class PolicyVersion(BaseModel):
    version: int
    saved_at: str
    saved_by: str
    policy: PracticePolicy


class PolicyStore:
    def __init__(self, db: Database):
        self.db = db
        self.audit = AuditLog(db)

    def current(self) -> PracticePolicy:
        """The policy in force: the newest saved version, or the safe defaults if none was saved."""
        latest = self.latest()
        return latest.policy if latest else PracticePolicy()

    def latest(self) -> PolicyVersion | None:
        with self.db.read() as conn:
            row = conn.execute(
                select(policy_versions).order_by(policy_versions.c.version.desc()).limit(1)
            ).mappings().first()
        return self._to_model(row) if row else None

    def history(self, limit: int = 50) -> list[PolicyVersion]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(policy_versions).order_by(policy_versions.c.version.desc()).limit(limit)
            ).mappings().all()
        return [self._to_model(row) for row in rows]

    def save(self, policy: PracticePolicy, actor: str) -> int:
        """Store `policy` as a new version and return its number; the audit row names the changed
        fields (not their values: contacts and templates are not audit material)."""
        policy = PracticePolicy.model_validate(policy.model_dump())  # re-run the validators
        before = self.current().model_dump(mode="json")
        after = policy.model_dump(mode="json")
        changed = sorted(key for key in after if before.get(key) != after.get(key))
        with self.db.write() as conn:
            if self.db.dialect == "postgresql":
                conn.exec_driver_sql("LOCK TABLE policy_versions IN EXCLUSIVE MODE")
            version = (
                conn.execute(select(func.max(policy_versions.c.version))).scalar_one() or 0
            ) + 1
            conn.execute(
                policy_versions.insert().values(
                    version=version,
                    saved_at=utcnow().isoformat(),
                    saved_by=actor,
                    policy=json.dumps(after, sort_keys=True),
                )
            )
            self.audit.append(actor=actor, action="policy.save", subject=f"v{version}",
                              details={"changed": changed}, conn=conn)
        return version

    @staticmethod
    def _to_model(row) -> PolicyVersion:
        return PolicyVersion(
            version=row["version"],
            saved_at=row["saved_at"],
            saved_by=row["saved_by"],
            policy=PracticePolicy.model_validate_json(row["policy"]),
        )
