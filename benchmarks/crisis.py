"""Crisis screen speed: single-message latency (p50/p99) and batch throughput.

    python -m benchmarks.crisis [--rounds 3] [--single 409] [--texts 629]

Messages are the texts of evals/datasets/crisis.jsonl (`--texts N`: only the first N). The
baseline, run in the same process, is the unavoidable cost: one `embed()` of each whole message
with the shared MiniLM model. The screen's figures are reported next to it as ratios, so a
slower or busier machine shows up in both.
Targets (issue 4): p99 <= 25 ms for one message, >= 200 messages/s in batch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "crisis.jsonl"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _single(fn, texts: list[str]) -> list[float]:
    timings = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _rate(run, rounds: int, count: int) -> float:
    """Messages per second over `rounds` passes, each starting from an empty embedding cache."""
    from knowledge.embeddings import clear_cache

    elapsed = 0.0
    for _ in range(rounds):
        clear_cache()
        start = time.perf_counter()
        run()
        elapsed += time.perf_counter() - start
    return rounds * count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="batch passes over the dataset")
    parser.add_argument("--single", type=int, default=409, help="messages timed one at a time")
    parser.add_argument(
        "--texts",
        type=int,
        default=None,
        help="use only the first N messages (same sample as an earlier, smaller data set)",
    )
    args = parser.parse_args()

    from agent.safety.crisis import CrisisScreen
    from knowledge.embeddings import clear_cache, embed

    texts = [json.loads(line)["text"] for line in DATASET.read_text(encoding="utf-8").splitlines()]
    texts = texts[: args.texts] if args.texts else texts
    screen = CrisisScreen()
    screen.screen_many(texts[:32])  # warm up model and code paths
    embed(texts[:32])

    singles = random.Random(0).sample(texts, min(args.single, len(texts)))  # mix crisis/routine
    clear_cache()
    base_single = _single(lambda t: embed([t]), singles)
    clear_cache()  # the screen embeds clauses, often a whole short message: never from the cache
    screen_single = _single(screen.screen, singles)

    base_rate = _rate(lambda: embed(texts), args.rounds, len(texts))
    screen_rate = _rate(lambda: screen.screen_many(texts), args.rounds, len(texts))

    report = {
        "messages": len(texts),
        "cpu_threads": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "single_ms": {
            "screen_p50": round(statistics.median(screen_single), 2),
            "screen_p99": round(_percentile(screen_single, 0.99), 2),
            "baseline_embed_p50": round(statistics.median(base_single), 2),
            "baseline_embed_p99": round(_percentile(base_single, 0.99), 2),
            "p99_ratio_vs_baseline": round(
                _percentile(screen_single, 0.99) / _percentile(base_single, 0.99), 2
            ),
        },
        "batch_messages_per_s": {
            "screen": round(screen_rate, 1),
            "baseline_embed": round(base_rate, 1),
            "ratio_vs_baseline": round(screen_rate / base_rate, 2),
        },
        "targets": {"p99_ms": 25, "batch_messages_per_s": 200},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
