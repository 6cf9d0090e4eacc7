"""Command line for the crisis screen, for people auditing past messages and for the evals.

    python -m agent.safety screen < messages.jsonl     # {"id": ..., "text": ...} per line
    python -m agent.safety evaluate evals/datasets/crisis.jsonl [--split dev|heldout] [--misses]
    python -m agent.safety train [--check]   # refit the learned layer's weights from `dev`
    python -m agent.safety crossval [PATH] [--misses]   # the learned layer on unseen writers

`screen` writes one JSON line per input line, in order. A line that is not valid JSON or lacks a
string `text` gets an output line with an `error` naming the problem and crisis=true (a human
looks), so no input line is ever silently dropped. Input is read and screened in batches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

BATCH = 64


def _parse(line: str, number: int) -> tuple[Any, str | None, str | None]:
    """(id, text, error) for one input line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"line {number}: not valid JSON ({exc.msg})"
    if not isinstance(record, dict):
        return None, None, f"line {number}: expected a JSON object"
    text = record.get("text")
    if not isinstance(text, str):
        return record.get("id"), None, f"line {number}: field 'text' must be a string"
    return record.get("id"), text, None


def _batches(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        batch.append((number, line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def screen_lines(screen: Any, lines: Iterable[str], out: TextIO) -> int:
    """Screen JSON lines from `lines` into `out`; returns how many input lines were malformed."""
    from agent.safety.crisis import fail_closed

    malformed = 0
    for batch in _batches(lines):
        parsed = [(number, *_parse(line, number)) for number, line in batch]
        texts = [text for _, _, text, error in parsed if error is None]
        results = iter(screen.screen_many(texts))
        for _number, record_id, _text, error in parsed:
            if error is not None:
                malformed += 1
                result = fail_closed(error)
            else:
                result = next(results)
            row = {
                "id": record_id,
                **result.model_dump(
                    include={"crisis", "severity", "categories", "evidence", "error"}
                ),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
    return malformed


def evaluate(screen: Any, path: str, split: str | None, show_misses: bool) -> dict[str, Any]:
    """Recall on crisis rows and false-positive rates on hard negatives / routine rows."""
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    if split:
        rows = [r for r in rows if r.get("split") == split]
    results = screen.screen_many([r["text"] for r in rows])
    report: dict[str, Any] = {"split": split or "all", "messages": len(rows)}
    report.update(tally(rows, results))
    if show_misses:
        report["misses"] = misses(rows, results)
    return report


def counts(rows: list[dict[str, Any]], flagged: list[bool]) -> dict[str, tuple[int, int]]:
    """(flagged, n) per label."""
    return {
        label: (
            sum(f for r, f in zip(rows, flagged, strict=True) if r["label"] == label),
            sum(r["label"] == label for r in rows),
        )
        for label in ("crisis", "hard_negative", "routine")
    }


def tally(rows: list[dict[str, Any]], results: list[Any]) -> dict[str, Any]:
    """Per label: how many rows and how many the screen flagged (recall for crisis rows, the
    false-positive rate for the others), plus category recall over the crisis rows."""
    report: dict[str, Any] = {}
    for label, (flagged, n) in counts(rows, [res.crisis for res in results]).items():
        key = "recall" if label == "crisis" else "false_positive_rate"
        report[label] = {"n": n, "flagged": flagged, key: round(flagged / n, 4) if n else None}
    crisis_rows = [(r, res) for r, res in zip(rows, results, strict=True) if r["label"] == "crisis"]
    expected = sum(len(r["categories"]) for r, _ in crisis_rows)
    found = sum(len(set(r["categories"]) & set(res.categories)) for r, res in crisis_rows)
    report["category_recall"] = round(found / expected, 4) if expected else None
    return report


def flagged_by_label(rows: list[dict[str, Any]], flagged: list[bool]) -> dict[str, str]:
    """ "flagged/n" per label."""
    return {label: f"{f}/{n}" for label, (f, n) in counts(rows, flagged).items()}


def misses(rows: list[dict[str, Any]], results: list[Any]) -> list[dict[str, Any]]:
    """The rows the screen got wrong (ids and categories only: no message text)."""
    return [
        {"id": r["id"], "label": r["label"], "categories": res.categories}
        for r, res in zip(rows, results, strict=True)
        if (r["label"] == "crisis") != res.crisis
    ]


CROSSVAL_HELP = """For each red-team writer (`source`) in the dev split: refit the learned layer
WITHOUT that writer's rows and screen them with the whole screen (lexicon and exemplars as they
are, learned layer refitted). The lexicon and exemplars were tuned on these very sets, so this
measures the learned layer's generalisation to an unseen writer only, and it is optimistic: a
truly new writer also meets rules that were never written for them."""


def crossval(path: str, show_misses: bool) -> dict[str, Any]:
    """Leave-one-writer-out figures of the whole screen (see `CROSSVAL_HELP`). Each message's
    clause vectors are embedded once per run; each refit reuses them."""
    from agent.safety import crisis_model
    from agent.safety.crisis import CrisisScreen

    started = time.monotonic()
    rows = crisis_model.training_rows(Path(path))
    texts = sorted({r["text"] for r in rows})
    cache = dict(zip(texts, clause_vectors(texts), strict=True))

    def cached(batch: list[str]) -> list[Any]:
        return [cache[text] for text in batch]

    writers = sorted({crisis_model.writer(r) for r in rows} - {crisis_model.TEAM})
    if not writers:
        raise ValueError("no red-team `source` in the dev split to hold out")
    report: dict[str, Any] = {"sources": {}}
    every_row: list[dict[str, Any]] = []
    every_result: list[Any] = []
    every_alone: list[bool] = []
    for source in writers:
        held = [r for r in rows if crisis_model.writer(r) == source]
        weights = crisis_model.fit([r for r in rows if crisis_model.writer(r) != source], cached)
        model = crisis_model.LearnedModel(weights)
        results = CrisisScreen(learned=model).screen_many([r["text"] for r in held])
        # The refitted layer on its own (no other layer, no denial): the figure a learned-layer
        # change moves, where the whole screen's is saturated by rules tuned on these sets.
        alone = [
            vectors is not None and model.message_score(vectors) >= model.threshold
            for vectors in cached([r["text"] for r in held])
        ]
        report["sources"][source] = {
            "threshold": weights.threshold,
            **tally(held, results),
            "learned_alone": flagged_by_label(held, alone),
        }
        every_row += held
        every_result += results
        every_alone += alone
    report["total"] = {
        **tally(every_row, every_result),
        "learned_alone": flagged_by_label(every_row, every_alone),
    }
    if show_misses:
        report["misses"] = misses(every_row, every_result)
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def train(check: bool) -> int:
    """Refit `agent/safety/crisis_model.json` on the dev split (or, with `check`, only say whether
    the shipped weights were fitted on the current data). Prints the out-of-fold figures."""
    from agent.safety import crisis_model

    rows = crisis_model.training_rows()
    wanted = crisis_model.data_hash(rows)
    if check:
        try:
            shipped = crisis_model.load().weights.data_sha256
        except crisis_model.LearnedLayerError as exc:
            print(f"shipped weights unusable: {exc}", file=sys.stderr)
            return 1
        if shipped != wanted:
            print("shipped weights are stale: run `python -m agent.safety train`", file=sys.stderr)
            return 1
        print("shipped weights match the training data")
        return 0
    weights = crisis_model.fit(rows, clause_vectors)
    crisis_model.save(weights)
    print(
        json.dumps(
            {
                "rows": weights.rows,
                "threshold": weights.threshold,
                "data_sha256": wanted,
                "out_of_fold": weights.out_of_fold,
            },
            indent=2,
        )
    )
    return 0


def clause_vectors(texts: list[str]) -> list[Any]:
    """Each message's clause vectors as the learned layer is fitted on them (None: no clause)."""
    from agent.safety.crisis import learning_units
    from knowledge.embeddings import embed

    units = [learning_units(text) for text in texts]
    unique = sorted({u for group in units for u in group})
    matrix = embed(unique) if unique else None
    row = {text: i for i, text in enumerate(unique)}
    return [matrix[[row[u] for u in group]] if group else None for group in units]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent.safety", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("screen", help="screen JSON lines from stdin to stdout")
    ev = commands.add_parser("evaluate", help="recall / false positives on a labelled JSONL file")
    ev.add_argument("path")
    ev.add_argument("--split", choices=["dev", "heldout"])
    ev.add_argument("--misses", action="store_true", help="list ids the screen got wrong")
    tr = commands.add_parser("train", help="refit the learned layer on the dev split")
    tr.add_argument("--check", action="store_true", help="only check the shipped weights")
    cv = commands.add_parser(
        "crossval",
        help="leave-one-writer-out figures of the learned layer (optimistic: see description)",
        description=CROSSVAL_HELP,
    )
    cv.add_argument("path", nargs="?", default=None, help="labelled JSONL (default crisis.jsonl)")
    cv.add_argument("--misses", action="store_true", help="list ids the screen got wrong")
    args = parser.parse_args(argv)
    if args.command == "train":
        return train(args.check)
    if args.command == "crossval":
        from agent.safety import crisis_model

        path = args.path or str(crisis_model.DATASET)
        try:
            report = crossval(path, args.misses)
        except (OSError, KeyError, ValueError) as exc:
            print(f"cannot cross-validate {path}: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(report, indent=2))
        return 0

    from agent.safety.crisis import CrisisScreen

    screen = CrisisScreen()
    if args.command == "screen":
        malformed = screen_lines(screen, sys.stdin, sys.stdout)
        if malformed:
            print(
                f"{malformed} malformed input line(s); each was answered with an error row",
                file=sys.stderr,
            )
        return 0
    try:
        report = evaluate(screen, args.path, args.split, args.misses)
    except (OSError, KeyError, json.JSONDecodeError) as exc:
        print(f"cannot evaluate {args.path}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
