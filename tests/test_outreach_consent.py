"""Contact rules: channel consent and opt-outs, guardian routing for minors, Part 2 portal-only,
quiet hours in the client's own time zone, and frequency caps across sequences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agent.outreach.consent import (
    Blocked,
    FrequencyCap,
    Recipient,
    in_quiet_hours,
    next_allowed_time,
    recipient,
)
from tools.ehr.models import Client, ConsentFlags, Guardian, QuietHours


def make_client(**changes) -> Client:
    base = dict(
        id="cl-x", given_name="Rowan", family_name="Ibarra", birth_date=date(1990, 5, 1),
        record_number="MRN-1", timezone="America/New_York", clinician_id="clin-reyes",
        preferred_channel="sms", consents=ConsentFlags(sms=True, email=True),
    )
    base.update(changes)
    return Client(**base)


def test_preferred_channel_used_when_consented():
    assert recipient(make_client()) == Recipient(kind="client", channel="sms")


def test_opted_out_channel_falls_back_to_portal():
    client = make_client(opted_out_channels=("sms",))
    assert recipient(client) == Recipient(kind="client", channel="portal")


def test_no_consent_for_preferred_channel_falls_back():
    client = make_client(consents=ConsentFlags(sms=False, email=True), preferred_channel="sms")
    assert recipient(client).channel == "portal"


def test_no_consented_channel_blocks():
    client = make_client(
        consents=ConsentFlags(portal_messaging=False, sms=False, email=False),
    )
    assert recipient(client) == Blocked(reason="no_consented_channel")


def test_every_channel_opted_out_blocks():
    client = make_client(opted_out_channels=("sms", "email", "portal"))
    assert isinstance(recipient(client), Blocked)


def test_minor_routes_to_guardian_on_guardian_channel():
    guardian = Guardian(name="Dana Ibarra", relationship="mother", preferred_channel="email")
    client = make_client(is_minor=True, guardian=guardian)
    assert recipient(client) == Recipient(kind="guardian", channel="email")


def test_minor_without_guardian_is_never_contacted():
    assert recipient(make_client(is_minor=True)) == Blocked(reason="minor_without_guardian")


def test_part2_client_only_on_secure_portal():
    assert recipient(make_client(part2=True)) == Recipient(kind="client", channel="portal")
    blocked = recipient(
        make_client(part2=True, consents=ConsentFlags(portal_messaging=False, sms=True))
    )
    assert blocked == Blocked(reason="part2_portal_only")


def test_inactive_client_blocked():
    assert recipient(make_client(active=False)) == Blocked(reason="inactive")


def test_voice_is_never_used_by_automation():
    client = make_client(
        preferred_channel="voice",
        consents=ConsentFlags(portal_messaging=False, voice=True),
    )
    assert isinstance(recipient(client), Blocked)


@pytest.mark.parametrize(
    ("utc_hour", "timezone", "quiet"),
    [
        (2, "America/New_York", True),  # 21:00 EST
        (1, "America/New_York", False),  # 20:00 EST
        (2, "America/Los_Angeles", False),  # 18:00 PST: same instant, not quiet out west
        (13, "America/New_York", False),  # 08:00 EST: quiet hours end at 08:00
        (12, "America/New_York", True),  # 07:00 EST
    ],
)
def test_quiet_hours_read_in_client_zone(utc_hour, timezone, quiet):
    at = datetime(2026, 3, 3, utc_hour, tzinfo=UTC)
    assert in_quiet_hours(make_client(timezone=timezone), at) is quiet


def test_next_allowed_time_is_end_of_quiet_hours_local():
    client = make_client(timezone="America/Chicago")
    at = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # 22:30 CST
    allowed = next_allowed_time(client, at)
    assert allowed == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 08:00 CST next morning
    assert next_allowed_time(client, allowed) == allowed


def test_quiet_hours_across_dst_change():
    # US DST starts 2026-03-08: 08:00 EDT is 12:00 UTC, not 13:00.
    client = make_client()
    at = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST, before the switch
    assert next_allowed_time(client, at) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_daytime_quiet_window_supported():
    client = make_client(quiet_hours=QuietHours(start=time(12), end=time(13)))
    assert in_quiet_hours(client, datetime(2026, 3, 3, 17, 30, tzinfo=UTC))
    assert not in_quiet_hours(client, datetime(2026, 3, 3, 18, 0, tzinfo=UTC))


def test_frequency_cap_per_day_and_week():
    cap = FrequencyCap(per_day=2, per_week=3)
    t0 = datetime(2026, 3, 2, 15, tzinfo=UTC)
    assert cap.allows([], t0)
    assert cap.allows([t0], t0 + timedelta(hours=1))
    two = [t0, t0 + timedelta(hours=1)]
    assert not cap.allows(two, t0 + timedelta(hours=2))
    assert cap.next_slot(two, t0 + timedelta(hours=2)) == t0 + timedelta(days=1, seconds=1)
    three = [t0, t0 + timedelta(days=1), t0 + timedelta(days=2)]
    assert not cap.allows(three, t0 + timedelta(days=3))
    assert cap.next_slot(three, t0 + timedelta(days=3)) == t0 + timedelta(days=7, seconds=1)
