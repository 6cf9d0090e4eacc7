"""Incremental ingest of the practice corpus into the Chroma collection.

Each run diffs the chunk ids the corpus produces now against the ids already in the collection:
only new ids are embedded and upserted, and ids no longer produced are deleted. Per document, the
new chunks are written BEFORE the stale ones are deleted, so an interrupted run leaves every
document searchable (at worst briefly twice) and the next run finishes the diff. A skipped or
removed document loses its chunks: the index must never answer from a policy the practice changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from chromadb.api.models.Collection import Collection
from pydantic import BaseModel, Field

from knowledge.chunking import Chunk, chunk_document
from knowledge.documents import DocumentSkipped, read_document
from knowledge.embeddings import embed

UPSERT_BATCH = 64


class CorpusNotFound(FileNotFoundError):  # noqa: N818 - names the condition the CLI reports
    """The corpus folder does not exist or is not a folder."""


class SkippedDocument(BaseModel):
    doc: str
    reason: str


class IngestReport(BaseModel):
    """What one run did; `changed` is False when the index was already up to date."""

    documents_seen: int = 0
    documents_indexed: int = 0
    chunks_added: int = 0
    chunks_updated: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    skipped: list[SkippedDocument] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.chunks_added or self.chunks_updated or self.chunks_removed)

    def summary(self) -> str:
        lines = [
            f"Documents seen: {self.documents_seen} (indexed {self.documents_indexed}, "
            f"skipped {len(self.skipped)})",
            f"Chunks: {self.chunks_added} added, {self.chunks_updated} updated, "
            f"{self.chunks_unchanged} unchanged, {self.chunks_removed} removed",
        ]
        lines += [f"  skipped {s.doc}: {s.reason}" for s in self.skipped]
        if not self.changed:
            lines.append("Index is up to date: nothing written.")
        return "\n".join(lines)


def corpus_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(name relative to the corpus, path) of every visible file, in a stable order."""
    if not corpus_dir.is_dir():
        raise CorpusNotFound(f"corpus folder not found: {corpus_dir}")
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        name = path.relative_to(corpus_dir).as_posix()
        if any(part.startswith(".") for part in Path(name).parts) or path.is_dir():
            continue  # .DS_Store, editor swap files, .git
        files.append((name, path))
    return files


def ingest_corpus(
    corpus_dir: Path,
    collection: Collection,
    *,
    max_document_bytes: int,
    on_document: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring `collection` in line with `corpus_dir`; `on_document(name)` runs once per file."""
    files = corpus_files(corpus_dir)
    report = IngestReport(documents_seen=len(files))
    existing = collection.get(include=["metadatas"])
    indexed: dict[str, dict[str, str]] = {}  # doc -> {chunk id: slot}
    for chunk_id, meta in zip(existing["ids"], existing["metadatas"] or [], strict=True):
        indexed.setdefault(str(meta["doc"]), {})[chunk_id] = str(meta.get("slot", chunk_id))

    for name, path in files:
        try:
            chunks = chunk_document(read_document(path, name, max_document_bytes))
        except DocumentSkipped as skipped:
            report.skipped.append(SkippedDocument(doc=name, reason=skipped.reason))
            chunks = []
        else:
            report.documents_indexed += 1
        _sync_document(collection, indexed.pop(name, {}), chunks, report)
        if on_document:
            on_document(name)

    for old in indexed.values():  # documents no longer in the corpus
        _sync_document(collection, old, [], report)
    return report


def _sync_document(
    collection: Collection, old: dict[str, str], chunks: list[Chunk], report: IngestReport
) -> None:
    new = [c for c in chunks if c.id not in old]
    keep = {c.id for c in chunks if c.id in old}
    stale = [chunk_id for chunk_id in old if chunk_id not in keep]
    old_slots = set(old.values())
    updated = sum(1 for c in new if c.slot in old_slots)
    report.chunks_unchanged += len(keep)
    report.chunks_updated += updated
    report.chunks_added += len(new) - updated
    report.chunks_removed += len(stale) - min(updated, len(stale))
    for batch in _batches(new, UPSERT_BATCH):
        collection.upsert(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            metadatas=[c.metadata for c in batch],
            embeddings=embed([c.embedded_text for c in batch]),
        )
    if stale:
        collection.delete(ids=stale)


def _batches(items: list[Chunk], size: int) -> Iterator[list[Chunk]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
