"""Ask the knowledge base: `python -m knowledge.search "QUESTION" [--index DIR] [-k 3] [--json]`.

With no QUESTION it reads JSON lines `{"id": ..., "text": ...}` on stdin and writes one JSON line
`{"id": ..., "results": [...]}` per question, loading the model once (batch evaluation). A bad
input line gets `{"id": ..., "error": "..."}` and the batch carries on. Exit codes: 0 ok,
1 index unavailable, 2 bad arguments or at least one bad input line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from agent.settings import get_settings
from knowledge.index import IndexUnavailable, KnowledgeBase, Passage


def _as_json(passages: list[Passage]) -> list[dict]:
    return [p.model_dump() for p in passages]


def _print_human(question: str, passages: list[Passage], out: TextIO) -> None:
    if not passages:
        print("No passage in the practice documents answers this closely enough.", file=out)
        return
    for rank, passage in enumerate(passages, start=1):
        print(f"{rank}. [{passage.score:.2f}] {passage.doc} — {passage.section}", file=out)
        print(f"   {passage.text.replace(chr(10), chr(10) + '   ')}\n", file=out)


def _batch(kb: KnowledgeBase, k: int, lines: TextIO, out: TextIO) -> int:
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('expected an object with a string "text" field')
        except ValueError as exc:
            status = 2
            print(json.dumps({"id": None, "line": number, "error": str(exc)}), file=out)
            continue
        results = _as_json(kb.search(item["text"], k))
        print(json.dumps({"id": item.get("id"), "results": results}), file=out, flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Search the practice knowledge base.")
    parser.add_argument("question", nargs="?", help="omit to read JSON lines on stdin")
    parser.add_argument("--index", type=Path, default=None, help="index folder")
    parser.add_argument("-k", type=int, default=settings.retrieval_k, help="passages to return")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error(f"-k must be at least 1, got {args.k}")
    if args.question is not None and not args.question.strip():
        parser.error("QUESTION is empty")
    if args.index is not None:
        settings = settings.model_copy(update={"index_dir": args.index})
    kb = KnowledgeBase(settings)
    try:
        if args.question is None:
            return _batch(kb, args.k, sys.stdin, sys.stdout)
        passages = kb.search(args.question, args.k)
    except IndexUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(_as_json(passages), indent=2))
    else:
        _print_human(args.question, passages, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
