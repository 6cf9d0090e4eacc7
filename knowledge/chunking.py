"""Structure-aware chunks: one per section (long sections split at paragraphs), with stable ids.

A chunk's id is a hash of its document, heading path, text and the chunker/embedder version, so an
unchanged chunk keeps its id across runs (re-ingest writes nothing) and any edit yields a new id.
The heading path is kept in metadata (for citations) and prefixed to the embedded text, because
a paragraph like "We waive it once per year" only means something under "Late cancellation fee".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.documents import SourceDocument
from knowledge.embeddings import MODEL_NAME

# Bump when chunking or embedded-text format changes: every id changes, so everything re-embeds.
CHUNKER_VERSION = "1"
MAX_CHUNK_CHARS = 1200  # about 250 MiniLM word pieces, the model's useful input length


@dataclass(frozen=True)
class Chunk:
    id: str
    doc: str
    section: str
    text: str
    slot: str  # doc + section + part: the same slot with a new id is an update, not an addition

    @property
    def embedded_text(self) -> str:
        return f"{self.section}\n{self.text}"

    @property
    def metadata(self) -> dict[str, str]:
        return {"doc": self.doc, "section": self.section, "slot": self.slot}


def chunk_document(document: SourceDocument) -> list[Chunk]:
    """Chunks of `document` in reading order; empty sections produce nothing."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in document.sections:
        heading = " > ".join(section.headings)
        for part, text in enumerate(_split(section.text)):
            slot = f"{document.name}#{heading}#{part}"
            occurrence = seen.get(slot, 0)  # two sections may share a heading path
            seen[slot] = occurrence + 1
            if occurrence:
                slot = f"{slot}#{occurrence}"
            digest = hashlib.sha256(
                "\x1f".join((CHUNKER_VERSION, MODEL_NAME, slot, text)).encode()
            ).hexdigest()[:32]
            chunks.append(
                Chunk(id=digest, doc=document.name, section=heading, text=text, slot=slot)
            )
    return chunks


def _split(text: str) -> list[str]:
    """Whole section if it fits, else greedy runs of paragraphs (sentences for a huge paragraph)."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if len(paragraph) <= MAX_CHUNK_CHARS:
            pieces.append(paragraph)
        else:
            pieces.extend(_pack(re.split(r"(?<=[.!?])\s+", paragraph), " "))
    return _pack(pieces, "\n\n")


def _pack(pieces: list[str], joiner: str) -> list[str]:
    out: list[str] = []
    current = ""
    for piece in pieces:
        piece = piece.strip()
        while len(piece) > MAX_CHUNK_CHARS:  # a single run-on "sentence": hard cut
            if current:
                out.append(current)
                current = ""
            out.append(piece[:MAX_CHUNK_CHARS])
            piece = piece[MAX_CHUNK_CHARS:]
        if not piece:
            continue
        if current and len(current) + len(joiner) + len(piece) > MAX_CHUNK_CHARS:
            out.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}" if current else piece
    if current:
        out.append(current)
    return out
