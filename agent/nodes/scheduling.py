"""scheduling: concrete options with the client's OWN clinician, and the change to apply later.

Reads only (upcoming appointments from the context, free slots of the client's clinician from
the EHR); the reschedule or booking itself is `pending_change`, applied by `act` only after a
reviewer approves, with a request id derived from the message id so it can never apply twice.
Times the client names ("move Thursday to Friday at 3pm") are read with a small deterministic
parser in the client's time zone: a named time that matches a free slot becomes the proposed
change; otherwise the client gets up to three openings to choose from.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.state import TurnState

log = logging.getLogger(__name__)

MAX_OPTIONS = 3

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
)}  # fmt: skip
_DAY = re.compile(
    r"\b(?:(?P<rel>today|tomorrow)|(?P<wd>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)"
    r"(?:day)?s?|(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+"
    r"(?P<md>\d{1,2})(?:st|nd|rd|th)?|(?P<m>\d{1,2})/(?P<d>\d{1,2}))\b",
    re.I,
)
_TIME = re.compile(
    r"\b(?:(?P<noon>noon)|(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ap>[ap])\.?m\.?|"
    r"at\s+(?P<bh>\d{1,2})(?::(?P<bmin>\d{2}))?(?!\s*(?:/|\d|%)))",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    """A day the client named, with the time they named next to it (if any)."""

    day: date
    at: time | None
    weekday_only: bool
    start: int
    end: int


def _resolve_day(match: re.Match[str], today: date) -> tuple[date, bool]:
    if match.group("rel"):
        return today + timedelta(days=1 if match.group("rel").lower() == "tomorrow" else 0), False
    if match.group("wd"):
        weekday = _WEEKDAYS[match.group("wd").lower()[:3]]
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead), True
    if match.group("mon"):
        month, day = _MONTHS[match.group("mon").lower()[:3]], int(match.group("md"))
    else:
        month, day = int(match.group("m")), int(match.group("d"))
    candidate = date(today.year, month, day)
    if candidate < today:
        candidate = date(today.year + 1, month, day)
    return candidate, False


def _resolve_time(match: re.Match[str]) -> time:
    if match.group("noon"):
        return time(12, 0)
    if match.group("h"):
        hour, minute = int(match.group("h")), int(match.group("min") or 0)
        hour = hour % 12 + (12 if match.group("ap").lower() == "p" else 0)
    else:
        hour, minute = int(match.group("bh")), int(match.group("bmin") or 0)
        if 1 <= hour <= 7:  # "at 3" in a therapy practice means the afternoon
            hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError("not a time")
    return time(hour, minute)


def parse_mentions(text: str, today: date) -> list[Mention]:
    """Days named in the text, in order, each with the first time named before the next day."""
    days = list(_DAY.finditer(text))
    mentions: list[Mention] = []
    for index, match in enumerate(days):
        try:
            day, weekday_only = _resolve_day(match, today)
        except (ValueError, KeyError):
            continue
        stop = days[index + 1].start() if index + 1 < len(days) else len(text)
        at = None
        for time_match in _TIME.finditer(text, match.end(), stop):
            try:
                at = _resolve_time(time_match)
                break
            except ValueError:
                continue
        mentions.append(
            Mention(day=day, at=at, weekday_only=weekday_only, start=match.start(), end=match.end())
        )
    return mentions


def describe(start: datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone)
    clock = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%A, %B} {local.day} at {clock}"


def _describe_appointment(appointment: dict[str, Any], zone: ZoneInfo) -> str:
    when = describe(datetime.fromisoformat(appointment["start"]), zone)
    if appointment.get("modality") == "telehealth":
        return f"{when} (video visit; the join link will be in your portal)"
    place = appointment.get("location")
    return f"{when} (in person{f' at {place}' if place else ''})"


def _target(upcoming: list[dict[str, Any]], mentions: list[Mention], zone: ZoneInfo):
    """The appointment the client means, and the mention that named it (None: the soonest)."""
    for mention in mentions:
        for appointment in upcoming:
            local = datetime.fromisoformat(appointment["start"]).astimezone(zone)
            same_day = local.date() == mention.day or (
                mention.weekday_only and local.weekday() == mention.day.weekday()
            )
            if same_day and (mention.at is None or mention.at == local.time().replace(second=0)):
                return appointment, mention
    return (upcoming[0] if upcoming else None), None


def _spread(options: list[Any], zone: ZoneInfo) -> list[Any]:
    """Up to MAX_OPTIONS openings on different days where possible, so the client has a choice."""
    picked: list[Any] = []
    days: set[date] = set()
    for option in options:
        day = option.start.astimezone(zone).date()
        if day not in days:
            picked.append(option)
            days.add(day)
    picked += [o for o in options if o not in picked]
    return sorted(picked[:MAX_OPTIONS], key=lambda o: o.start)


def fee_notice(deps: Deps) -> str | None:
    """The practice's late-change wording: its policy template if it set one, else the
    cancellation terms the EHR holds for the practice (None: the scheduler's generic notice)."""
    configured = deps.policy.templates.get("late_cancel_fee_notice")
    if configured:
        return configured
    try:
        return deps.ehr.practice().late_cancel_fee_notice
    except Exception as err:  # noqa: BLE001 - the generic notice still warns of the fee
        log.warning("practice terms unavailable error=%s", type(err).__name__)
        return None


def client_scheduler(deps: Deps, client_id: str):
    from tools.scheduling import ClientScheduler

    return ClientScheduler(
        deps.ehr,
        client_id,
        late_cancel_window_hours=deps.settings.late_cancel_window_hours,
        fee_notice=fee_notice(deps),
        search_days=deps.settings.slot_search_days,
    )


def _reminder_reply(state: TurnState, deps: Deps, zone: ZoneInfo) -> dict[str, Any]:
    """ "confirm" or "can't make it" answering a reminder: the change to apply on approval for
    THAT appointment, and what the draft says (with the fee notice for a late cancellation)."""
    from tools.scheduling import change_notice

    reply = state["reply_to"]
    appointment = reply["appointment"]
    kind = reply["kind"]
    when = _describe_appointment(appointment, zone)
    material: dict[str, Any] = {
        "prompt": "reminder_reply",
        "reply": kind,
        "appointment": describe(datetime.fromisoformat(appointment["start"]), zone),
        "where": when,
        "options": [],
        "fee_notice": None,
        "sources": [f"EHR: appointment {appointment['id']} (reminder {reply['step']})"],
    }
    notes: list[str] = []
    if kind == "cancel":
        try:
            scheduler = client_scheduler(deps, state["message"]["client_id"])
            now = deps.ehr.now()
            notice = change_notice(
                datetime.fromisoformat(appointment["start"]),
                now,
                scheduler.window_hours,
                scheduler.fee_notice,
            )
            material["fee_notice"] = notice.fee_notice
            if notice.late_change:
                notes.append(f"Late cancellation ({notice.hours_notice:g} h notice): fee notice.")
            openings = _spread(scheduler.find_slots("", limit=20).slots, zone)
            material["options"] = [describe(o.start, zone) for o in openings]
        except Exception as err:  # noqa: BLE001 - still cancel on approval, offer a call back
            log.warning("reply options failed error=%s", type(err).__name__)
            notes.append(f"Could not read the calendar ({type(err).__name__}).")
    return {
        "grounding": {"schedule_change": material},
        "notes": notes,
        "pending_change": {
            "kind": kind,
            "appointment_id": appointment["id"],
            "slot_id": None,
            "when": material["appointment"],
        },
    }


def scheduling(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    context = state["context"]
    message = state["message"]
    zone = ZoneInfo(context["timezone"])
    upcoming = list(context.get("upcoming_appointments") or [])
    grounding: dict[str, Any] = {}
    allowed = state.get("allowed_intents") or []

    if "appointment_info" in allowed:
        grounding["appointment_info"] = {
            "appointments": [_describe_appointment(a, zone) for a in upcoming[:3]],
            "facts": [],
            "sources": ["EHR: upcoming appointments"],
        }
    if "schedule_change" not in allowed:
        return {"grounding": grounding}
    reply = state.get("reply_to") or {}
    if reply.get("kind") in ("confirm", "cancel"):
        update = _reminder_reply(state, deps, zone)
        update["grounding"] = {**grounding, **update["grounding"]}
        return update

    text = message["text"]
    now = deps.ehr.now()
    mentions = parse_mentions(text, now.astimezone(zone).date())
    target, named_by = _target(upcoming, mentions, zone)
    if reply.get("kind") == "reschedule":  # the reminder says which visit moves
        target = next((a for a in upcoming if a["id"] == reply["appointment"]["id"]), target)
    requested = [m for m in mentions if m is not named_by]
    preference = text[: named_by.start] + text[named_by.end :] if named_by else text
    notes: list[str] = []
    chosen, options, fee_notice = None, [], None
    try:
        scheduler = client_scheduler(deps, message["client_id"])
        every = scheduler.find_slots("", limit=20).slots
        fitting = scheduler.find_slots(preference, limit=20)
        preferred = fitting.slots if fitting.understood else []
        wanted = [m for m in requested if m.at is not None]
        chosen = next(
            (
                o
                for m in wanted
                for o in [*preferred, *every]
                if o.start.astimezone(zone).date() == m.day
                and o.start.astimezone(zone).time() == m.at
            ),
            None,
        )
        if chosen is None:
            options = _spread(preferred or every, zone)
        if target is not None:
            slot_id = chosen.slot_id if chosen else (options[0].slot_id if options else None)
            if slot_id:
                fee_notice = scheduler.propose_reschedule(target["id"], slot_id).notice.fee_notice
    except Exception as err:  # noqa: BLE001 - no options: the draft says the front desk will call
        log.warning(
            "scheduling failed message=%s error=%s", message["message_id"], type(err).__name__
        )
        notes.append(
            f"Could not read the calendar ({type(err).__name__}); draft offers a call back."
        )
        chosen, options = None, []

    material = {
        "appointment": describe(datetime.fromisoformat(target["start"]), zone) if target else None,
        "chosen": describe(chosen.start, zone) if chosen else None,
        "options": [describe(o.start, zone) for o in options],
        "option_slot_ids": [o.slot_id for o in options],
        "fee_notice": fee_notice,
        "sources": [f"EHR: open slots of clinician {context['clinician']['id']}"],
    }
    grounding["schedule_change"] = material
    update: dict[str, Any] = {"grounding": grounding, "notes": notes}
    if chosen:
        update["pending_change"] = {
            "kind": "reschedule" if target else "book",
            "appointment_id": target["id"] if target else None,
            "slot_id": chosen.slot_id,
            "when": material["chosen"],
        }
    return update
