"""The no-show model is explainable and picks more reminders for riskier visits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from agent.outreach.noshow import FEATURES, NoShowModel, features, reminder_plan
from tools.ehr.models import Appointment

T0 = datetime(2026, 3, 2, 15, tzinfo=UTC)


def visit(
    n: int, status: str, *, start: datetime | None = None, lead_days: int = 7, hour: int = 15
) -> Appointment:
    start = start or (T0 - timedelta(weeks=n)).replace(hour=hour)
    return Appointment(
        id=f"a{n}",
        client_id="c1",
        clinician_id="k1",
        start=start,
        end=start + timedelta(minutes=53),
        status=status,
        modality="telehealth",
        created_at=start - timedelta(days=lead_days),
        updated_at=start,
    )


def test_features_read_only_the_clients_past():
    history = [visit(3, "noshow"), visit(2, "fulfilled"), visit(1, "late_cancelled")]
    target = visit(0, "booked", start=T0, lead_days=2)
    later = visit(-1, "noshow")  # after the target: must not leak into its features
    row = dict(zip(FEATURES, features(target, [*history, later], "America/New_York"), strict=True))
    assert row["prior_noshow_rate"] == pytest.approx((1 + 0.1) / 4)
    assert row["prior_late_cancel_rate"] == pytest.approx((1 + 0.05) / 4)
    assert row["new_client"] == 0.0
    assert row["log_days_since_last_attended"] == pytest.approx(np.log1p(14))
    assert row["outside_9_to_5"] == 0.0  # 10:00 in New York


def test_new_client_and_evening_flags():
    target = visit(0, "booked", start=T0.replace(hour=23))  # 18:00 New York
    row = dict(zip(FEATURES, features(target, [], "America/New_York"), strict=True))
    assert row["new_client"] == 1.0 and row["outside_9_to_5"] == 1.0


def test_model_learns_that_past_no_shows_predict_and_explains_it():
    rng = random.Random(3)
    rows, outcomes = [], []
    for _ in range(600):
        rate = rng.random() * 0.6
        row = [rate, 0.02, np.log1p(7), 0.0, np.log1p(7), 0.0]
        rows.append(row)
        outcomes.append(1 if rng.random() < rate else 0)
    model = NoShowModel().fit(np.array(rows), np.array(outcomes))
    assert model.coefficients()["prior_noshow_rate"] > 0.5
    risky = model.explain([0.55, 0.02, np.log1p(7), 0.0, np.log1p(7), 0.0])
    steady = model.explain([0.01, 0.02, np.log1p(7), 0.0, np.log1p(7), 0.0])
    assert risky.probability > steady.probability
    assert risky.top_reasons[0].feature == "prior_noshow_rate"
    assert risky.tier in ("elevated", "high") and steady.tier == "standard"


def test_fit_refuses_a_history_without_any_no_show():
    with pytest.raises(ValueError, match="outcomes"):
        NoShowModel().fit(np.zeros((5, len(FEATURES))), np.zeros(5))


def test_tiered_plan_adds_touches_as_risk_rises():
    offsets = [timedelta(days=3), timedelta(days=1)]
    standard, elevated, high = (reminder_plan(t, offsets) for t in ("standard", "elevated", "high"))
    assert standard.offsets == offsets and not standard.ask_to_confirm
    assert elevated.offsets == offsets and elevated.ask_to_confirm
    assert high.offsets == [*offsets, timedelta(hours=3)] and high.ask_to_confirm


def test_the_seeded_sandbox_history_has_a_per_client_signal_the_model_learns(tmp_path):
    """The sandbox's own attendance (what `fit_from_ehr` sees in a dry run) differs by client: a
    model scored on clients it never saw ranks no-shows well above chance and beats the one
    constant risk of the static reminder on Brier score."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from agent.outreach.noshow import training_set
    from benchmarks.noshow import out_of_fold, sandbox_history
    from tools.ehr.sandbox import SandboxEHR
    from tools.ehr.seed import noshow_propensity

    ehr = SandboxEHR(tmp_path / "ehr.db", seed=7, anchor=T0.date())
    history, zones = sandbox_history(ehr)
    rows, outcomes, targets = training_set(history, zones)
    assert len(outcomes) > 1500 and 0.05 < outcomes.mean() < 0.15

    by_client: dict[str, list[int]] = {}
    for target, outcome in zip(targets, outcomes, strict=True):
        by_client.setdefault(target.client_id, []).append(int(outcome))
    often = [np.mean(v) for c, v in by_client.items() if noshow_propensity(7, c) >= 0.25]
    reliable = [np.mean(v) for c, v in by_client.items() if noshow_propensity(7, c) < 0.03]
    assert np.mean(often) > 5 * np.mean(reliable)

    predictions = out_of_fold(rows, outcomes, [t.client_id for t in targets])
    assert roc_auc_score(outcomes, predictions) > 0.65
    constant = np.full(len(outcomes), outcomes.mean())
    assert brier_score_loss(outcomes, predictions) < brier_score_loss(outcomes, constant)
