"""The sandbox EHR: a seeded synthetic practice in one SQLite file, implementing the EHR protocol.

It is what `make run`, the tests and a practice's dry-run phase use, and what the FHIR facade
serves. Writes run in `BEGIN IMMEDIATE` transactions (one writer at a time, nothing half-written),
a partial unique index makes double booking impossible even across processes, and every write is
recorded under its request id so a retry returns the first result.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from agent.settings import Settings
from tools.ehr import errors
from tools.ehr.calendar import candidate_slots, is_offered, parse_slot_id
from tools.ehr.clock import Clock, system_clock
from tools.ehr.models import (
    ACTIVE_STATUSES,
    LOINC_CODES,
    Alert,
    Appointment,
    AppointmentStatus,
    AssessmentResult,
    AssessmentSubmission,
    AvailabilityWindow,
    Caseload,
    Channel,
    Client,
    ClientContext,
    ClientIdentifiers,
    Clinician,
    ClinicianRef,
    Episode,
    Homework,
    Instrument,
    Medication,
    Message,
    OnCallContact,
    OutstandingForm,
    SenderRole,
    Slot,
    Thread,
    TreatmentGoal,
)
from tools.ehr.practice import HARBORVIEW, Practice
from tools.ehr.seed import OFFICE, TELEHEALTH_BASE, build_practice

M = TypeVar("M", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clinicians (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS availability (clinician_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY, clinician_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS appointments (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, clinician_id TEXT NOT NULL,
    start TEXT NOT NULL, "end" TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_client ON appointments (client_id, start);
CREATE INDEX IF NOT EXISTS appointments_time ON appointments (start);
-- the database itself refuses a second live booking of one clinician at one time
CREATE UNIQUE INDEX IF NOT EXISTS appointments_one_live_booking
    ON appointments (clinician_id, start) WHERE status IN ('booked', 'confirmed');
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, client_id TEXT NOT NULL,
    sent_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_thread ON messages (thread_id, sent_at);
CREATE TABLE IF NOT EXISTS flags (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id TEXT NOT NULL, client_id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS records_client ON records (kind, client_id);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result_kind TEXT NOT NULL,
    result_id TEXT NOT NULL);
"""

_RECORD_MODELS: dict[str, type[BaseModel]] = {
    "homework": Homework,
    "goal": TreatmentGoal,
    "medication": Medication,
    "form": OutstandingForm,
    "episode": Episode,
    "assessment": AssessmentResult,
}


def ts(moment: datetime) -> str:
    """Fixed-width UTC text, so SQL string comparison is time comparison."""
    if moment.tzinfo is None:
        raise errors.InvalidRequest("times must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def derived_id(prefix: str, request_id: str) -> str:
    """Ids of written records derive from the request id: a retry cannot mint a second record."""
    return f"{prefix}-{hashlib.sha256(request_id.encode()).hexdigest()[:16]}"


class SandboxEHR:
    """The EHR protocol over a seeded SQLite practice. Thread-safe: one connection per call."""

    def __init__(
        self,
        path: Path | str,
        *,
        seed: int = 7,
        anchor: date | None = None,
        clock: Clock | None = None,
        practice_timezone: str = HARBORVIEW.timezone,
        late_cancel_window_hours: float = 48.0,
        slot_minutes: int = 60,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.practice_timezone = practice_timezone
        self._practice = HARBORVIEW.model_copy(update={"timezone": practice_timezone})
        self.late_cancel_window = timedelta(hours=late_cancel_window_hours)
        self.slot_minutes = slot_minutes
        if clock is None and anchor is not None:
            # a fixed anchor without a clock: "now" is that day's morning in the practice zone
            fixed = datetime.combine(anchor, time(8), ZoneInfo(practice_timezone)).astimezone(UTC)
            clock = lambda: fixed  # noqa: E731
        self._clock = clock or system_clock
        self._readers = threading.local()
        self.anchor = anchor or self._clock().astimezone(ZoneInfo(practice_timezone)).date()
        self._init(seed)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None) -> SandboxEHR:
        return cls(
            settings.resolved_sandbox_db,
            seed=settings.sandbox_seed,
            anchor=settings.sandbox_anchor_date,
            clock=clock,
            practice_timezone=settings.practice_timezone,
            late_cancel_window_hours=settings.late_cancel_window_hours,
            slot_minutes=settings.slot_minutes,
        )

    # --- plumbing ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A write transaction on a fresh connection, or a read on this thread's own connection
        (opening one per read was a third of a message's record-reading time)."""
        if not write:
            reader = getattr(self._readers, "conn", None)
            if reader is None:
                reader = self._readers.conn = self._connect()
            yield reader
            return
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _init(self, seed: int) -> None:
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()
        with self._tx(write=True) as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'seed'").fetchone():
                return  # an existing sandbox keeps its state (a practice's dry run persists)
            self._load_practice(conn, seed)

    def _load_practice(self, conn: sqlite3.Connection, seed: int) -> None:
        practice = build_practice(seed, self.anchor)
        conn.executemany(
            "INSERT INTO clinicians VALUES (?, ?)",
            [(c.id, c.model_dump_json()) for c in practice.clinicians],
        )
        conn.executemany(
            "INSERT INTO availability VALUES (?, ?)",
            [(w.clinician_id, w.model_dump_json()) for w in practice.availability],
        )
        conn.executemany(
            "INSERT INTO clients VALUES (?, ?, ?)",
            [(c.id, c.clinician_id, c.model_dump_json()) for c in practice.clients],
        )
        for appointment in practice.appointments:
            self._insert_appointment(conn, appointment)
        conn.executemany(
            "INSERT INTO threads VALUES (?, ?, ?)",
            [(t.id, t.client_id, t.model_dump_json()) for t in practice.threads],
        )
        conn.executemany(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?)",
            [
                (m.id, m.thread_id, m.client_id, ts(m.sent_at), m.model_dump_json())
                for m in practice.messages
            ],
        )
        for kind, items in (
            ("homework", practice.homework),
            ("goal", practice.goals),
            ("medication", practice.medications),
            ("form", practice.forms),
            ("episode", practice.episodes),
            ("assessment", practice.assessments),
        ):
            conn.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?)",
                [(kind, r.id, r.client_id, r.model_dump_json()) for r in items],
            )
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("seed", str(seed)), ("anchor", self.anchor.isoformat())],
        )

    @staticmethod
    def _insert_appointment(conn: sqlite3.Connection, appointment: Appointment) -> None:
        conn.execute(
            "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                appointment.id,
                appointment.client_id,
                appointment.clinician_id,
                ts(appointment.start),
                ts(appointment.end),
                appointment.status,
                appointment.model_dump_json(),
            ),
        )

    @staticmethod
    def _update_appointment(conn: sqlite3.Connection, appointment: Appointment) -> None:
        conn.execute(
            "UPDATE appointments SET status = ?, body = ? WHERE id = ?",
            (appointment.status, appointment.model_dump_json(), appointment.id),
        )

    def _idempotent(
        self,
        request_id: str,
        op: str,
        args: dict,
        kind: str,
        apply: Callable[[sqlite3.Connection], M],
    ) -> M:
        """Run `apply` once per request id, atomically with the record of having run it."""
        if not request_id or len(request_id) > 200:
            raise errors.InvalidRequest("request_id must be 1-200 characters")
        fingerprint = hashlib.sha256(
            json.dumps([op, args], sort_keys=True, default=str).encode()
        ).hexdigest()
        with self._tx(write=True) as conn:
            row = conn.execute(
                "SELECT fingerprint, result_kind, result_id FROM requests WHERE request_id = ?",
                (request_id,),
            ).fetchone()
            if row:
                if row[0] != fingerprint:
                    raise errors.IdempotencyConflict(
                        f"request id {request_id!r} was already used for a different write"
                    )
                return self._load(conn, row[1], row[2])
            result = apply(conn)
            conn.execute(
                "INSERT INTO requests VALUES (?, ?, ?, ?)",
                (request_id, fingerprint, kind, result.id),  # type: ignore[attr-defined]
            )
            return result

    def _load(self, conn: sqlite3.Connection, kind: str, record_id: str):
        table, model = {
            "appointment": ("appointments", Appointment),
            "client": ("clients", Client),
            "thread": ("threads", Thread),
            "message": ("messages", Message),
            "alert": ("flags", Alert),
        }.get(kind, ("records", _RECORD_MODELS.get(kind)))
        if table == "records":
            row = conn.execute(
                "SELECT body FROM records WHERE kind = ? AND id = ?", (kind, record_id)
            ).fetchone()
        else:
            row = conn.execute(f"SELECT body FROM {table} WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise errors.NotFound(f"{kind} {record_id} not found")
        return model.model_validate_json(row[0])

    # --- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            raise errors.InvalidRequest("the EHR clock must return aware datetimes")
        return moment.astimezone(UTC)

    # --- the practice --------------------------------------------------------------------------
    def practice(self) -> Practice:
        return self._practice

    # --- clients -----------------------------------------------------------------------------
    def _client(self, conn: sqlite3.Connection, client_id: str) -> Client:
        row = conn.execute("SELECT body FROM clients WHERE id = ?", (client_id,)).fetchone()
        if row is None:
            raise errors.ClientNotFound(f"client {client_id!r} not found")
        return Client.model_validate_json(row[0])

    def get_client(self, client_id: str) -> Client:
        with self._tx(write=False) as conn:
            return self._client(conn, client_id)

    def list_clients(self, *, clinician_id: str | None = None) -> list[Client]:
        with self._tx(write=False) as conn:
            if clinician_id is not None:
                self._clinician(conn, clinician_id)
                rows = conn.execute(
                    "SELECT body FROM clients WHERE clinician_id = ? ORDER BY id", (clinician_id,)
                )
            else:
                rows = conn.execute("SELECT body FROM clients ORDER BY id")
            clients = [Client.model_validate_json(r[0]) for r in rows]
        return [c for c in clients if c.active]

    def client_context(self, client_id: str) -> ClientContext:
        client = self.get_client(client_id)
        clinician = self.get_clinician(client.clinician_id)
        return assemble_context(
            client,
            clinician,
            upcoming=self.upcoming_appointments(client_id),
            homework=self.homework(client_id),
            goals=self.treatment_goals(client_id),
            medications=self.medications(client_id),
            forms=self.outstanding_forms(client_id),
            episodes=self.episodes(client_id),
        )

    def client_identifiers(self, client_id: str) -> ClientIdentifiers:
        return identifiers_of(self.get_client(client_id), full=True)

    def roster_identifiers(self) -> list[ClientIdentifiers]:
        with self._tx(write=False) as conn:
            rows = conn.execute("SELECT body FROM clients ORDER BY id").fetchall()
        return [identifiers_of(Client.model_validate_json(r[0]), full=False) for r in rows]

    def set_channel_opt_out(
        self, client_id: str, channel: Channel, opted_out: bool, *, request_id: str
    ) -> Client:
        def apply(conn: sqlite3.Connection) -> Client:
            client = self._client(conn, client_id)
            channels = set(client.opted_out_channels)
            (channels.add if opted_out else channels.discard)(channel)
            updated = client.model_copy(update={"opted_out_channels": tuple(sorted(channels))})
            conn.execute(
                "UPDATE clients SET body = ? WHERE id = ?", (updated.model_dump_json(), client_id)
            )
            return updated

        args = {"client": client_id, "channel": channel, "opted_out": opted_out}
        return self._idempotent(request_id, "opt_out", args, "client", apply)

    # --- clinicians --------------------------------------------------------------------------
    def _clinician(self, conn: sqlite3.Connection, clinician_id: str) -> Clinician:
        row = conn.execute("SELECT body FROM clinicians WHERE id = ?", (clinician_id,)).fetchone()
        if row is None:
            raise errors.ClinicianNotFound(f"clinician {clinician_id!r} not found")
        return Clinician.model_validate_json(row[0])

    def list_clinicians(self) -> list[Clinician]:
        with self._tx(write=False) as conn:
            rows = conn.execute("SELECT body FROM clinicians ORDER BY id")
            return [Clinician.model_validate_json(r[0]) for r in rows]

    def get_clinician(self, clinician_id: str) -> Clinician:
        with self._tx(write=False) as conn:
            return self._clinician(conn, clinician_id)

    def caseload(self, clinician_id: str) -> Caseload:
        clients = self.list_clients(clinician_id=clinician_id)
        return Caseload(clinician_id=clinician_id, client_ids=tuple(c.id for c in clients))

    def supervisees(self, clinician_id: str) -> list[Clinician]:
        self.get_clinician(clinician_id)
        return [c for c in self.list_clinicians() if c.supervisor_id == clinician_id]

    def on_call(self, at: datetime | None = None) -> OnCallContact:
        """Weekly rotation (Monday 08:00 practice time) through clinicians, supervisor included."""
        moment = (at or self.now()).astimezone(ZoneInfo(self.practice_timezone))
        week_start = datetime.combine(
            moment.date() - timedelta(days=moment.weekday()), time(8), moment.tzinfo
        )
        if moment < week_start:
            week_start -= timedelta(days=7)
        rota = self.list_clinicians()
        clinician = rota[week_start.isocalendar().week % len(rota)]
        return OnCallContact(
            clinician_id=clinician.id,
            name=clinician.display_name,
            phone=clinician.phone,
            email=clinician.email,
            starts=week_start.astimezone(UTC),
            ends=(week_start + timedelta(days=7)).astimezone(UTC),
        )

    def availability(self, clinician_id: str) -> list[AvailabilityWindow]:
        with self._tx(write=False) as conn:
            self._clinician(conn, clinician_id)
            rows = conn.execute(
                "SELECT body FROM availability WHERE clinician_id = ?", (clinician_id,)
            )
            return [AvailabilityWindow.model_validate_json(r[0]) for r in rows]

    # --- calendar ----------------------------------------------------------------------------
    def _appointment(self, conn: sqlite3.Connection, appointment_id: str) -> Appointment:
        row = conn.execute(
            "SELECT body FROM appointments WHERE id = ?", (appointment_id,)
        ).fetchone()
        if row is None:
            raise errors.AppointmentNotFound(f"appointment {appointment_id!r} not found")
        return Appointment.model_validate_json(row[0])

    def _owned_appointment(
        self, conn: sqlite3.Connection, client_id: str, appointment_id: str
    ) -> Appointment:
        self._client(conn, client_id)
        appointment = self._appointment(conn, appointment_id)
        if appointment.client_id != client_id:
            raise errors.AppointmentNotOwned(
                f"appointment {appointment_id!r} does not belong to client {client_id!r}"
            )
        return appointment

    def get_appointment(self, appointment_id: str) -> Appointment:
        with self._tx(write=False) as conn:
            return self._appointment(conn, appointment_id)

    def appointments(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: list[AppointmentStatus] | None = None,
    ) -> list[Appointment]:
        with self._tx(write=False) as conn:
            self._client(conn, client_id)
            rows = conn.execute(
                "SELECT body, status FROM appointments WHERE client_id = ? AND start >= ? "
                "AND start < ? ORDER BY start",
                (client_id, ts(start) if start else "", ts(end) if end else "~"),
            ).fetchall()
        return [
            Appointment.model_validate_json(body)
            for body, status in rows
            if statuses is None or status in statuses
        ]

    def upcoming_appointments(self, client_id: str) -> list[Appointment]:
        return self.appointments(
            client_id,
            start=self.now(),
            statuses=sorted(ACTIVE_STATUSES),  # type: ignore[arg-type]
        )

    def appointments_between(
        self, start: datetime, end: datetime, *, clinician_id: str | None = None
    ) -> list[Appointment]:
        with self._tx(write=False) as conn:
            if clinician_id is not None:
                self._clinician(conn, clinician_id)
            rows = conn.execute(
                "SELECT body FROM appointments WHERE start >= ? AND start < ? "
                "AND (? IS NULL OR clinician_id = ?) ORDER BY start, id",
                (ts(start), ts(end), clinician_id, clinician_id),
            )
            return [Appointment.model_validate_json(r[0]) for r in rows]

    def _busy(self, conn: sqlite3.Connection, clinician_id: str, start: datetime, end: datetime):
        """Live appointments of the clinician overlapping [start, end)."""
        return conn.execute(
            "SELECT id FROM appointments WHERE clinician_id = ? "
            "AND status IN ('booked', 'confirmed') AND start < ? AND \"end\" > ?",
            (clinician_id, ts(end), ts(start)),
        ).fetchall()

    def open_slots(self, clinician_id: str, start: datetime, end: datetime) -> list[Slot]:
        if end <= start:
            raise errors.InvalidRequest("slot search window must end after it starts")
        if end - start > timedelta(days=92):
            raise errors.InvalidRequest("slot search window is limited to 92 days")
        windows = self.availability(clinician_id)
        start = max(start, self.now())
        candidates = candidate_slots(windows, start, end, self.slot_minutes)
        with self._tx(write=False) as conn:
            busy = conn.execute(
                'SELECT start, "end" FROM appointments WHERE clinician_id = ? '
                "AND status IN ('booked', 'confirmed') AND start < ? AND \"end\" > ?",
                (clinician_id, ts(end + timedelta(days=1)), ts(start - timedelta(days=1))),
            ).fetchall()
        free = []
        for slot in candidates:  # format each slot's times once, not once per booked appointment
            slot_start, slot_end = ts(slot.start), ts(slot.end)
            if not any(s < slot_end and e > slot_start for s, e in busy):
                free.append(slot)
        return free

    def _check_slot(
        self, conn: sqlite3.Connection, client: Client, slot_ref: str
    ) -> tuple[datetime, datetime]:
        """The slot's (start, end) if the client may book it right now, else a typed error."""
        clinician_id, start = parse_slot_id(slot_ref)
        clinician = self._clinician(conn, clinician_id)
        if clinician.id != client.clinician_id or not clinician.accepts_bookings:
            raise errors.ClinicianNotPermitted(
                f"client {client.id!r} may only book with their own clinician"
            )
        if start <= self.now():
            raise errors.SlotInPast(f"slot {slot_ref!r} is in the past")
        windows = [
            AvailabilityWindow.model_validate_json(r[0])
            for r in conn.execute(
                "SELECT body FROM availability WHERE clinician_id = ?", (clinician_id,)
            )
        ]
        if not is_offered(windows, start, self.slot_minutes):
            raise errors.SlotUnavailable(f"slot {slot_ref!r} is outside the clinician's hours")
        end = start + timedelta(minutes=self.slot_minutes)
        if self._busy(conn, clinician_id, start, end):
            raise errors.SlotUnavailable(f"slot {slot_ref!r} is no longer free")
        return start, end

    def _new_appointment(
        self,
        conn: sqlite3.Connection,
        client: Client,
        slot_ref: str,
        request_id: str,
        modality: str,
    ) -> Appointment:
        start, end = self._check_slot(conn, client, slot_ref)
        now = self.now()
        appointment_id = derived_id("apt", request_id)
        clinician = self._clinician(conn, client.clinician_id)
        local = start.astimezone(ZoneInfo(self._practice.timezone))
        opening = self._practice.hours_on(local.weekday())
        if clinician.timezone != self._practice.timezone or (
            opening is not None and opening.telehealth_only
        ):
            modality = "telehealth"  # a remote clinician or a telehealth-only day
        appointment = Appointment(
            id=appointment_id,
            client_id=client.id,
            clinician_id=client.clinician_id,
            start=start,
            end=end,
            status="booked",
            modality=modality,  # type: ignore[arg-type]
            telehealth_url=TELEHEALTH_BASE + appointment_id if modality == "telehealth" else None,
            location=None if modality == "telehealth" else OFFICE,
            created_at=now,
            updated_at=now,
        )
        try:
            self._insert_appointment(conn, appointment)
        except sqlite3.IntegrityError:
            raise errors.SlotUnavailable(f"slot {slot_ref!r} is no longer free") from None
        return appointment

    def book(self, client_id: str, slot_id: str, *, request_id: str) -> Appointment:
        def apply(conn: sqlite3.Connection) -> Appointment:
            client = self._client(conn, client_id)
            last = conn.execute(
                "SELECT body FROM appointments WHERE client_id = ? ORDER BY start DESC LIMIT 1",
                (client_id,),
            ).fetchone()
            modality = Appointment.model_validate_json(last[0]).modality if last else "telehealth"
            return self._new_appointment(conn, client, slot_id, request_id, modality)

        args = {"client": client_id, "slot": slot_id}
        return self._idempotent(request_id, "book", args, "appointment", apply)

    def _ending_status(self, appointment: Appointment) -> AppointmentStatus:
        late = appointment.start - self.now() < self.late_cancel_window
        return "late_cancelled" if late else "cancelled"

    def _require_changeable(self, appointment: Appointment) -> None:
        if appointment.status not in ACTIVE_STATUSES:
            raise errors.InvalidTransition(
                f"appointment {appointment.id!r} is {appointment.status} and cannot be changed"
            )
        if appointment.start <= self.now():
            raise errors.InvalidTransition(f"appointment {appointment.id!r} has already started")

    def reschedule(
        self, client_id: str, appointment_id: str, slot_id: str, *, request_id: str
    ) -> Appointment:
        def apply(conn: sqlite3.Connection) -> Appointment:
            original = self._owned_appointment(conn, client_id, appointment_id)
            self._require_changeable(original)
            if parse_slot_id(slot_id)[1] == original.start:
                raise errors.InvalidRequest("the new slot is the appointment's current time")
            now = self.now()
            # release the original first (same transaction), so its own hour is not "busy"
            released = original.model_copy(
                update={
                    "status": self._ending_status(original),
                    "cancelled_at": now,
                    "updated_at": now,
                }
            )
            self._update_appointment(conn, released)
            client = self._client(conn, client_id)
            replacement = self._new_appointment(
                conn, client, slot_id, request_id, original.modality
            )
            self._update_appointment(
                conn, released.model_copy(update={"rescheduled_to": replacement.id})
            )
            return replacement

        args = {"client": client_id, "appointment": appointment_id, "slot": slot_id}
        return self._idempotent(request_id, "reschedule", args, "appointment", apply)

    def cancel(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment:
        def apply(conn: sqlite3.Connection) -> Appointment:
            appointment = self._owned_appointment(conn, client_id, appointment_id)
            self._require_changeable(appointment)
            now = self.now()
            cancelled = appointment.model_copy(
                update={
                    "status": self._ending_status(appointment),
                    "cancelled_at": now,
                    "updated_at": now,
                }
            )
            self._update_appointment(conn, cancelled)
            return cancelled

        args = {"client": client_id, "appointment": appointment_id}
        return self._idempotent(request_id, "cancel", args, "appointment", apply)

    def confirm(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment:
        def apply(conn: sqlite3.Connection) -> Appointment:
            appointment = self._owned_appointment(conn, client_id, appointment_id)
            self._require_changeable(appointment)
            confirmed = appointment.model_copy(
                update={"status": "confirmed", "updated_at": self.now()}
            )
            self._update_appointment(conn, confirmed)
            return confirmed

        args = {"client": client_id, "appointment": appointment_id}
        return self._idempotent(request_id, "confirm", args, "appointment", apply)

    def record_attendance(
        self, appointment_id: str, status: AppointmentStatus, *, request_id: str
    ) -> Appointment:
        if status not in ("fulfilled", "noshow"):
            raise errors.InvalidRequest("attendance is 'fulfilled' or 'noshow'")

        def apply(conn: sqlite3.Connection) -> Appointment:
            appointment = self._appointment(conn, appointment_id)
            if appointment.status not in ACTIVE_STATUSES:
                raise errors.InvalidTransition(
                    f"appointment {appointment_id!r} is {appointment.status}"
                )
            if appointment.start > self.now():
                raise errors.InvalidTransition(f"appointment {appointment_id!r} has not started")
            marked = appointment.model_copy(update={"status": status, "updated_at": self.now()})
            self._update_appointment(conn, marked)
            return marked

        args = {"appointment": appointment_id, "status": status}
        return self._idempotent(request_id, "attendance", args, "appointment", apply)

    # --- portal messages ---------------------------------------------------------------------
    def _thread(self, conn: sqlite3.Connection, thread_id: str) -> Thread:
        row = conn.execute("SELECT body FROM threads WHERE id = ?", (thread_id,)).fetchone()
        if row is None:
            raise errors.ThreadNotFound(f"thread {thread_id!r} not found")
        return Thread.model_validate_json(row[0])

    def threads(self, client_id: str) -> list[Thread]:
        with self._tx(write=False) as conn:
            self._client(conn, client_id)
            rows = conn.execute("SELECT body FROM threads WHERE client_id = ?", (client_id,))
            found = [Thread.model_validate_json(r[0]) for r in rows]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def get_thread(self, thread_id: str) -> Thread:
        with self._tx(write=False) as conn:
            thread = self._thread(conn, thread_id)
            rows = conn.execute(
                "SELECT body FROM messages WHERE thread_id = ? ORDER BY sent_at, id", (thread_id,)
            )
            messages = tuple(Message.model_validate_json(r[0]) for r in rows)
        return thread.model_copy(update={"messages": messages})

    def start_thread(self, client_id: str, subject: str, *, request_id: str) -> Thread:
        subject = checked_subject(subject)

        def apply(conn: sqlite3.Connection) -> Thread:
            self._client(conn, client_id)
            thread = Thread(
                id=derived_id("th", request_id),
                client_id=client_id,
                subject=subject,
                created_at=self.now(),
            )
            conn.execute(
                "INSERT INTO threads VALUES (?, ?, ?)",
                (thread.id, client_id, thread.model_dump_json()),
            )
            return thread

        args = {"client": client_id, "subject": subject}
        return self._idempotent(request_id, "start_thread", args, "thread", apply)

    def post_message(
        self,
        client_id: str,
        thread_id: str,
        text: str,
        *,
        sender: SenderRole,
        sender_id: str | None,
        request_id: str,
        in_reply_to: str | None = None,
    ) -> Message:
        check_message_text(text)

        def apply(conn: sqlite3.Connection) -> Message:
            self._client(conn, client_id)
            thread = self._thread(conn, thread_id)
            if thread.client_id != client_id:
                raise errors.ThreadNotOwned(
                    f"thread {thread_id!r} does not belong to client {client_id!r}"
                )
            message = Message(
                id=derived_id("msg", request_id),
                thread_id=thread_id,
                client_id=client_id,
                sender=sender,
                sender_id=sender_id,
                text=text,
                sent_at=self.now(),
                in_reply_to=in_reply_to,
            )
            conn.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?)",
                (message.id, thread_id, client_id, ts(message.sent_at), message.model_dump_json()),
            )
            return message

        args = {
            "client": client_id,
            "thread": thread_id,
            "text": text,
            "sender": sender,
            "sender_id": sender_id,
            "in_reply_to": in_reply_to,
        }
        return self._idempotent(request_id, "post_message", args, "message", apply)

    # --- alerts ------------------------------------------------------------------------------
    def raise_alert(
        self,
        client_id: str,
        *,
        severity: str,
        category: str,
        description: str,
        raised_by: str,
        request_id: str,
        message_id: str | None = None,
    ) -> Alert:
        def apply(conn: sqlite3.Connection) -> Alert:
            self._client(conn, client_id)
            alert = Alert(
                id=derived_id("flag", request_id),
                client_id=client_id,
                status="active",
                severity=severity,
                category=category,
                description=description,
                message_id=message_id,
                raised_by=raised_by,
                raised_at=self.now(),
            )
            conn.execute(
                "INSERT INTO flags VALUES (?, ?, ?, ?)",
                (alert.id, client_id, alert.status, alert.model_dump_json()),
            )
            return alert

        args = {
            "client": client_id,
            "severity": severity,
            "category": category,
            "description": description,
            "by": raised_by,
            "message": message_id,
        }
        return self._idempotent(request_id, "raise_alert", args, "alert", apply)

    def resolve_alert(self, alert_id: str, *, resolved_by: str, request_id: str) -> Alert:
        def apply(conn: sqlite3.Connection) -> Alert:
            row = conn.execute("SELECT body FROM flags WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                raise errors.AlertNotFound(f"alert {alert_id!r} not found")
            alert = Alert.model_validate_json(row[0])
            if alert.status == "inactive":
                return alert
            resolved = alert.model_copy(
                update={"status": "inactive", "resolved_by": resolved_by, "resolved_at": self.now()}
            )
            conn.execute(
                "UPDATE flags SET status = ?, body = ? WHERE id = ?",
                (resolved.status, resolved.model_dump_json(), alert_id),
            )
            return resolved

        args = {"alert": alert_id, "by": resolved_by}
        return self._idempotent(request_id, "resolve_alert", args, "alert", apply)

    def get_alert(self, alert_id: str) -> Alert:
        with self._tx(write=False) as conn:
            row = conn.execute("SELECT body FROM flags WHERE id = ?", (alert_id,)).fetchone()
        if row is None:
            raise errors.AlertNotFound(f"alert {alert_id!r} not found")
        return Alert.model_validate_json(row[0])

    def active_alerts(self, client_id: str | None = None) -> list[Alert]:
        with self._tx(write=False) as conn:
            if client_id is not None:
                self._client(conn, client_id)
            rows = conn.execute(
                "SELECT body FROM flags WHERE status = 'active' AND (? IS NULL OR client_id = ?)",
                (client_id, client_id),
            )
            found = [Alert.model_validate_json(r[0]) for r in rows]
        return sorted(found, key=lambda a: (a.raised_at, a.id))

    # --- structured clinical context ---------------------------------------------------------
    def _records(self, kind: str, client_id: str) -> list:
        with self._tx(write=False) as conn:
            self._client(conn, client_id)
            rows = conn.execute(
                "SELECT body FROM records WHERE kind = ? AND client_id = ? ORDER BY id",
                (kind, client_id),
            )
            return [_RECORD_MODELS[kind].model_validate_json(r[0]) for r in rows]

    def homework(self, client_id: str) -> list[Homework]:
        return self._records("homework", client_id)

    def treatment_goals(self, client_id: str) -> list[TreatmentGoal]:
        return self._records("goal", client_id)

    def medications(self, client_id: str) -> list[Medication]:
        return self._records("medication", client_id)

    def outstanding_forms(self, client_id: str) -> list[OutstandingForm]:
        return [f for f in self._records("form", client_id) if f.status == "outstanding"]

    def episodes(self, client_id: str) -> list[Episode]:
        return self._records("episode", client_id)

    # --- assessments -------------------------------------------------------------------------
    def write_assessment(
        self, submission: AssessmentSubmission, *, request_id: str
    ) -> AssessmentResult:
        check_submission(submission)

        def apply(conn: sqlite3.Connection) -> AssessmentResult:
            self._client(conn, submission.client_id)
            result = result_of(submission, derived_id("asmt", request_id))
            conn.execute(
                "INSERT INTO records VALUES ('assessment', ?, ?, ?)",
                (result.id, result.client_id, result.model_dump_json()),
            )
            return result

        args = submission.model_dump(mode="json")
        return self._idempotent(request_id, "assessment", args, "assessment", apply)

    def assessment_history(
        self, client_id: str, instrument: Instrument | None = None
    ) -> list[AssessmentResult]:
        results = self._records("assessment", client_id)
        chosen = [r for r in results if instrument is None or r.instrument == instrument]
        return sorted(chosen, key=lambda r: (r.completed_at, r.id))


# --- helpers shared with the FHIR adapter ----------------------------------------------------
_ITEM_COUNTS = {"PHQ-9": 9, "GAD-7": 7, "DASS-21": 21}
_ITEM_MAX = {"PHQ-9": 3, "GAD-7": 3, "DASS-21": 3}


def checked_subject(subject: str) -> str:
    """A new thread's subject, stripped; the same rule for every adapter."""
    subject = subject.strip()
    if not subject or len(subject) > 200:
        raise errors.InvalidRequest("thread subject must be 1-200 characters")
    return subject


def check_message_text(text: str) -> None:
    """A portal message must hold text and fit the portal's limit, whichever adapter posts it."""
    if not text.strip():
        raise errors.InvalidRequest("message text is empty")
    if len(text) > 20_000:
        raise errors.InvalidRequest("message text is longer than 20000 characters")


def check_submission(submission: AssessmentSubmission) -> None:
    """Reject a result whose answers do not fit the instrument or whose total does not follow from
    them: the plain sum for a complete PHQ-9 / GAD-7 (doubled subscale sums for DASS-21), or the
    instrument's published proration when items were skipped (`agent.outreach.instruments`)."""
    from agent.outreach.instruments import InvalidAnswers, score

    expected = _ITEM_COUNTS[submission.instrument]
    if len(submission.answers) != expected:
        raise errors.InvalidRequest(
            f"{submission.instrument} has {expected} items, got {len(submission.answers)}"
        )
    if any(a is not None and not 0 <= a <= _ITEM_MAX[submission.instrument]
           for a in submission.answers):  # fmt: skip
        raise errors.InvalidRequest(f"{submission.instrument} answers must be 0-3")
    skipped = [n + 1 for n, a in enumerate(submission.answers) if a is None]
    if skipped and not submission.prorated:
        raise errors.InvalidRequest(
            f"items {skipped} are unanswered: write the result as prorated or not at all"
        )
    if submission.prorated and not skipped:
        raise errors.InvalidRequest("prorated is set but every item is answered")
    try:
        scored = score(
            _INSTRUMENT_IDS[submission.instrument], dict(enumerate(submission.answers, 1))
        )
    except InvalidAnswers as err:
        raise errors.InvalidRequest(str(err)) from None
    if not scored.scorable:
        raise errors.InvalidRequest(
            f"{submission.instrument}: too many items unanswered to prorate"
        )
    total = (
        scored.total
        if scored.total is not None
        else sum(s.score or 0 for s in scored.scales.values())
    )
    if total != submission.total_score:
        raise errors.InvalidRequest(
            "total_score does not equal the "
            + ("prorated total" if skipped else "sum of the answers")
        )


_INSTRUMENT_IDS = {"PHQ-9": "phq9", "GAD-7": "gad7", "DASS-21": "dass21"}


def result_of(submission: AssessmentSubmission, result_id: str) -> AssessmentResult:
    panel, total = LOINC_CODES[submission.instrument]
    return AssessmentResult(
        id=result_id,
        client_id=submission.client_id,
        instrument=submission.instrument,
        answers=tuple(submission.answers),
        total_score=submission.total_score,
        severity=submission.severity,
        completed_at=submission.completed_at,
        prorated=submission.prorated,
        questionnaire_response_id=f"qr-{result_id}",
        observation_id=f"obs-{result_id}",
        loinc_panel=panel,
        loinc_total=total,
    )


def identifiers_of(client: Client, *, full: bool) -> ClientIdentifiers:
    """All identifiers (full) or the minimum the draft guard needs about another client."""
    names = [f"{client.given_name} {client.family_name}", client.given_name, client.family_name]
    if client.preferred_name:
        names.append(client.preferred_name)
    phones = [client.phone] if client.phone else []
    emails = [client.email] if client.email else []
    if full and client.guardian:
        names.append(client.guardian.name)
        phones += [client.guardian.phone] if client.guardian.phone else []
        emails += [client.guardian.email] if client.guardian.email else []
    return ClientIdentifiers(
        client_id=client.id,
        names=tuple(dict.fromkeys(names)),
        birth_date=client.birth_date if full else None,
        phones=tuple(phones),
        emails=tuple(emails),
        addresses=(client.address,) if full and client.address else (),
        record_numbers=(client.record_number,),
        insurance_ids=(client.insurance_member_id,) if full and client.insurance_member_id else (),
    )


def assemble_context(
    client: Client,
    clinician: Clinician,
    *,
    upcoming: list[Appointment],
    homework: list[Homework],
    goals: list[TreatmentGoal],
    medications: list[Medication],
    forms: list[OutstandingForm],
    episodes: list[Episode],
) -> ClientContext:
    """The minimum-necessary view. 42 CFR Part 2 records are dropped without written consent."""
    allow_part2 = client.consents.part2_disclosure

    def keep(items: list) -> tuple:
        return tuple(i for i in items if allow_part2 or not i.part2)

    withheld = not allow_part2 and any(i.part2 for i in [*goals, *medications, *episodes])
    return ClientContext(
        client_id=client.id,
        display_name=client.display_name,
        given_name=client.given_name,
        preferred_channel=client.preferred_channel,
        timezone=client.timezone,
        clinician=ClinicianRef(id=clinician.id, display_name=clinician.display_name),
        is_minor=client.is_minor,
        guardian=client.guardian,
        part2=client.part2,
        consents=client.consents,
        opted_out_channels=client.opted_out_channels,
        upcoming_appointments=tuple(upcoming),
        homework=tuple(homework),
        goals=keep(goals),
        medications=keep(medications),
        outstanding_forms=tuple(forms),
        open_episodes=tuple(e for e in keep(episodes) if e.status == "open"),
        part2_withheld=withheld,
    )
