"""Intent classifier quality and speed on evals/datasets/intents.jsonl, against a baseline.

Run: `python -m benchmarks.classify [--latency-samples N]`

Quality, dev and held-out reported separately (held-out messages were written and labelled before
the classifier existed and are never used to tune it): primary-intent accuracy, exact intent-set
accuracy, recall of the human-routing intents (crisis, medication, clinical), expected calibration
error of `confidence`, unsure rate, and a per-class confusion matrix of the primary intent.

Baseline, in the same process and on the same embeddings: nearest centroid of the exemplars
(whole message, one intent). Speed: batch throughput and single-message p50/p99 latency, reported
as ratios against the baseline (which pays the same embedding cost, so the ratio isolates what
clause splitting, TF-IDF and calibration add).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from agent.classify import (  # noqa: E402
    DEFAULT_EXEMPLARS,
    INTENTS,
    SENSITIVE_INTENTS,
    IntentClassifier,
    _read_exemplars,
)
from agent.settings import get_settings  # noqa: E402
from knowledge import embeddings  # noqa: E402
from knowledge.embeddings import embed  # noqa: E402

DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "intents.jsonl"


class NearestCentroid:
    """Baseline: cosine to each intent's mean exemplar embedding; one intent per message."""

    def __init__(self) -> None:
        exemplars = _read_exemplars(DEFAULT_EXEMPLARS)
        vectors = embed([e.text for e in exemplars])
        labels = np.array([e.intent for e in exemplars])
        centroids = np.stack([vectors[labels == intent].mean(axis=0) for intent in INTENTS])
        self._centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    def classify_many(self, texts: list[str]) -> list[str]:
        return [INTENTS[int(i)] for i in (embed(texts) @ self._centroids.T).argmax(axis=1)]


def _expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = 10):
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidences > low) & (confidences <= high)
        if in_bin.any():
            error += in_bin.mean() * abs(confidences[in_bin].mean() - correct[in_bin].mean())
    return float(error)


def _confusion(rows: list[dict], predicted: list[str]) -> str:
    short = [i[:8] for i in INTENTS]
    lines = ["true \\ predicted  " + " ".join(f"{s:>8}" for s in short)]
    for intent in INTENTS:
        counts = [
            sum(
                1
                for r, p in zip(rows, predicted, strict=True)
                if r["intents"][0] == intent and p == other
            )
            for other in INTENTS
        ]
        lines.append(f"{intent:>16}  " + " ".join(f"{c:>8}" for c in counts))
    return "\n".join(lines)


def _quality(name: str, rows: list[dict], classifier: IntentClassifier, baseline: NearestCentroid):
    predictions = classifier.classify_many([r["text"] for r in rows])
    base = baseline.classify_many([r["text"] for r in rows])
    primary = np.array(
        [p.intent == r["intents"][0] for p, r in zip(predictions, rows, strict=True)]
    )
    exact = np.array(
        [set(p.intents) == set(r["intents"]) for p, r in zip(predictions, rows, strict=True)]
    )
    multi = [i for i, r in enumerate(rows) if len(r["intents"]) > 1]
    sensitive = [
        (intent, p)
        for p, r in zip(predictions, rows, strict=True)
        for intent in r["intents"]
        if intent in SENSITIVE_INTENTS
    ]
    sensitive_recall = np.mean([intent in p.intents for intent, p in sensitive])
    false_crisis = sum(
        "crisis" in p.intents and "crisis" not in r["intents"]
        for p, r in zip(predictions, rows, strict=True)
    )
    confidences = np.array([p.confidence for p in predictions])
    unsure = np.array([p.unsure for p in predictions])
    base_primary = np.mean([b == r["intents"][0] for b, r in zip(base, rows, strict=True)])
    print(f"\n== {name}: {len(rows)} messages ({len(multi)} multi-intent)")
    print(f"primary accuracy        {primary.mean():.3f}   (nearest-centroid {base_primary:.3f})")
    print(
        f"intent-set accuracy     {exact.mean():.3f}   multi-intent only {exact[multi].mean():.3f}"
    )
    print(
        f"human-route recall      {sensitive_recall:.3f}   (crisis/medication/clinical labels kept)"
    )
    routine = sum("crisis" not in r["intents"] for r in rows)
    print(f"crisis label on routine {false_crisis} of {routine} messages without a crisis")
    print(f"calibration ECE         {_expected_calibration_error(confidences, primary):.3f}")
    sure_accuracy = primary[~unsure].mean() if (~unsure).any() else float("nan")
    print(f"unsure                  {unsure.mean():.3f}   accuracy when sure {sure_accuracy:.3f}")
    print(_confusion(rows, [p.intent for p in predictions]))
    return primary.mean()


def _latency(
    classifier: IntentClassifier, baseline: NearestCentroid, texts: list[str], samples: int
):
    def timed(function) -> np.ndarray:
        durations = []
        for text in texts[:samples]:
            embeddings.clear_cache()
            start = time.perf_counter()
            function([text])
            durations.append(time.perf_counter() - start)
        return np.array(durations) * 1000

    classifier.classify_many(texts[:8])  # warm both paths
    baseline.classify_many(texts[:8])
    ours, theirs = timed(classifier.classify_many), timed(baseline.classify_many)
    embeddings.clear_cache()
    start = time.perf_counter()
    classifier.classify_many(texts)
    ours_batch = len(texts) / (time.perf_counter() - start)
    embeddings.clear_cache()
    start = time.perf_counter()
    baseline.classify_many(texts)
    theirs_batch = len(texts) / (time.perf_counter() - start)
    print(
        f"\n== speed ({min(samples, len(texts))} single messages, then {len(texts)} in one batch)"
    )
    for label, q in (("p50", 50), ("p99", 99)):
        a, b = np.percentile(ours, q), np.percentile(theirs, q)
        print(
            f"latency {label}   classifier {a:7.1f} ms   baseline {b:7.1f} ms   ratio {a / b:.2f}x"
        )
    print(
        f"throughput    classifier {ours_batch:7.1f} msg/s baseline {theirs_batch:7.1f} msg/s "
        f"ratio {ours_batch / theirs_batch:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-samples", type=int, default=200)
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line]
    start = time.perf_counter()
    classifier = IntentClassifier(cache_dir=get_settings().data_dir / "models")
    print(f"classifier ready in {time.perf_counter() - start:.1f} s (model load + fit or cache)")
    baseline = NearestCentroid()
    for split in ("dev", "heldout"):
        _quality(split, [r for r in rows if r["split"] == split], classifier, baseline)
    _latency(classifier, baseline, [r["text"] for r in rows], args.latency_samples)


if __name__ == "__main__":
    main()
