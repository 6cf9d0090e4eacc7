"""Retrieval over the practice knowledge base: hybrid dense + lexical scores, sources, a floor.

`score` is a relevance in [0, 1]: (1 - LEXICAL_WEIGHT) x cosine similarity of the question and the
chunk (MiniLM, heading path included) + LEXICAL_WEIGHT x the chunk's normalised BM25 share of the
question's informative words. Below `settings.retrieval_floor` nothing is returned, so the FAQ node
says "I'll check with the team" instead of drafting from a passage that does not answer the
question. The weight and floor were tuned on the dev split of evals/datasets/faq_retrieval.jsonl
(see `python -m benchmarks.retrieval`).
"""

from __future__ import annotations

import numpy as np
from chromadb.api.models.Collection import Collection
from pydantic import BaseModel, Field

from agent.settings import Settings
from knowledge.collection import IndexUnavailable, open_collection
from knowledge.embeddings import embed
from knowledge.lexical import LexicalIndex

LEXICAL_WEIGHT = 0.3
CANDIDATE_POOL = 20  # per retriever; fused and re-ranked, then cut to k

__all__ = ["IndexUnavailable", "KnowledgeBase", "Passage"]


class Passage(BaseModel):
    """One retrieved chunk: cite `doc` (file name in the corpus) and `section` (heading path)."""

    doc: str
    section: str
    score: float = Field(ge=0.0, le=1.0)
    text: str
    chunk_id: str


class KnowledgeBase:
    """Search the ingested practice corpus. Opens the collection on first use.

    Raises `IndexUnavailable` when nothing has been ingested or the Chroma server is down: an
    empty answer must mean "the documents do not say", never "the index is missing".
    """

    def __init__(
        self,
        settings: Settings,
        *,
        collection: Collection | None = None,
        lexical_weight: float = LEXICAL_WEIGHT,
        floor: float | None = None,
    ) -> None:
        self._settings = settings
        self._collection = collection
        self._lexical_weight = lexical_weight
        self.floor = settings.retrieval_floor if floor is None else floor
        self._lexicon: LexicalIndex | None = None
        self._chunks: dict[str, tuple[str, dict, list[float]]] = {}  # the lexicon's snapshot

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """Up to `k` (default settings.retrieval_k) passages at or above the floor, best first."""
        k = self._settings.retrieval_k if k is None else k
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if not question.strip():
            return []
        try:
            ranked = self._rank(question)
        except IndexUnavailable:
            raise
        except Exception as exc:  # chromadb surfaces server and storage faults as many types
            raise IndexUnavailable(f"knowledge index query failed: {exc}") from exc
        return [p for p in ranked if p.score >= self.floor][:k]

    def _rank(self, question: str) -> list[Passage]:
        collection = self._open()
        count = collection.count()
        if not count:
            raise IndexUnavailable("the knowledge index is empty: run `python ingest.py`")
        lexicon = self._lexicon_for(collection, count)
        query = embed([question])[0]
        dense = collection.query(
            query_embeddings=[query],
            n_results=min(CANDIDATE_POOL, count),
            include=["documents", "metadatas", "embeddings"],
        )
        candidates = {
            chunk_id: (text, meta, vector)
            for chunk_id, text, meta, vector in zip(
                dense["ids"][0],
                dense["documents"][0],
                dense["metadatas"][0],
                dense["embeddings"][0],
                strict=True,
            )
        }
        if not candidates.keys() <= lexicon.ids:  # re-ingested under us: take a fresh snapshot
            self._lexicon = None
            lexicon = self._lexicon_for(collection, count)
        lexical = lexicon.scores(question)
        extra = [
            chunk_id
            for chunk_id in sorted(lexical, key=lexical.__getitem__, reverse=True)[:CANDIDATE_POOL]
            if chunk_id not in candidates
        ]
        for chunk_id in extra:  # from the snapshot the BM25 index was built from: no round trip
            candidates[chunk_id] = self._chunks[chunk_id]
        passages = []
        for chunk_id, (text, meta, vector) in candidates.items():
            cosine = max(0.0, float(np.dot(query, np.asarray(vector, dtype=np.float32))))
            score = (1 - self._lexical_weight) * cosine + self._lexical_weight * lexical.get(
                chunk_id, 0.0
            )
            passages.append(
                Passage(
                    doc=str(meta["doc"]),
                    section=str(meta["section"]),
                    score=round(min(1.0, score), 4),
                    text=text,
                    chunk_id=chunk_id,
                )
            )
        passages.sort(key=lambda p: p.score, reverse=True)
        return passages

    def _open(self) -> Collection:
        if self._collection is None:
            self._collection = open_collection(self._settings, create=False)
        return self._collection

    def _lexicon_for(self, collection: Collection, count: int) -> LexicalIndex:
        """The BM25 index, rebuilt when the collection's size or contents changed."""
        if self._lexicon is None or len(self._lexicon.ids) != count:
            everything = collection.get(include=["documents", "metadatas", "embeddings"])
            self._chunks = {
                chunk_id: (text, meta, vector)
                for chunk_id, text, meta, vector in zip(
                    everything["ids"],
                    everything["documents"],
                    everything["metadatas"],
                    everything["embeddings"],
                    strict=True,
                )
            }
            self._lexicon = LexicalIndex(
                {chunk_id: f"{meta['section']}\n{text}"
                 for chunk_id, (text, meta, _vector) in self._chunks.items()}
            )
        return self._lexicon
