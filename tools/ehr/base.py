"""The EHR protocol: the operations the product needs from any EHR, whatever its vendor.

Adapters (sandbox, FHIR R4, a vendor's own REST API) implement this and raise only
`tools.ehr.errors` types. Rules every adapter keeps, so callers need not re-check them:

- Writes take a `request_id`; repeating a write with the same id returns the first result and
  changes nothing (a resumed graph never books twice); reusing it for a different write raises
  IdempotencyConflict.
- Calendar writes are scoped to a client: an appointment of another client raises
  AppointmentNotOwned; a slot of a clinician the client may not book raises ClinicianNotPermitted.
- No double booking: of two writes racing for one slot exactly one wins, the other gets
  SlotUnavailable. A failed reschedule leaves the original appointment untouched.
- Time comes from the adapter's injectable clock (`now()`), never from wall-clock deep in a rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from tools.ehr.models import (
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
from tools.ehr.practice import Practice


@runtime_checkable
class EHR(Protocol):
    # --- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The EHR's current time (aware UTC); injectable in the sandbox for simulations."""
        ...

    # --- the practice --------------------------------------------------------------------------
    def practice(self) -> Practice:
        """Name, address, phone, zone, hours and cancellation terms (FHIR Organization +
        Location): the facts a draft may quote about the practice itself."""
        ...

    # --- clients -----------------------------------------------------------------------------
    def get_client(self, client_id: str) -> Client: ...

    def list_clients(self, *, clinician_id: str | None = None) -> list[Client]:
        """Active clients, optionally one clinician's caseload."""
        ...

    def client_context(self, client_id: str) -> ClientContext:
        """Minimum-necessary context for drafting; Part 2 records only with consent."""
        ...

    def client_identifiers(self, client_id: str) -> ClientIdentifiers:
        """All identifiers of one client, for the PHI pseudonymizer."""
        ...

    def roster_identifiers(self) -> list[ClientIdentifiers]:
        """Names, phones, emails and record numbers of every client, discharged ones included
        (no DOB/address),
        so the draft guard can catch one client's data leaking into another's reply. Callers
        read it through `tools.ehr.roster`, which keeps it for a minute instead of per draft."""
        ...

    def set_channel_opt_out(
        self, client_id: str, channel: Channel, opted_out: bool, *, request_id: str
    ) -> Client: ...

    # --- clinicians --------------------------------------------------------------------------
    def list_clinicians(self) -> list[Clinician]: ...

    def get_clinician(self, clinician_id: str) -> Clinician: ...

    def caseload(self, clinician_id: str) -> Caseload: ...

    def supervisees(self, clinician_id: str) -> list[Clinician]: ...

    def on_call(self, at: datetime | None = None) -> OnCallContact: ...

    def availability(self, clinician_id: str) -> list[AvailabilityWindow]: ...

    # --- calendar ----------------------------------------------------------------------------
    def get_appointment(self, appointment_id: str) -> Appointment: ...

    def appointments(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: list[AppointmentStatus] | None = None,
    ) -> list[Appointment]:
        """One client's appointments in [start, end), oldest first (past ones carry attendance)."""
        ...

    def upcoming_appointments(self, client_id: str) -> list[Appointment]:
        """Booked/confirmed appointments starting after now(), soonest first."""
        ...

    def appointments_between(
        self, start: datetime, end: datetime, *, clinician_id: str | None = None
    ) -> list[Appointment]:
        """Every client's appointments in a window (outreach reminders, the day's schedule)."""
        ...

    def open_slots(self, clinician_id: str, start: datetime, end: datetime) -> list[Slot]:
        """Free slots of one clinician in [start, end), never in the past, soonest first."""
        ...

    def book(self, client_id: str, slot_id: str, *, request_id: str) -> Appointment: ...

    def reschedule(
        self, client_id: str, appointment_id: str, slot_id: str, *, request_id: str
    ) -> Appointment:
        """Move the client's appointment to `slot_id`; returns the NEW appointment. The original
        becomes cancelled (or late_cancelled inside the window) with `rescheduled_to` set."""
        ...

    def cancel(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment:
        """Cancel; inside the late-cancellation window the status is late_cancelled."""
        ...

    def confirm(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment: ...

    def record_attendance(
        self, appointment_id: str, status: AppointmentStatus, *, request_id: str
    ) -> Appointment:
        """Mark a past appointment fulfilled or noshow (the practice's front desk does this)."""
        ...

    # --- portal messages ---------------------------------------------------------------------
    def threads(self, client_id: str) -> list[Thread]:
        """The client's threads (messages omitted; use get_thread)."""
        ...

    def get_thread(self, thread_id: str) -> Thread:
        """One thread with its messages, oldest first."""
        ...

    def start_thread(self, client_id: str, subject: str, *, request_id: str) -> Thread: ...

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
    ) -> Message: ...

    # --- alerts (FHIR Flag) ------------------------------------------------------------------
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
    ) -> Alert: ...

    def resolve_alert(self, alert_id: str, *, resolved_by: str, request_id: str) -> Alert: ...

    def get_alert(self, alert_id: str) -> Alert: ...

    def active_alerts(self, client_id: str | None = None) -> list[Alert]: ...

    # --- structured clinical context ---------------------------------------------------------
    def homework(self, client_id: str) -> list[Homework]: ...

    def treatment_goals(self, client_id: str) -> list[TreatmentGoal]: ...

    def medications(self, client_id: str) -> list[Medication]: ...

    def outstanding_forms(self, client_id: str) -> list[OutstandingForm]: ...

    def episodes(self, client_id: str) -> list[Episode]: ...

    # --- assessments -------------------------------------------------------------------------
    def write_assessment(
        self, submission: AssessmentSubmission, *, request_id: str
    ) -> AssessmentResult:
        """Write a QuestionnaireResponse + Observation (LOINC coded) to the client's chart."""
        ...

    def assessment_history(
        self, client_id: str, instrument: Instrument | None = None
    ) -> list[AssessmentResult]: ...
