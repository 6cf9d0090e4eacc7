"""No-show model vs the static 24-hour reminder: `python -m benchmarks.noshow [--seed 7]`.

Two histories, both from the sandbox practice (its clients, clinicians, recurring visit times):
  A. the sandbox's own seeded history: 26 weeks of past visits whose attendance the seed draws
     from each client's latent propensity (`tools.ehr.seed.noshow_propensity`: most clients
     reliably attend, a few often miss), a little higher for long lead times and visits before
     9 or after 5 — what `fit_from_ehr` learns from in the product;
  B. the same recurring visits with outcomes drawn from the outreach simulation's propensity
     (`agent.outreach.simulate.client_propensity`, a Beta distribution), for comparison.
For each: out-of-fold predictions (5 folds grouped by client, so no client is in its own training
fold) -> AUC, Brier score and a calibration table, against the static 24-hour reminder, which
treats every visit alike (a constant risk: the base rate; AUC 0.5). Then how the tiered plan
concentrates extra reminders: the share of no-shows among visits it puts in the elevated/high
tiers vs the share of visits those tiers get.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupKFold

from agent.outreach.noshow import FEATURES, HISTORY_WINDOW, NoShowModel, training_set
from agent.outreach.simulate import REMINDER_EFFECT, client_propensity
from tools.ehr.models import Appointment
from tools.ehr.sandbox import SandboxEHR

ANCHOR = date(2026, 3, 2)


def out_of_fold(rows: np.ndarray, outcomes: np.ndarray, groups: list[str]) -> np.ndarray:
    predictions = np.zeros(len(outcomes))
    for train, test in GroupKFold(n_splits=5).split(rows, outcomes, groups):
        model = NoShowModel().fit(rows[train], outcomes[train])
        predictions[test] = model.predict(rows[test])
    return predictions


def calibration(predictions: np.ndarray, outcomes: np.ndarray, bins: int = 5) -> list[tuple]:
    """(mean predicted, observed rate, count) per quantile bin, and the expected calibration
    error as the count-weighted mean gap."""
    order = np.argsort(predictions)
    table = []
    for chunk in np.array_split(order, bins):
        table.append((float(predictions[chunk].mean()), float(outcomes[chunk].mean()), len(chunk)))
    return table


def ece(table: list[tuple]) -> float:
    total = sum(n for _, _, n in table)
    return sum(abs(p - o) * n for p, o, n in table) / total


def evaluate(name: str, rows: np.ndarray, outcomes: np.ndarray, groups: list[str]) -> None:
    started = time.perf_counter()
    predictions = out_of_fold(rows, outcomes, groups)
    base = np.full(len(outcomes), outcomes.mean())
    model_table = calibration(predictions, outcomes)
    print(
        f"\n== {name}: {len(outcomes)} visits, {int(outcomes.sum())} no-shows "
        f"(base rate {outcomes.mean():.3f}); evaluated in {time.perf_counter() - started:.2f} s"
    )
    print(f"{'':28}{'AUC':>8}{'Brier':>9}{'ECE':>8}")
    # One risk for every visit: ranks nothing (AUC 0.5) and is calibrated in the large by
    # construction (it is the base rate), so its ECE is 0.
    print(
        f"{'static 24-hour reminder':28}{0.5:>8.3f}{brier_score_loss(outcomes, base):>9.4f}"
        f"{0.0:>8.4f}"
    )
    print(
        f"{'no-show model':28}{roc_auc_score(outcomes, predictions):>8.3f}"
        f"{brier_score_loss(outcomes, predictions):>9.4f}{ece(model_table):>8.4f}"
    )
    print("calibration (model): mean predicted -> observed (n)")
    for p, o, n in model_table:
        print(f"   {p:6.3f} -> {o:6.3f} ({n})")
    model = NoShowModel().fit(rows, outcomes)
    tiers = np.array([model.tier(p) for p in predictions])
    targeted = tiers != "standard"
    share_visits = targeted.mean()
    share_noshows = outcomes[targeted].sum() / max(outcomes.sum(), 1)
    print(
        f"tiered plan: elevated/high tiers get {share_visits:.1%} of visits and hold "
        f"{share_noshows:.1%} of the no-shows (lift {share_noshows / max(share_visits, 1e-9):.2f})"
    )
    print("coefficients (log-odds per SD, fitted on all):", model.coefficients())


def sandbox_history(ehr: SandboxEHR) -> tuple[dict[str, list[Appointment]], dict[str, str]]:
    clients = ehr.list_clients()
    history = {
        c.id: ehr.appointments(c.id, start=ehr.now() - HISTORY_WINDOW, end=ehr.now())
        for c in clients
    }
    return history, {c.id: c.timezone for c in clients}


def propensity_history(ehr: SandboxEHR, seed: int, weeks: int = 26):
    """The sandbox's recurring visits repeated back over `weeks`, outcomes drawn per client from
    its latent propensity, lowered by the one 24-hour reminder every visit got."""
    rng = random.Random(f"bench-noshow:{seed}")
    history: dict[str, list[Appointment]] = {}
    timezones = {}
    for client in ehr.list_clients():
        timezones[client.id] = client.timezone
        upcoming = ehr.upcoming_appointments(client.id)
        if not upcoming:
            continue
        template = upcoming[0]
        p = client_propensity(client.id, seed) * REMINDER_EFFECT
        visits = []
        for week in range(weeks, 0, -1):
            start = template.start - timedelta(weeks=week + 1)
            lead = timedelta(days=rng.choice((3, 7, 7, 14, 21, 30)))
            status = "noshow" if rng.random() < p else "fulfilled"
            visits.append(
                template.model_copy(
                    update={
                        "id": f"{template.id}-w{week}",
                        "start": start,
                        "end": start + (template.end - template.start),
                        "created_at": start - lead,
                        "updated_at": start,
                        "status": status,
                    }
                )
            )
        history[client.id] = visits
    return history, timezones


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ehr = SandboxEHR(Path(tmp) / "ehr.db", seed=args.seed, anchor=ANCHOR)
        print(f"features: {', '.join(FEATURES)}")
        history, zones = sandbox_history(ehr)
        rows, outcomes, targets = training_set(history, zones)
        evaluate("A. sandbox seeded history", rows, outcomes, [t.client_id for t in targets])
        history, zones = propensity_history(ehr, args.seed)
        rows, outcomes, targets = training_set(history, zones)
        evaluate(
            "B. 26 weeks with per-client propensity", rows, outcomes, [t.client_id for t in targets]
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
