"""The practice's records as the product sees them: pydantic models shared by every EHR adapter.

All datetimes are timezone-aware (UTC in storage); a clinician's or client's local zone is an
IANA name carried alongside, never baked into a naive datetime. Models are frozen: an adapter
returns a fresh copy, so a caller can never mutate the EHR by editing a result.
"""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Channel = Literal["portal", "sms", "email", "voice"]
AppointmentStatus = Literal[
    "booked", "confirmed", "fulfilled", "noshow", "cancelled", "late_cancelled"
]
Modality = Literal["in_person", "telehealth"]
Instrument = Literal["PHQ-9", "GAD-7", "DASS-21"]
SenderRole = Literal["client", "guardian", "clinician", "staff", "assistant"]
StaffRole = Literal["clinician", "supervisor", "admin", "front_desk"]

#: Statuses that still hold the clinician's time (a slot under them is not free).
ACTIVE_STATUSES: frozenset[str] = frozenset({"booked", "confirmed"})

#: LOINC codes written with assessment results: (panel code, total-score code).
LOINC_CODES: dict[str, tuple[str, str | None]] = {
    "PHQ-9": ("44249-1", "44261-6"),
    "GAD-7": ("69737-5", "70274-6"),
    "DASS-21": ("DASS-21", None),  # no LOINC total; stored under the practice's local code
}


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- people ----------------------------------------------------------------------------------
class Guardian(_Record):
    """Who receives a minor's outreach and may act for them in the portal."""

    name: str
    relationship: str
    phone: str | None = None
    email: str | None = None
    preferred_channel: Channel = "portal"


class ConsentFlags(_Record):
    """What the client agreed to. Absent consent is False: nothing is assumed."""

    portal_messaging: bool = True
    sms: bool = False
    email: bool = False
    voice: bool = False
    ai_assisted_drafting: bool = True
    #: 42 CFR Part 2: the client's SUD-program records may be used in drafting context only
    #: with this written consent. Without it they never enter ClientContext.
    part2_disclosure: bool = False


class QuietHours(_Record):
    """Local-time window in which no outreach is sent (start > end means it spans midnight)."""

    start: time = time(21, 0)
    end: time = time(8, 0)


class Client(_Record):
    """The full client record. Only the EHR layer and the PHI pseudonymizer see all of it;
    the graph works from `ClientContext`, the minimum-necessary view."""

    id: str
    given_name: str
    family_name: str
    preferred_name: str | None = None
    birth_date: date
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    record_number: str
    insurance_member_id: str | None = None
    preferred_channel: Channel = "portal"
    timezone: str
    clinician_id: str
    guardian: Guardian | None = None
    is_minor: bool = False
    #: The client's record includes 42 CFR Part 2-protected SUD-program information.
    part2: bool = False
    consents: ConsentFlags = ConsentFlags()
    #: Channels the client asked us never to use for outreach (STOP, unsubscribe...).
    opted_out_channels: tuple[Channel, ...] = ()
    quiet_hours: QuietHours = QuietHours()
    active: bool = True
    #: When the practice opened the client's record (onboarding starts from it). None only when
    #: an EHR does not expose it; the sandbox always sets it.
    created_at: AwareDatetime | None = None

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.given_name


class ClientIdentifiers(_Record):
    """Everything that identifies one client, for the pseudonymizer and the draft guard."""

    client_id: str
    names: tuple[str, ...]
    birth_date: date | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    record_numbers: tuple[str, ...] = ()
    insurance_ids: tuple[str, ...] = ()


class Clinician(_Record):
    id: str
    given_name: str
    family_name: str
    credentials: str = ""
    role: StaffRole = "clinician"
    timezone: str
    email: str | None = None
    phone: str | None = None
    supervisor_id: str | None = None
    #: Whether clients may book with them directly (e.g. a supervisor may not take new bookings).
    accepts_bookings: bool = True

    @property
    def display_name(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.given_name} {self.family_name}{suffix}"


class Caseload(_Record):
    clinician_id: str
    client_ids: tuple[str, ...]


class OnCallContact(_Record):
    """Who a crisis alert pages when the assigned clinician is unavailable."""

    clinician_id: str
    name: str
    phone: str | None
    email: str | None
    starts: AwareDatetime
    ends: AwareDatetime


class AvailabilityWindow(_Record):
    """A recurring weekly window in the clinician's own time zone (weekday: Monday=0)."""

    clinician_id: str
    weekday: int = Field(ge=0, le=6)
    start: time
    end: time
    timezone: str


# --- the calendar ----------------------------------------------------------------------------
class Appointment(_Record):
    id: str
    client_id: str
    clinician_id: str
    start: AwareDatetime
    end: AwareDatetime
    status: AppointmentStatus
    modality: Modality
    telehealth_url: str | None = None
    location: str | None = None
    service: str = "psychotherapy"
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None = None
    #: Set on the cancelled original when it was moved, pointing at its replacement.
    rescheduled_to: str | None = None


class Slot(_Record):
    """One bookable unit of a clinician's time. Ids are stable: the same time is the same id."""

    id: str
    clinician_id: str
    start: AwareDatetime
    end: AwareDatetime
    status: Literal["free", "busy"] = "free"


class ChangeNotice(_Record):
    """What a reviewer must see before approving a calendar change."""

    late_change: bool
    hours_notice: float
    fee_notice: str | None = None


# --- messaging -------------------------------------------------------------------------------
class Message(_Record):
    id: str
    thread_id: str
    client_id: str
    sender: SenderRole
    sender_id: str | None = None
    text: str
    sent_at: AwareDatetime
    in_reply_to: str | None = None


class Thread(_Record):
    id: str
    client_id: str
    subject: str
    created_at: AwareDatetime
    messages: tuple[Message, ...] = ()


# --- alerts ----------------------------------------------------------------------------------
class Alert(_Record):
    """A FHIR Flag on the client's chart. The description never holds message text."""

    id: str
    client_id: str
    status: Literal["active", "inactive"]
    severity: str
    category: str
    description: str
    message_id: str | None = None
    raised_by: str
    raised_at: AwareDatetime
    resolved_by: str | None = None
    resolved_at: AwareDatetime | None = None


# --- structured clinical context (never raw notes) -------------------------------------------
class Homework(_Record):
    """A skill or assignment the clinician marked after a session, for check-in outreach."""

    id: str
    client_id: str
    clinician_id: str
    skill: str
    instructions: str
    assigned_at: AwareDatetime
    due: date | None = None


class TreatmentGoal(_Record):
    id: str
    client_id: str
    description: str
    status: Literal["active", "achieved", "revised"] = "active"
    target_date: date | None = None
    part2: bool = False


class Medication(_Record):
    id: str
    client_id: str
    name: str
    dose: str
    prescriber: str
    refill_due: date | None = None
    part2: bool = False


class OutstandingForm(_Record):
    id: str
    client_id: str
    kind: Literal["intake", "policy_acknowledgement", "consent", "release_of_information"]
    title: str
    due: date | None = None
    status: Literal["outstanding", "completed"] = "outstanding"


class Episode(_Record):
    """An episode of care. SUD-program episodes are Part 2 records."""

    id: str
    client_id: str
    kind: str
    status: Literal["open", "closed"]
    start: date
    end: date | None = None
    part2: bool = False


# --- assessments -----------------------------------------------------------------------------
class AssessmentSubmission(BaseModel):
    """A completed questionnaire to write to the chart (QuestionnaireResponse + Observation).

    `answers[i]` is item i+1; None = the client skipped it. A form with skipped items is written
    only as `prorated` (the total scaled up per the instrument's published rule, which the
    adapter re-checks), so a chart total never silently counts a skipped item as 0.
    """

    model_config = ConfigDict(extra="forbid")

    client_id: str
    instrument: Instrument
    answers: list[int | None] = Field(min_length=1)
    total_score: int = Field(ge=0)
    severity: str
    completed_at: AwareDatetime
    prorated: bool = False


class AssessmentResult(_Record):
    id: str
    client_id: str
    instrument: Instrument
    answers: tuple[int | None, ...]
    total_score: int
    severity: str
    completed_at: AwareDatetime
    prorated: bool = False
    questionnaire_response_id: str
    observation_id: str
    loinc_panel: str
    loinc_total: str | None


# --- the minimum-necessary view the graph reads ----------------------------------------------
class ClinicianRef(_Record):
    id: str
    display_name: str


class ClientContext(_Record):
    """What a draft may draw on. Part 2 records are included only with `part2_disclosure` consent;
    full identifiers (DOB, address, record/insurance ids) are deliberately absent."""

    client_id: str
    display_name: str
    given_name: str
    preferred_channel: Channel
    timezone: str
    clinician: ClinicianRef
    is_minor: bool
    guardian: Guardian | None
    part2: bool
    consents: ConsentFlags
    opted_out_channels: tuple[Channel, ...]
    upcoming_appointments: tuple[Appointment, ...]
    homework: tuple[Homework, ...] = ()
    goals: tuple[TreatmentGoal, ...] = ()
    medications: tuple[Medication, ...] = ()
    outstanding_forms: tuple[OutstandingForm, ...] = ()
    open_episodes: tuple[Episode, ...] = ()
    #: True when Part 2 records exist but were withheld for lack of consent.
    part2_withheld: bool = False
