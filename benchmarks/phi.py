"""PHI pseudonymizer: quality on `evals/datasets/phi.jsonl` and speed against a naive baseline.

Run: `python -m benchmarks.phi`. Prints known-identifier leakage (must be 0), recall per type on
identifiers the record does not name, over-redaction (detections no label covers), and the time per
message as a ratio to a baseline run in the same process (a regex-only email/phone scrubber).
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from agent.safety.phi import KnownIdentifiers, PHIError, Pseudonymizer

DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "phi.jsonl"


class LabelledSpan(BaseModel):
    start: int
    end: int
    type: str
    known: bool
    text: str


class PHIExample(BaseModel):
    id: str
    split: str  # "dev": the recognizers were tuned on it; "holdout": written after, never tuned on
    source: str | None = None  # "blind-2", "blind-3": written blind, by someone who never saw code
    text: str
    known: KnownIdentifiers
    spans: list[LabelledSpan]


class PHIReport(BaseModel):
    messages: int
    known_spans: int
    known_leaked: int
    recall: dict[str, tuple[int, int]]  # type -> (found, total) for unknown identifiers
    over_redactions: int
    blocked: int  # messages whose check found a known identifier left: sent to a human, not out
    misses: list[str]  # example ids + span types missed (ids only, no text)


def load_examples(path: Path = DATASET) -> list[PHIExample]:
    with path.open(encoding="utf-8") as handle:
        return [PHIExample.model_validate_json(line) for line in handle if line.strip()]


def evaluate(examples: list[PHIExample]) -> PHIReport:
    """A labelled span counts as found only when detections cover every letter and digit of it.

    Whitespace and punctuation inside a span are not scored: when both words of "Balwinder
    Singh" are replaced, the space left between the two placeholders identifies nobody, and
    the older every-character rule counted it as a leak."""
    leaked, known_total, over, blocked = 0, 0, 0, 0
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    for example in examples:
        pseudonymizer = Pseudonymizer(example.known)
        detections = pseudonymizer.detect(example.text)
        covered = {i for d in detections for i in range(d.start, d.end)}
        try:
            pseudonymizer.pseudonymize(example.text)
        except PHIError:  # a known identifier survived: the message fails closed, unsent
            blocked += 1
        for span in example.spans:
            hit = all(
                i in covered for i in range(span.start, span.end) if example.text[i].isalnum()
            )
            if span.known:
                known_total += 1
                if not hit:
                    leaked += 1
                    misses.append(f"{example.id}:known-{span.type}")
            else:
                total[span.type] += 1
                found[span.type] += hit
                if not hit:
                    misses.append(f"{example.id}:{span.type}")
        labelled = {i for s in example.spans for i in range(s.start, s.end)}
        over += sum(1 for d in detections if not labelled & set(range(d.start, d.end)))
    return PHIReport(
        messages=len(examples),
        known_spans=known_total,
        known_leaked=leaked,
        recall={t: (found[t], total[t]) for t in sorted(total)},
        over_redactions=over,
        blocked=blocked,
        misses=misses,
    )


_BASELINE = re.compile(r"[\w.+\-]+@[\w.\-]+\.\w+|\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}")


def _time_per_message(examples: list[PHIExample], rounds: int) -> tuple[float, float]:
    """Median seconds per message: our pseudonymizer vs the regex-only baseline."""
    ours, baseline = [], []
    instances = [Pseudonymizer(e.known) for e in examples]
    for _ in range(rounds):
        start = time.perf_counter()
        for example, pseudonymizer in zip(examples, instances, strict=True):
            pseudonymizer.pseudonymize(example.text)
        ours.append((time.perf_counter() - start) / len(examples))
        start = time.perf_counter()
        for example in examples:
            _BASELINE.sub("<REDACTED>", example.text)
        baseline.append((time.perf_counter() - start) / len(examples))
    return statistics.median(ours), statistics.median(baseline)


def _build_seconds(examples: list[PHIExample]) -> tuple[float, float]:
    """Mean seconds to build a `Pseudonymizer` for each distinct client: the first time in the
    process (caches emptied) and again (what every later turn for that client pays)."""
    from agent.safety import phi

    clients = list({e.known.model_dump_json(): e.known for e in examples}.values())
    phi._compiled.cache_clear()
    phi._misspelling_pattern.cache_clear()
    re.purge()
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        for known in clients:
            Pseudonymizer(known)
        timings.append((time.perf_counter() - start) / len(clients))
    return timings[0], timings[1]


def _print(title: str, report: PHIReport) -> None:
    print(f"== {title}")
    print(f"messages: {report.messages}")
    print(f"known identifiers: {report.known_spans}, leaked: {report.known_leaked}")
    for entity, (hit, count) in report.recall.items():
        print(f"recall {entity:8s} {hit:3d}/{count:<3d} = {hit / count:.3f}")
    all_hit = sum(h for h, _ in report.recall.values())
    all_count = sum(c for _, c in report.recall.values())
    print(f"recall all      {all_hit:3d}/{all_count:<3d} = {all_hit / all_count:.3f}")
    print(f"over-redactions (detections covering no label): {report.over_redactions}")
    print(f"blocked (a known identifier survived; fails closed to a human): {report.blocked}")
    if report.misses:
        print("missed:", ", ".join(report.misses))


def _worst_case_seconds() -> tuple[str, float]:
    """Slowest of a few adversarial texts at the length limit (regex blow-up guard)."""
    from agent.safety.phi import MAX_TEXT_CHARS

    texts = {
        "run of letters": "a" * MAX_TEXT_CHARS,
        "digits and dashes": "1-" * (MAX_TEXT_CHARS // 2),
        "dots": "a." * (MAX_TEXT_CHARS // 2),
        "repeated name": "Sarah " * (MAX_TEXT_CHARS // 6),
        "street-like words": ("12 " + "Main " * 5) * (MAX_TEXT_CHARS // 28),
        "accented names": "José Gómez " * (MAX_TEXT_CHARS // 11),
        "spelled-out birthdays": "5 de noviembre de 2014, " * (MAX_TEXT_CHARS // 24),
        "lower-case name slots": "kenji and I went from work " * (MAX_TEXT_CHARS // 27),
        "possessives and relations": "Sofiia's school, my bf jun " * (MAX_TEXT_CHARS // 27),
        "lists of names": "Kevin and Vy, Dmytro showed up. " * (MAX_TEXT_CHARS // 32),
        "korean and cyrillic names": "Yoon Ok-soon and Марія " * (MAX_TEXT_CHARS // 23),
        "kin titles, brackets, initials": "Uncle (K.J.) Babcia my TA " * (MAX_TEXT_CHARS // 26),
        "arabic kin words": "اختي سلمى وزوجي " * (MAX_TEXT_CHARS // 16),
        "dictated digits": "six five oh double one forty four, " * (MAX_TEXT_CHARS // 36),
        "dictated emails": "my friend j doe dot k at mail dot " * (MAX_TEXT_CHARS // 34),
    }
    pseudonymizer = Pseudonymizer(
        KnownIdentifiers(full_name="Hope Alvarez", date_of_birth=date(2014, 11, 5))
    )
    timings = {}
    for name, text in texts.items():
        start = time.perf_counter()
        pseudonymizer.pseudonymize(text)
        timings[name] = time.perf_counter() - start
    worst = max(timings, key=timings.__getitem__)
    return worst, timings[worst]


def main() -> None:
    examples = load_examples()
    for split in ("dev", "holdout"):
        _print(f"split {split}", evaluate([e for e in examples if e.split == split]))
    for source in sorted({e.source for e in examples if e.source}):
        _print(
            f"source {source} (inside its split)",
            evaluate([e for e in examples if e.source == source]),
        )
    ours, baseline = _time_per_message(examples, rounds=5)
    print(
        f"speed: {ours * 1000:.2f} ms/message (baseline regex scrubber {baseline * 1000:.3f} ms); "
        f"ratio {ours / baseline:.0f}x the baseline, {1 / ours:.0f} messages/s on one core"
    )
    first, again = _build_seconds(examples)
    print(
        f"Pseudonymizer build: {first * 1000:.2f} ms for a client's first turn in the process, "
        f"{again * 1000:.2f} ms for a later turn ({first / again:.0f}x cheaper, cached patterns)"
    )
    worst, seconds = _worst_case_seconds()
    print(f"worst adversarial 20,000-character text: {worst!r}, {seconds:.2f} s")


if __name__ == "__main__":
    main()
