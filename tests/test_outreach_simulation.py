"""Two days of the practice simulation keep every outreach rule (the full month runs as
`python -m agent.outreach.simulate`)."""

from __future__ import annotations

import pytest

from agent.outreach.simulate import run


@pytest.mark.slow
def test_two_simulated_days_keep_quiet_hours_consent_caps_and_send_once(tmp_path):
    report = run(days=2, seed=7, workdir=tmp_path, client_limit=25)
    assert sum(report.sent_by_workflow.values()) > 15  # the practice's days of outreach happened
    assert report.reminders_front_desk_spared > 0
    assert report.sends_in_quiet_hours == 0
    assert report.sends_without_consent == 0
    assert report.cap_violations == 0
    assert report.duplicate_sends == 0
    assert report.audit_chain_ok
