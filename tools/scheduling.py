"""Scheduling for ONE client: the rules, and the LangChain tools the graph gives a model.

Everything is bound to a client id when it is built (`ClientScheduler(ehr, client_id)`,
`scheduling_tools(ehr, client_id)`), so no argument a model writes can reach another client's
calendar. The rules live here and in the EHR adapter, never in a prompt:

- only the client's own appointments, only free future slots of the client's own clinician;
- a change inside the late-cancellation window is allowed but carries the practice's fee notice;
- writes (reschedule, cancel, confirm, book) are only run after a clinician approved them, take a
  request id (a retried or resumed graph never books twice) and lose races cleanly (one booking
  of a slot wins; the other gets `SlotUnavailable` and the original appointment is untouched).

Read tools turn EHR errors into a plain message for the model; write methods raise the typed
`tools.ehr.errors` so the graph's act node can route them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import AwareDatetime, BaseModel, Field

from tools.ehr import errors
from tools.ehr.base import EHR
from tools.ehr.calendar import parse_slot_id
from tools.ehr.models import ACTIVE_STATUSES, Appointment, ChangeNotice
from tools.time_preferences import parse_preference

DEFAULT_FEE_NOTICE = (
    "This change is within the practice's late-cancellation window, so a late-cancellation fee "
    "may apply under the practice's policy."
)


class SlotOption(BaseModel):
    slot_id: str
    start: AwareDatetime
    local_time: str = Field(description="The start in the client's time zone, for the reply.")


class SlotSearch(BaseModel):
    preference_read_as: str
    understood: bool
    slots: list[SlotOption]


class RescheduleProposal(BaseModel):
    """What a reviewer approves: which appointment moves where, and the fee notice if late."""

    appointment_id: str
    slot_id: str
    current_start: AwareDatetime
    new_start: AwareDatetime
    new_local_time: str
    notice: ChangeNotice


class ChangeResult(BaseModel):
    appointment: Appointment
    notice: ChangeNotice
    previous_appointment_id: str | None = None


def change_notice(
    start: datetime, now: datetime, window_hours: float, fee_notice: str | None
) -> ChangeNotice:
    """Whether changing an appointment starting at `start` is a late change, and what to say."""
    hours = (start - now).total_seconds() / 3600
    late = hours < window_hours
    return ChangeNotice(
        late_change=late,
        hours_notice=round(hours, 2),
        fee_notice=(fee_notice or DEFAULT_FEE_NOTICE) if late else None,
    )


def local_label(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%A, %B} {local.day} at {local:%I:%M %p}".replace(" 0", " ") + f" {local:%Z}"


class ClientScheduler:
    """The scheduling rules for one client over any EHR adapter."""

    def __init__(
        self,
        ehr: EHR,
        client_id: str,
        *,
        late_cancel_window_hours: float = 48.0,
        fee_notice: str | None = None,
        search_days: int = 21,
    ) -> None:
        self.ehr = ehr
        self.client = ehr.get_client(client_id)  # ClientNotFound for an unknown client
        self.client_id = self.client.id
        self.zone = ZoneInfo(self.client.timezone)
        self.window_hours = late_cancel_window_hours
        self.fee_notice = fee_notice
        self.search_days = search_days

    # --- reads -------------------------------------------------------------------------------
    def upcoming(self) -> list[Appointment]:
        return self.ehr.upcoming_appointments(self.client_id)

    def find_slots(self, preference: str = "", limit: int = 5) -> SlotSearch:
        """Free slots with the client's own clinician that fit a plain-words preference."""
        now = self.ehr.now()
        pref = parse_preference(preference, now, self.client.timezone)
        start = now
        if pref.earliest:
            day_start = datetime.combine(pref.earliest, datetime.min.time(), self.zone)
            start = max(now, day_start)
        end = now + timedelta(days=self.search_days)
        if pref.latest:
            end = datetime.combine(pref.latest + timedelta(days=1), datetime.min.time(), self.zone)
        slots = self.ehr.open_slots(self.client.clinician_id, start, end) if end > start else []
        fitting = [s for s in slots if pref.matches(s.start.astimezone(self.zone))]
        return SlotSearch(
            preference_read_as=pref.describe(),
            understood=pref.understood or not preference.strip(),
            slots=[
                SlotOption(slot_id=s.id, start=s.start, local_time=local_label(s.start, self.zone))
                for s in fitting[: max(1, min(limit, 20))]
            ],
        )

    def _own(self, appointment_id: str) -> Appointment:
        appointment = self.ehr.get_appointment(appointment_id)
        if appointment.client_id != self.client_id:
            raise errors.AppointmentNotOwned(
                f"appointment {appointment_id!r} does not belong to client {self.client_id!r}"
            )
        return appointment

    def _changeable(self, appointment: Appointment, now: datetime) -> None:
        if appointment.status not in ACTIVE_STATUSES:
            raise errors.InvalidTransition(
                f"appointment {appointment.id!r} is {appointment.status} and cannot be changed"
            )
        if appointment.start <= now:
            raise errors.InvalidTransition(f"appointment {appointment.id!r} has already started")

    def _free_slot(self, slot_id: str, now: datetime) -> datetime:
        clinician_id, start = parse_slot_id(slot_id)
        if clinician_id != self.client.clinician_id:
            raise errors.ClinicianNotPermitted(
                f"client {self.client_id!r} may only book with their own clinician"
            )
        if start <= now:
            raise errors.SlotInPast(f"slot {slot_id!r} is in the past")
        free = self.ehr.open_slots(clinician_id, start, start + timedelta(minutes=1))
        if not any(s.id == slot_id for s in free):
            raise errors.SlotUnavailable(f"slot {slot_id!r} is not free")
        return start

    def propose_reschedule(self, appointment_id: str, slot_id: str) -> RescheduleProposal:
        """Check a move without making it: what the reviewer sees before approving."""
        now = self.ehr.now()
        appointment = self._own(appointment_id)
        self._changeable(appointment, now)
        new_start = self._free_slot(slot_id, now)
        return RescheduleProposal(
            appointment_id=appointment.id,
            slot_id=slot_id,
            current_start=appointment.start,
            new_start=new_start,
            new_local_time=local_label(new_start, self.zone),
            notice=change_notice(appointment.start, now, self.window_hours, self.fee_notice),
        )

    # --- writes (only after approval) --------------------------------------------------------
    def apply_reschedule(self, appointment_id: str, slot_id: str, request_id: str) -> ChangeResult:
        now = self.ehr.now()
        original = self._own(appointment_id)
        notice = change_notice(original.start, now, self.window_hours, self.fee_notice)
        moved = self.ehr.reschedule(self.client_id, appointment_id, slot_id, request_id=request_id)
        return ChangeResult(appointment=moved, notice=notice, previous_appointment_id=original.id)

    def cancel(self, appointment_id: str, request_id: str) -> ChangeResult:
        now = self.ehr.now()
        appointment = self._own(appointment_id)
        notice = change_notice(appointment.start, now, self.window_hours, self.fee_notice)
        cancelled = self.ehr.cancel(self.client_id, appointment_id, request_id=request_id)
        return ChangeResult(appointment=cancelled, notice=notice)

    def confirm(self, appointment_id: str, request_id: str) -> ChangeResult:
        now = self.ehr.now()
        appointment = self._own(appointment_id)
        confirmed = self.ehr.confirm(self.client_id, appointment_id, request_id=request_id)
        notice = change_notice(appointment.start, now, 0.0, None)  # confirming is never "late"
        return ChangeResult(appointment=confirmed, notice=notice)

    def book(self, slot_id: str, request_id: str) -> ChangeResult:
        now = self.ehr.now()
        booked = self.ehr.book(self.client_id, slot_id, request_id=request_id)
        return ChangeResult(appointment=booked, notice=change_notice(booked.start, now, 0.0, None))


# --- LangChain tools -------------------------------------------------------------------------
class _NoArgs(BaseModel):
    pass


class _FindSlotsArgs(BaseModel):
    preference: str = Field(
        "",
        max_length=300,
        description='The client\'s timing preference in their words, e.g. "Tuesday afternoon", '
        '"after 5pm", "mornings except Monday", "next week". Empty for the earliest openings.',
    )
    limit: int = Field(5, ge=1, le=20, description="How many openings to return.")


class _ProposeArgs(BaseModel):
    appointment_id: str = Field(description="Id of one of the client's upcoming appointments.")
    slot_id: str = Field(description="Id of a free slot returned by find_open_slots.")


class _RescheduleArgs(_ProposeArgs):
    request_id: str = Field(min_length=1, max_length=200, description="Idempotency key.")


class _AppointmentWriteArgs(BaseModel):
    appointment_id: str
    request_id: str = Field(min_length=1, max_length=200, description="Idempotency key.")


def _for_model(fn):
    """Read tools: a typed EHR error becomes a clear message the model can act on."""

    def run(**kwargs):
        try:
            return fn(**kwargs)
        except errors.EHRError as err:
            raise ToolException(f"{type(err).__name__}: {err}") from err

    return run


def scheduling_tools(
    ehr: EHR,
    client_id: str,
    *,
    late_cancel_window_hours: float = 48.0,
    fee_notice: str | None = None,
    search_days: int = 21,
    include_writes: bool = False,
) -> list[BaseTool]:
    """Tools scoped to one client. Read tools only, unless `include_writes` (for the act node
    after approval; a model drafting a reply never gets write tools)."""
    scheduler = ClientScheduler(
        ehr,
        client_id,
        late_cancel_window_hours=late_cancel_window_hours,
        fee_notice=fee_notice,
        search_days=search_days,
    )
    tools: list[BaseTool] = [
        StructuredTool.from_function(
            func=_for_model(lambda: [a.model_dump(mode="json") for a in scheduler.upcoming()]),
            name="list_upcoming_appointments",
            description="The client's upcoming booked or confirmed appointments, soonest first.",
            args_schema=_NoArgs,
            handle_tool_error=True,
        ),
        StructuredTool.from_function(
            func=_for_model(
                lambda preference="", limit=5: scheduler.find_slots(preference, limit).model_dump(
                    mode="json"
                )
            ),
            name="find_open_slots",
            description="Free appointment times with the client's own clinician that fit the "
            "client's stated preference, with how the preference was understood.",
            args_schema=_FindSlotsArgs,
            handle_tool_error=True,
        ),
        StructuredTool.from_function(
            func=_for_model(
                lambda appointment_id, slot_id: scheduler.propose_reschedule(
                    appointment_id, slot_id
                ).model_dump(mode="json")
            ),
            name="propose_reschedule",
            description="Check (without changing anything) moving one of the client's "
            "appointments to a free slot; says whether the late-cancellation fee notice applies.",
            args_schema=_ProposeArgs,
            handle_tool_error=True,
        ),
    ]
    if include_writes:
        tools += [
            StructuredTool.from_function(
                func=lambda appointment_id, slot_id, request_id: scheduler.apply_reschedule(
                    appointment_id, slot_id, request_id
                ).model_dump(mode="json"),
                name="apply_reschedule",
                description="APPROVED changes only: move the appointment to the slot.",
                args_schema=_RescheduleArgs,
            ),
            StructuredTool.from_function(
                func=lambda appointment_id, request_id: scheduler.cancel(
                    appointment_id, request_id
                ).model_dump(mode="json"),
                name="cancel_appointment",
                description="APPROVED changes only: cancel the appointment.",
                args_schema=_AppointmentWriteArgs,
            ),
            StructuredTool.from_function(
                func=lambda appointment_id, request_id: scheduler.confirm(
                    appointment_id, request_id
                ).model_dump(mode="json"),
                name="confirm_appointment",
                description="APPROVED changes only: confirm the client will attend.",
                args_schema=_AppointmentWriteArgs,
            ),
        ]
    return tools
