"""Command line for the crisis screen, for people auditing past messages and for the evals.

    python -m agent.safety screen < messages.jsonl     # {"id": ..., "text": ...} per line
    python -m agent.safety evaluate evals/datasets/crisis.jsonl [--split dev|heldout] [--misses]
    python -m agent.safety train [--check]   # refit the learned layer's weights from `dev`

`screen` writes one JSON line per input line, in order. A line that is not valid JSON or lacks a
string `text` gets an output line with an `error` naming the problem and crisis=true (a human
looks), so no input line is ever silently dropped. Input is read and screened in batches.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
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
    misses = []
    for label in ("crisis", "hard_negative", "routine"):
        chosen = [(r, res) for r, res in zip(rows, results, strict=True) if r["label"] == label]
        flagged = sum(res.crisis for _, res in chosen)
        key = "recall" if label == "crisis" else "false_positive_rate"
        value = flagged if label == "crisis" else flagged
        report[label] = {
            "n": len(chosen),
            "flagged": value,
            key: round(value / len(chosen), 4) if chosen else None,
        }
        for row, res in chosen:
            if (label == "crisis") != res.crisis:
                misses.append({"id": row["id"], "label": label, "categories": res.categories})
    crisis_rows = [(r, res) for r, res in zip(rows, results, strict=True) if r["label"] == "crisis"]
    expected = sum(len(r["categories"]) for r, _ in crisis_rows)
    found = sum(len(set(r["categories"]) & set(res.categories)) for r, res in crisis_rows)
    report["category_recall"] = round(found / expected, 4) if expected else None
    if show_misses:
        report["misses"] = misses
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
    print(json.dumps(
        {"rows": weights.rows, "threshold": weights.threshold, "data_sha256": wanted,
         "out_of_fold": weights.out_of_fold}, indent=2))
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
    args = parser.parse_args(argv)
    if args.command == "train":
        return train(args.check)

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
