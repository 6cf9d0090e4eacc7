"""Clients' scheduling preferences in plain words ("Tuesday afternoon", "after 5pm", "mornings
except Monday", "next week", "Dec 3") turned into a filter over slots in the practice's time zone.

Words are read with the practice's calendar vocabulary (weekday names from `calendar`, parts of
the day, relative weeks); times and dates themselves ("5:30 pm", "noon", "12/3", "in two weeks")
are parsed by `dateparser`, anchored on the caller's clock. What was understood is reported back,
so a reviewer can see how a preference was read instead of trusting it silently.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser
from pydantic import BaseModel, Field

#: Parts of the day as the practice uses them (local time, [start, end)).
DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(6), time(12)),
    "midday": (time(11), time(14)),
    "lunch": (time(11, 30), time(13, 30)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(22)),
    "night": (time(17), time(22)),
}
_WEEKDAYS = (
    {name.lower(): i for i, name in enumerate(calendar.day_name)}
    | {name.lower(): i for i, name in enumerate(calendar.day_abbr)}
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
_MONTHS = {m.lower() for m in [*calendar.month_name[1:], *calendar.month_abbr[1:]]}
_NEGATIONS = {"except", "not", "no", "excluding", "exclude", "without", "but", "other", "than"}
_CONNECTORS = {"and", "or", "on", "the", "a", "any", "nor", ",", "also", "than", "other"}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "a": 1, "couple": 2}
_TOKEN = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}(?::\d{2})?(?:am|pm)?|[a-z]+")


class TimePreference(BaseModel):
    """A slot filter. Empty fields mean "no constraint"."""

    text: str
    earliest: date | None = None
    latest: date | None = None
    weekdays: list[int] = Field(default_factory=list)
    excluded_weekdays: list[int] = Field(default_factory=list)
    day_parts: list[str] = Field(default_factory=list)
    after: time | None = None
    before: time | None = None

    @property
    def understood(self) -> bool:
        return bool(
            self.earliest
            or self.latest
            or self.weekdays
            or self.excluded_weekdays
            or self.day_parts
            or self.after
            or self.before
        )

    def matches(self, local_start: datetime) -> bool:
        """Whether a slot starting at `local_start` (practice time zone) fits."""
        day, clock = local_start.date(), local_start.time()
        if self.earliest and day < self.earliest or self.latest and day > self.latest:
            return False
        if self.weekdays and day.weekday() not in self.weekdays:
            return False
        if day.weekday() in self.excluded_weekdays:
            return False
        if self.after and clock < self.after or self.before and clock >= self.before:
            return False
        if self.day_parts:
            return any(DAY_PARTS[p][0] <= clock < DAY_PARTS[p][1] for p in self.day_parts)
        return True

    def describe(self) -> str:
        """A reviewer-readable reading of the preference."""
        parts: list[str] = []
        if self.earliest or self.latest:
            parts.append(f"between {self.earliest or 'now'} and {self.latest or 'any date'}")
        if self.weekdays:
            parts.append("on " + "/".join(calendar.day_name[d] for d in sorted(self.weekdays)))
        if self.excluded_weekdays:
            names = "/".join(calendar.day_name[d] for d in sorted(self.excluded_weekdays))
            parts.append(f"not {names}")
        if self.day_parts:
            parts.append("in the " + "/".join(self.day_parts))
        if self.after:
            parts.append(f"starting at or after {self.after.strftime('%H:%M')}")
        if self.before:
            parts.append(f"starting before {self.before.strftime('%H:%M')}")
        return ", ".join(parts) if parts else "no preference understood (earliest times)"


def _parse_clock(phrase: str, base: datetime) -> time | None:
    """A time of day from "5", "5pm", "5:30 pm", "noon", "17:00". A bare hour before 8 is pm:
    nobody asks for therapy "after 5" meaning 5 in the morning."""
    if phrase.isdigit():
        hour = int(phrase)
        if not 0 < hour <= 12:
            return None
        return time(hour + 12 if hour < 8 else hour)
    parsed = dateparser.parse(
        phrase, languages=["en"], settings={"RELATIVE_BASE": base.replace(tzinfo=None)}
    )
    return parsed.time() if parsed else None


def _parse_date(phrase: str, base: datetime) -> date | None:
    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base.replace(tzinfo=None)},
    )
    return parsed.date() if parsed else None


def parse_preference(text: str, now: datetime, timezone: str) -> TimePreference:
    """Read a free-text preference relative to `now`, in the practice's `timezone`."""
    local_now = now.astimezone(ZoneInfo(timezone))
    today = local_now.date()
    tokens = _TOKEN.findall(text.lower())
    pref = TimePreference(text=text)
    negate = False
    i = 0
    while i < len(tokens):
        word = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        singular = (
            word[:-1] if word.endswith("s") and word[:-1] in {**_WEEKDAYS, **DAY_PARTS} else word
        )
        if word in _NEGATIONS:
            negate = True
        elif singular in _WEEKDAYS:
            target = pref.excluded_weekdays if negate else pref.weekdays
            if _WEEKDAYS[singular] not in target:
                target.append(_WEEKDAYS[singular])
        elif singular in DAY_PARTS:
            if singular not in pref.day_parts:
                pref.day_parts.append(singular)
            negate = False
        elif word in ("after", "before", "by", "from", "until", "till") and nxt:
            phrase = nxt
            if i + 2 < len(tokens) and tokens[i + 2] in ("am", "pm"):
                phrase, i = f"{nxt} {tokens[i + 2]}", i + 1
            clock = _parse_clock(phrase, local_now)
            if clock is not None:
                if word in ("after", "from"):
                    pref.after = clock
                else:
                    pref.before = clock
                i += 1
            negate = False
        elif word in ("next", "this") and nxt == "week":
            monday = today - timedelta(days=today.weekday())
            start = monday + timedelta(days=7 if word == "next" else 0)
            pref.earliest, pref.latest = max(start, today), start + timedelta(days=6)
            i += 1
        elif word in ("today", "tomorrow"):
            day = today + timedelta(days=0 if word == "today" else 1)
            pref.earliest = pref.latest = day
        elif word == "weekend":
            pref.weekdays.extend(d for d in (5, 6) if d not in pref.weekdays)
        elif word == "in" and (nxt.isdigit() or nxt in _NUMBERS) and i + 2 < len(tokens):
            unit = tokens[i + 2]
            if unit.startswith(("day", "week")):
                count = int(nxt) if nxt.isdigit() else _NUMBERS[nxt]
                day = _parse_date(f"in {count} {unit}", local_now)
                if day:
                    spread = 0 if unit.startswith("day") else 3
                    pref.earliest = max(today, day - timedelta(days=spread))
                    pref.latest = day + timedelta(days=spread)
                i += 2
        elif word in _MONTHS and nxt[:2].isdigit() or "/" in word:
            phrase = f"{word} {nxt}" if word in _MONTHS else word
            day = _parse_date(phrase, local_now)
            if day:
                pref.earliest = pref.latest = day
            i += 0 if "/" in word else 1
        elif word not in _CONNECTORS:
            negate = False
        i += 1
    return pref
