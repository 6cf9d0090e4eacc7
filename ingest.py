"""Ingest the practice corpus: `python ingest.py [--corpus DIR] [--index DIR]`.

A thin CLI over `knowledge.ingest`; defaults come from settings (PRACTICE_CORPUS_DIR,
PRACTICE_INDEX_DIR, PRACTICE_CHROMA_HOST for a Chroma server). Exit codes: 0 done, 2 bad
arguments or missing corpus, 1 the index could not be opened or written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agent.settings import get_settings
from knowledge.collection import IndexUnavailable, open_collection
from knowledge.ingest import CorpusNotFound, corpus_files, ingest_corpus


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Ingest practice policy documents into the index.")
    parser.add_argument("--corpus", type=Path, default=settings.corpus_dir, help="corpus folder")
    parser.add_argument(
        "--index", type=Path, default=None, help="index folder (default: settings index dir)"
    )
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    try:
        total = len(corpus_files(args.corpus))
    except CorpusNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        collection = open_collection(settings, args.index)
        progress = Progress(
            TextColumn("Ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
            disable=total < 20 or not console.is_terminal,
        )
        with progress:
            task = progress.add_task("", total=total)
            report = ingest_corpus(
                args.corpus,
                collection,
                max_document_bytes=settings.max_document_bytes,
                on_document=lambda name: progress.update(task, advance=1, description=name),
            )
    except IndexUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
