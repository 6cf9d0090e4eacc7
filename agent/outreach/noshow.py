"""No-show risk: an explainable model from the client's own attendance history that picks how hard
to remind (a tiered reminder plan) instead of one static reminder for everyone.

A logistic regression on six named features; the front desk can read its coefficients and, for any
appointment, which features pushed the risk up. It is fitted on the practice's own past
appointments (the sandbox's synthetic history in development) and never sees notes or message text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

from tools.ehr.base import EHR
from tools.ehr.models import Appointment

FEATURES: tuple[str, ...] = (
    "prior_noshow_rate",
    "prior_late_cancel_rate",
    "log_lead_time_days",
    "outside_9_to_5",
    "log_days_since_last_attended",
    "new_client",
)
# Outcomes that count as history (an appointment that was meant to happen).
_HISTORY_STATUSES = frozenset({"fulfilled", "noshow", "late_cancelled"})
# How far back history is read: older behaviour says little about next week.
HISTORY_WINDOW = timedelta(days=365)
NO_VISIT_DAYS = 180.0  # stand-in "days since last attended" for a client who never attended

Tier = Literal["standard", "elevated", "high"]


def features(target: Appointment, history: Sequence[Appointment], timezone: str) -> list[float]:
    """The feature vector of `target` from appointments of the same client that started before it.

    Rates are Laplace-smoothed towards a typical rate so one missed visit out of one does not read
    as certainty.
    """
    since = target.start - HISTORY_WINDOW
    past = [
        a
        for a in history
        if a.id != target.id and since <= a.start < target.start and a.status in _HISTORY_STATUSES
    ]
    n = len(past)
    noshows = sum(1 for a in past if a.status == "noshow")
    late = sum(1 for a in past if a.status == "late_cancelled")
    attended = [a.start for a in past if a.status == "fulfilled"]
    lead_days = max((target.start - target.created_at).total_seconds() / 86400, 0.0)
    local_hour = target.start.astimezone(ZoneInfo(timezone)).hour
    days_since = (
        (target.start - max(attended)).total_seconds() / 86400 if attended else NO_VISIT_DAYS
    )
    return [
        (noshows + 0.1) / (n + 1),
        (late + 0.05) / (n + 1),
        math.log1p(lead_days),
        1.0 if local_hour < 9 or local_hour >= 17 else 0.0,
        math.log1p(min(days_since, NO_VISIT_DAYS)),
        1.0 if n == 0 else 0.0,
    ]


class Contribution(BaseModel):
    feature: str
    value: float
    effect: float  # coefficient x standardized value: log-odds this feature adds


class NoShowRisk(BaseModel):
    probability: float
    tier: Tier
    top_reasons: list[Contribution]


class ReminderPlan(BaseModel):
    """Reminder offsets before the appointment; `ask_to_confirm` asks for a reply."""

    tier: Tier
    offsets: list[timedelta]
    ask_to_confirm: bool


class NoShowModel:
    """Standardize -> logistic regression. `coefficients()` is the whole model in plain numbers."""

    def __init__(self, *, elevated_at: float = 0.15, high_at: float = 0.30):
        self.elevated_at = elevated_at
        self.high_at = high_at
        self._mean = np.zeros(len(FEATURES))
        self._scale = np.ones(len(FEATURES))
        self._model: LogisticRegression | None = None

    @property
    def fitted(self) -> bool:
        return self._model is not None

    def fit(self, rows: np.ndarray, outcomes: np.ndarray) -> NoShowModel:
        """Fit on feature rows (see `features`) and outcomes (1 = no-show)."""
        if len(set(outcomes.tolist())) < 2:
            raise ValueError("outcomes: need both attended and no-show appointments to fit")
        self._mean = rows.mean(axis=0)
        self._scale = rows.std(axis=0)
        self._scale[self._scale == 0] = 1.0
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit((rows - self._mean) / self._scale, outcomes)
        self._model = model
        return self

    def predict(self, rows: np.ndarray) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("NoShowModel.predict before fit")
        return self._model.predict_proba((rows - self._mean) / self._scale)[:, 1]

    def coefficients(self) -> dict[str, float]:
        """Log-odds per standard deviation of each feature, plus the intercept."""
        if self._model is None:
            raise RuntimeError("NoShowModel.coefficients before fit")
        named = dict(zip(FEATURES, self._model.coef_[0].round(4).tolist(), strict=True))
        named["intercept"] = round(float(self._model.intercept_[0]), 4)
        return named

    def tier(self, probability: float) -> Tier:
        if probability >= self.high_at:
            return "high"
        if probability >= self.elevated_at:
            return "elevated"
        return "standard"

    def explain(self, row: Sequence[float]) -> NoShowRisk:
        """The risk of one appointment with the features that raised it most."""
        vector = np.asarray(row, dtype=float)
        probability = float(self.predict(vector[None, :])[0])
        assert self._model is not None
        effects = self._model.coef_[0] * (vector - self._mean) / self._scale
        reasons = [
            Contribution(feature=name, value=round(float(v), 3), effect=round(float(e), 3))
            for name, v, e in zip(FEATURES, vector, effects, strict=True)
        ]
        reasons.sort(key=lambda c: c.effect, reverse=True)
        return NoShowRisk(
            probability=round(probability, 4),
            tier=self.tier(probability),
            top_reasons=[c for c in reasons if c.effect > 0][:3],
        )


def reminder_plan(tier: Tier, practice_offsets: Sequence[timedelta]) -> ReminderPlan:
    """The practice's offsets for everyone; more touches as the risk rises.

    standard: the practice's offsets (default 3 days and 1 day before);
    elevated: the same, and the 1-day reminder asks the client to confirm;
    high:     also a same-day reminder 3 hours before, asking to confirm.
    """
    offsets = sorted(set(practice_offsets), reverse=True)
    if tier == "high":
        offsets = sorted({*offsets, timedelta(hours=3)}, reverse=True)
    return ReminderPlan(tier=tier, offsets=offsets, ask_to_confirm=tier != "standard")


def training_set(
    appointments_by_client: dict[str, list[Appointment]],
    timezones: dict[str, str],
    *,
    before: datetime | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Appointment]]:
    """Feature rows, outcomes and the appointments they describe, from every client's history.

    Only appointments with a known outcome (fulfilled / noshow / late_cancelled) are rows; a late
    cancel is not a no-show (the slot was released, however late).
    """
    rows: list[list[float]] = []
    outcomes: list[int] = []
    targets: list[Appointment] = []
    for client_id, history in appointments_by_client.items():
        for appointment in history:
            if appointment.status not in ("fulfilled", "noshow"):
                continue
            if before is not None and appointment.start >= before:
                continue
            rows.append(features(appointment, history, timezones[client_id]))
            outcomes.append(1 if appointment.status == "noshow" else 0)
            targets.append(appointment)
    return np.asarray(rows, dtype=float).reshape(-1, len(FEATURES)), np.asarray(outcomes), targets


def fit_from_ehr(ehr: EHR, *, lookback: timedelta = HISTORY_WINDOW) -> NoShowModel | None:
    """A model fitted on every client's attendance in the EHR, or None when the history cannot
    support one (no no-show yet): reminders then use the practice's standard plan for everyone."""
    now = ehr.now()
    clients = ehr.list_clients()
    history = {c.id: ehr.appointments(c.id, start=now - lookback, end=now) for c in clients}
    rows, outcomes, _ = training_set(history, {c.id: c.timezone for c in clients})
    try:
        return NoShowModel().fit(rows, outcomes)
    except ValueError:
        return None
