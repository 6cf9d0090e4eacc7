"""Who may be contacted, on which channel, and when: consent, opt-outs, guardian routing for
minors, 42 CFR Part 2 restrictions, quiet hours in the client's own time zone, and frequency caps
across every outreach sequence.

Pure functions of the client record, the time and the sends already made: the scheduler calls
them right before every send, so a consent withdrawn a minute ago is honoured.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from tools.ehr.models import Channel, Client

# Channels in the order we fall back to when the preferred one is unusable. The portal is the
# secure channel: Part 2 clients are contacted there only.
_FALLBACK: tuple[Channel, ...] = ("portal", "email", "sms")
_CHANNEL_CONSENT = {"portal": "portal_messaging", "sms": "sms", "email": "email", "voice": "voice"}


class Recipient(BaseModel):
    """The person an outreach message is addressed to (the client, or a minor's guardian)."""

    kind: Literal["client", "guardian"]
    channel: Channel


class Blocked(BaseModel):
    """Why a message may not be sent to this client at all (now or later)."""

    reason: Literal[
        "inactive", "no_consented_channel", "minor_without_guardian", "part2_portal_only"
    ]


def recipient(client: Client) -> Recipient | Blocked:
    """The recipient and channel for `client`, or why nobody may be contacted.

    - Minors: outreach goes to the guardian on the guardian's preferred channel; a minor with no
      guardian on file is never contacted by automation.
    - Channels need the matching consent flag and must not be opted out; the preferred channel is
      tried first, then portal, email, sms (never voice: automation does not place calls).
    - Part 2 clients are contacted on the secure portal only (an SMS or email preview could
      disclose SUD treatment); no portal consent means no outreach.
    """
    if not client.active:
        return Blocked(reason="inactive")
    if client.is_minor and client.guardian is None:
        return Blocked(reason="minor_without_guardian")
    kind: Literal["client", "guardian"] = "guardian" if client.is_minor else "client"
    preferred = (
        client.guardian.preferred_channel
        if client.guardian and client.is_minor
        else (client.preferred_channel)
    )
    candidates: tuple[Channel, ...] = ("portal",) if client.part2 else (preferred, *_FALLBACK)
    for channel in candidates:
        if channel == "voice":
            continue
        if channel in client.opted_out_channels:
            continue
        if getattr(client.consents, _CHANNEL_CONSENT[channel]):
            return Recipient(kind=kind, channel=channel)
    return Blocked(reason="part2_portal_only" if client.part2 else "no_consented_channel")


def in_quiet_hours(client: Client, at: datetime) -> bool:
    """Whether `at` falls in the client's quiet hours, read in the client's own time zone."""
    local = at.astimezone(ZoneInfo(client.timezone)).time()
    start, end = client.quiet_hours.start, client.quiet_hours.end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_allowed_time(client: Client, at: datetime) -> datetime:
    """`at` if it is outside quiet hours, else the first minute after they end (same zone)."""
    if not in_quiet_hours(client, at):
        return at
    zone = ZoneInfo(client.timezone)
    local = at.astimezone(zone)
    end: time = client.quiet_hours.end
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    # Re-attach the zone after the date change so a DST switch lands on the right wall time.
    candidate = candidate.replace(tzinfo=None).replace(tzinfo=zone)
    return candidate.astimezone(at.tzinfo)


class FrequencyCap(BaseModel):
    """At most `per_day` messages in any rolling 24 h and `per_week` in any rolling 7 days, across
    every outreach sequence together (reminders included: they are sent first, by priority)."""

    per_day: int = 2
    per_week: int = 5

    def allows(self, sent_at: list[datetime], at: datetime) -> bool:
        day = sum(1 for t in sent_at if at - timedelta(days=1) < t <= at)
        week = sum(1 for t in sent_at if at - timedelta(days=7) < t <= at)
        return day < self.per_day and week < self.per_week

    def next_slot(self, sent_at: list[datetime], at: datetime) -> datetime:
        """The earliest time >= `at` at which one more message fits under both caps."""
        candidate = at
        for _ in range(len(sent_at) + 1):
            if self.allows(sent_at, candidate):
                return candidate
            day = sorted(t for t in sent_at if candidate - timedelta(days=1) < t <= candidate)
            week = sorted(t for t in sent_at if candidate - timedelta(days=7) < t <= candidate)
            waits = []
            if len(day) >= self.per_day:
                waits.append(day[len(day) - self.per_day] + timedelta(days=1, seconds=1))
            if len(week) >= self.per_week:
                waits.append(week[len(week) - self.per_week] + timedelta(days=7, seconds=1))
            candidate = max(waits)
        return candidate
