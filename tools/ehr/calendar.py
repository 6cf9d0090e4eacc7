"""Turning clinicians' weekly availability into concrete slots, and slot ids back into times.

A slot id names the clinician and the UTC start (`<clinician_id>.<YYYYmmddTHHMM>Z`, a valid FHIR
id), so the same time is always the same id in every adapter and a tool can check it without a
lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tools.ehr.errors import SlotNotFound
from tools.ehr.models import AvailabilityWindow, Slot

_ID_FORMAT = "%Y%m%dT%H%MZ"


def slot_id(clinician_id: str, start: datetime) -> str:
    return f"{clinician_id}.{start.astimezone(UTC).strftime(_ID_FORMAT)}"


def parse_slot_id(value: str) -> tuple[str, datetime]:
    """(clinician_id, UTC start) of a slot id; SlotNotFound if it is not one."""
    clinician_id, sep, stamp = value.rpartition(".")
    try:
        if not sep or not clinician_id:
            raise ValueError
        start = datetime.strptime(stamp, _ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SlotNotFound(f"'{value[:60]}' is not a slot id") from None
    return clinician_id, start


def candidate_slots(
    windows: Iterable[AvailabilityWindow], start: datetime, end: datetime, slot_minutes: int
) -> list[Slot]:
    """Every slot the weekly windows define in [start, end), before removing booked ones.

    Windows are walked day by day in the clinician's own zone, so daylight-saving changes move
    the UTC times, not the clinician's working hours.
    """
    length = timedelta(minutes=slot_minutes)
    slots: list[Slot] = []
    for window in windows:
        zone = ZoneInfo(window.timezone)
        day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date()
        while day <= last_day:
            if day.weekday() == window.weekday:
                cursor = datetime.combine(day, window.start, zone)
                close = datetime.combine(day, window.end, zone)
                while cursor + length <= close:
                    utc_start = cursor.astimezone(UTC)
                    if start <= utc_start < end:
                        slots.append(
                            Slot(
                                id=slot_id(window.clinician_id, utc_start),
                                clinician_id=window.clinician_id,
                                start=utc_start,
                                end=utc_start + length,
                            )
                        )
                    cursor += length
            day += timedelta(days=1)
    slots.sort(key=lambda s: s.start)
    return slots


def is_offered(windows: Iterable[AvailabilityWindow], start: datetime, slot_minutes: int) -> bool:
    """Whether `start` is a slot boundary inside one of the clinician's weekly windows."""
    probe = candidate_slots(windows, start, start + timedelta(minutes=1), slot_minutes)
    return any(slot.start == start for slot in probe)
