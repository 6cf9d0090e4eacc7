"""The crisis screen's learned layer: a logistic regression over the clause vectors the screen
already embeds, fitted on the labelled messages of the `dev` split.

Why: hand-written families stopped moving recall on unseen wording (each round of lexicon
families lifted the NEXT blind set by zero or one message), while the way real clients
understate a crisis ("I counted out my quetiapine, enough for a long rest") is learnable from
the 1,000+ labelled messages we already have. The curated exemplars stay the "why" shown to
the clinician: a learned hit names the clause that scored highest and the category of the risk
exemplar nearest to it.

The model sees one vector per message: the normalised mean of its clause vectors (the units the
semantic layer embeds), so it costs one dot product and no extra embedding. A single clause is
scored the same way (a one-clause message), which is how the evidence clause is picked.

The weights ship as `crisis_model.json` next to this module, with the SHA-256 of the exact
training rows; `python -m agent.safety train` refits them and a test fails when the data moved
and the weights were not refitted. The file is JSON (not pickle): nothing in it can execute.
Loading validates shape and numbers; a missing or corrupt file raises `LearnedLayerError`, which
the screen turns into a fail-closed result (a human looks), never a silently dropped layer.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

WEIGHTS_PATH = Path(__file__).with_name("crisis_model.json")
DATASET = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "crisis.jsonl"
# Never `heldout` (it stays the unseen measure). Rounds 9 and 10 folded the scored red-team records
# (2b-7) into `dev`: they are the most varied labelled wording we have, and each sealed set still
# measures unseen wording once before it is folded (docs/SAFETY.md).
TRAINING_SPLIT = "dev"
DIMENSIONS = 384
C = 2.0  # inverse L2 strength; 0.5-4 measured: 2 had the most recall with no routine alarm
# Rows without a red-team `source` (and the team's own `round4`...`round8` probes) were written by
# the team: one writer. Each red-team set is another writer.
TEAM = "team"
# Threshold rule: the LOWEST threshold (most recall) whose out-of-fold false alarms stay within
# this budget, out of fold meaning scored by a model that never saw that row's WRITER (round 10:
# random folds put every writer on both sides of a split and overstated what the layer does for
# a writer it has never seen). Every hit of this layer adds to what the lexicon and exemplars
# already page on, so the budget is what one more layer may cost a clinician, not what the
# layer would need alone.
HARD_NEGATIVE_BUDGET = 0.03
ROUTINE_BUDGET = 0.01
THRESHOLD_GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(70))  # 0.30 .. 0.99


class LearnedLayerError(RuntimeError):
    """The weights file is missing, unreadable or not a valid model: the screen fails closed."""


class LearnedWeights(BaseModel):
    """What `crisis_model.json` holds (JSON, validated on load)."""

    features: str = "mean of normalised clause vectors, renormalised (MiniLM-L6-v2, 384)"
    validation: str = "leave-one-writer-out"
    coef: list[float] = Field(min_length=DIMENSIONS, max_length=DIMENSIONS)
    intercept: float
    threshold: float = Field(gt=0.0, lt=1.0)
    C: float
    data_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int
    out_of_fold: dict[str, Any] = Field(
        default_factory=dict, description="recall / false alarms of the layer alone, per label"
    )


class LearnedModel:
    """The fitted layer: `message_score` decides, `clause_scores` picks the evidence."""

    def __init__(self, weights: LearnedWeights) -> None:
        self.weights = weights
        self.coef = np.asarray(weights.coef, dtype=np.float32)
        self.intercept = float(weights.intercept)
        self.threshold = float(weights.threshold)
        if not (np.all(np.isfinite(self.coef)) and math.isfinite(self.intercept)):
            raise LearnedLayerError("learned weights hold non-finite numbers")

    def message_score(self, vectors: np.ndarray) -> float:
        """Probability that the message is a crisis, from its clause vectors (rows)."""
        return float(_sigmoid(message_vector(vectors) @ self.coef + self.intercept))

    def clause_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Each clause scored alone (as a one-clause message would be)."""
        return _sigmoid(vectors @ self.coef + self.intercept)


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-z))


def message_vector(vectors: np.ndarray) -> np.ndarray:
    """The message's feature: the mean of its (normalised) clause vectors, renormalised."""
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def load(path: Path = WEIGHTS_PATH) -> LearnedModel:
    """The shipped model; raises `LearnedLayerError` (never a bare exception) if it is unusable."""
    try:
        weights = LearnedWeights.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise LearnedLayerError(f"learned weights unreadable: {type(exc).__name__}") from exc
    except ValidationError as exc:
        raise LearnedLayerError("learned weights file is not a valid model") from exc
    return LearnedModel(weights)


# ---------------------------------------------------------------- training (CLI, tests)
def training_rows(path: Path = DATASET) -> list[dict[str, Any]]:
    """The labelled rows the layer learns from: the `dev` split only."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [r for r in rows if r.get("split") == TRAINING_SPLIT]


def data_hash(rows: Sequence[dict[str, Any]]) -> str:
    """SHA-256 over what the fit depends on (id, text, label), in file order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row["id"], row["text"], row["label"]]).encode("utf-8"))
    return digest.hexdigest()


def writer(row: dict[str, Any]) -> str:
    """Who wrote a row: its red-team `source`, else the team."""
    source = str(row.get("source") or "")
    return source if source.startswith("redteam-") else TEAM


def writer_folds(groups: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-writer-out (train, test) index pairs: no writer is ever on both sides."""
    groups = np.asarray(groups)
    writers = sorted(set(groups.tolist()))
    if len(writers) < 2:
        raise ValueError("writer-grouped validation needs rows from at least two writers")
    return [(np.flatnonzero(groups != w), np.flatnonzero(groups == w)) for w in writers]


def fit(
    rows: Sequence[dict[str, Any]], clause_vectors: Callable[[list[str]], list[np.ndarray | None]]
) -> LearnedWeights:
    """Fit on `rows`; `clause_vectors(texts)` gives each message's clause vectors as the screen
    embeds them (None when it has no clause worth embedding; such rows are left out). The
    threshold comes from leave-one-writer-out scores (`writer_folds`).

    Deterministic: lbfgs on fixed data, fixed folds, weights rounded for the file."""
    from sklearn.linear_model import LogisticRegression

    features = clause_vectors([r["text"] for r in rows])
    kept = [(row, vec) for row, vec in zip(rows, features, strict=True) if vec is not None]
    x = np.stack([message_vector(vec) for _, vec in kept]).astype(np.float64)
    y = np.array([row["label"] == "crisis" for row, _ in kept], dtype=int)
    labels = np.array([row["label"] for row, _ in kept])

    out_of_fold = np.zeros(len(y))
    for train, test in writer_folds([writer(row) for row, _ in kept]):
        model = LogisticRegression(C=C, max_iter=5000).fit(x[train], y[train])
        out_of_fold[test] = model.predict_proba(x[test])[:, 1]
    threshold = choose_threshold(out_of_fold, labels)
    final = LogisticRegression(C=C, max_iter=5000).fit(x, y)
    fired = out_of_fold >= threshold
    report = {
        label: {"n": int((labels == label).sum()), "flagged": int(fired[labels == label].sum())}
        for label in ("crisis", "hard_negative", "routine")
    }
    return LearnedWeights(
        coef=[round(float(v), 6) for v in final.coef_[0]],
        intercept=round(float(final.intercept_[0]), 6),
        threshold=threshold,
        C=C,
        data_sha256=data_hash(rows),
        rows=len(kept),
        out_of_fold=report,
    )


def choose_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The lowest grid threshold whose out-of-fold false alarms fit the budgets (most recall)."""
    hard, routine = scores[labels == "hard_negative"], scores[labels == "routine"]
    for threshold in THRESHOLD_GRID:
        if (hard >= threshold).sum() <= HARD_NEGATIVE_BUDGET * len(hard) and (
            routine >= threshold
        ).sum() <= ROUTINE_BUDGET * len(routine):
            return threshold
    return THRESHOLD_GRID[-1]


def save(weights: LearnedWeights, path: Path = WEIGHTS_PATH) -> None:
    """Write the weights atomically (a reader never sees half a file)."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(weights.model_dump_json(indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
