"""Staff sign-in accounts (the embedded default; a practice's SSO maps onto the same roles).

Passwords are argon2id hashes; five wrong passwords lock an account for fifteen minutes. An account
carries one or more roles and, for clinicians and supervisors, the EHR clinician id whose caseload
(and supervisees') it may see. Creating, disabling and signing in are audited.
"""

from __future__ import annotations

import time
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Boolean, Column, Float, Integer, String, Table, select, update
from sqlalchemy.exc import IntegrityError

from agent.store.audit import AuditLog
from agent.store.db import Database, metadata, utcnow

Role = Literal["clinician", "front_desk", "supervisor", "admin"]
ROLES: tuple[str, ...] = ("clinician", "front_desk", "supervisor", "admin")
MAX_FAILED_SIGN_INS = 5
LOCKOUT_S = 15 * 60
MIN_PASSWORD_LENGTH = 12

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("roles", String(120), nullable=False),
    Column("clinician_id", String(80)),
    Column("display_name", String(120), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", Float),
    Column("created_at", String(40), nullable=False),
)

_hasher = PasswordHasher()


class StaffExists(ValueError):
    """An account with this username already exists."""


class StaffAccount(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9._-]+$")
    roles: list[Role] = Field(min_length=1)
    clinician_id: str | None = None
    display_name: str = Field(min_length=1, max_length=120)
    active: bool = True

    @field_validator("roles")
    @classmethod
    def _distinct(cls, roles: list[Role]) -> list[Role]:
        return list(dict.fromkeys(roles))

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def actor(self) -> str:
        """How this person appears in the audit log."""
        return f"staff:{self.username}"


class StaffDirectory:
    def __init__(self, db: Database):
        self.db = db
        self.audit = AuditLog(db)

    def create(self, account: StaffAccount, password: str, *, by: str = "cli") -> StaffAccount:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
        if "front_desk" in account.roles and {"clinician", "supervisor"} & set(account.roles):
            raise ValueError("roles: front_desk cannot be combined with a clinical role")
        if {"clinician", "supervisor"} & set(account.roles) and not account.clinician_id:
            raise ValueError("clinician_id: required for the clinician and supervisor roles")
        try:
            with self.db.write() as conn:
                conn.execute(staff_accounts.insert().values(
                    username=account.username, password_hash=_hasher.hash(password),
                    roles=",".join(account.roles), clinician_id=account.clinician_id,
                    display_name=account.display_name, active=account.active,
                    failed_sign_ins=0, created_at=utcnow().isoformat(),
                ))
                self.audit.append(actor=by, action="staff.create", subject=account.username,
                                  details={"roles": account.roles,
                                           "clinician_id": account.clinician_id}, conn=conn)
        except IntegrityError as exc:
            raise StaffExists(f"username: '{account.username}' already exists") from exc
        return account

    def get(self, username: str) -> StaffAccount | None:
        with self.db.read() as conn:
            row = conn.execute(
                select(staff_accounts).where(staff_accounts.c.username == username)
            ).mappings().first()
        return self._to_model(row) if row else None

    def list(self) -> list[StaffAccount]:
        with self.db.read() as conn:
            rows = conn.execute(select(staff_accounts).order_by(staff_accounts.c.username))
            return [self._to_model(row) for row in rows.mappings()]

    def authenticate(self, username: str, password: str) -> StaffAccount | None:
        """The account if the password is right and the account is active and not locked."""
        with self.db.write() as conn:
            row = conn.execute(
                select(staff_accounts).where(staff_accounts.c.username == username)
            ).mappings().first()
            if row is None:
                _hasher.hash(password)  # same cost as a real check: no user enumeration by time
                return None
            now = time.time()
            if not row["active"] or (row["locked_until"] and row["locked_until"] > now):
                outcome = "refused"
            else:
                try:
                    _hasher.verify(row["password_hash"], password)
                    outcome = "ok"
                except (VerificationError, InvalidHashError):
                    outcome = "wrong_password"
            if outcome == "ok":
                conn.execute(update(staff_accounts)
                             .where(staff_accounts.c.username == username)
                             .values(failed_sign_ins=0, locked_until=None))
            elif outcome == "wrong_password":
                failures = row["failed_sign_ins"] + 1
                conn.execute(update(staff_accounts)
                             .where(staff_accounts.c.username == username)
                             .values(failed_sign_ins=failures,
                                     locked_until=now + LOCKOUT_S
                                     if failures >= MAX_FAILED_SIGN_INS else None))
            self.audit.append(actor=f"staff:{username}", action=f"signin.{outcome}", conn=conn)
        return self._to_model(row) if outcome == "ok" else None

    def set_active(self, username: str, active: bool, *, by: str) -> None:
        with self.db.write() as conn:
            conn.execute(update(staff_accounts).where(staff_accounts.c.username == username)
                         .values(active=active))
            self.audit.append(actor=by, action="staff.enable" if active else "staff.disable",
                              subject=username, conn=conn)

    @staticmethod
    def _to_model(row) -> StaffAccount:
        return StaffAccount(username=row["username"], roles=row["roles"].split(","),
                            clinician_id=row["clinician_id"], display_name=row["display_name"],
                            active=row["active"])
