"""Grounded material for drafts: the client's own clauses per intent, and retrieved policy facts.

A fact is a sentence copied verbatim from a retrieved passage (never paraphrased here), chosen by
embedding similarity to the client's question, with the passage's document and section as its
source. An empty list means "the documents do not say": the template then says the team will
check instead of guessing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_SENTENCE_CACHE: dict[tuple[str, int], tuple[list[str], np.ndarray]] = {}
_SENTENCE_CACHE_SIZE = 2048

MAX_FACTS = 3
FACT_FLOOR = 0.30  # a sentence below this similarity to the question is not an answer
FACT_BAND = 0.12  # keep sentences within this much of the best one
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_LIST_ITEM = re.compile(r"\n(?=\s*(?:[-*+]|\d+[.)])\s)")
_CLAUSES = re.compile(
    r"(?<=[.!?])\s+|\n+|\s*;\s*|,?\s+\b(?:and also|also|plus|as well as|and then)\b\s+", re.I
)
_MARKUP = re.compile(r"^[\s>#*\-+\d.)]*|\*\*|__|`")

INTENT_WORDS: dict[str, re.Pattern[str]] = {
    "billing": re.compile(
        r"\b(bill\w*|pay\w*|invoice|superbill|insurance|receipt|charge\w*|fee|fees|cost\w*|"
        r"copay\w*|co-pay|statement|balance|deductible|price|rate|HSA|FSA|out.of.network)\b",
        re.I,
    ),
    "forms": re.compile(
        r"\b(forms?|paperwork|intake|consent|release|ROI|sign\w*|questionnaire|document\w*)\b", re.I
    ),
}


def clauses_for(text: str, intent: str) -> str:
    """The part of a (possibly multi-intent) message about `intent`; the whole text if unclear."""
    pattern = INTENT_WORDS.get(intent)
    if pattern is None:
        return text
    parts = [p.strip() for p in _CLAUSES.split(text) if p and p.strip()]
    relevant = [p for p in parts if pattern.search(p)]
    return " ".join(relevant) if relevant else text


def _sentences(text: str) -> list[str]:
    """Sentences of a Markdown passage: paragraphs and list items first (hard line wraps joined),
    then sentence ends; a heading line is never a sentence."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for item in _LIST_ITEM.split(paragraph):
            lines = [line for line in item.splitlines() if not line.lstrip().startswith("#")]
            units.extend(_SENTENCES.split(" ".join(lines)))
    return units


def _clean(sentence: str) -> str:
    return " ".join(_MARKUP.sub("", sentence).split())


def source_label(passage: Any) -> str:
    return f"{passage.doc} § {passage.section}" if passage.section else passage.doc


def _passage_sentences(chunk_id: str, text: str) -> tuple[list[str], np.ndarray]:
    """A passage's candidate sentences and their vectors, cached per chunk (and text, so a
    re-ingested chunk is re-embedded): the corpus is small, and this keeps the per-message cost
    of fact selection to one embedding of the question."""
    from knowledge.embeddings import embed

    key = (chunk_id, hash(text))
    cached = _SENTENCE_CACHE.get(key)
    if cached is None:
        sentences = [
            cleaned
            for cleaned in map(_clean, _sentences(text))
            if len(cleaned.split()) >= 4 and not cleaned.endswith(":")
        ]
        cached = (sentences, embed(sentences))
        if len(_SENTENCE_CACHE) >= _SENTENCE_CACHE_SIZE:
            _SENTENCE_CACHE.pop(next(iter(_SENTENCE_CACHE)))
        _SENTENCE_CACHE[key] = cached
    return cached


def retrieve_facts(kb: Any, question: str) -> dict[str, Any]:
    """{"facts": [...], "sources": [...], "kb_error": str | None} for one question."""
    from knowledge.embeddings import embed

    if kb is None:
        return {"facts": [], "sources": [], "kb_error": "no knowledge base configured"}
    try:
        passages = kb.search(question)
    except Exception as err:  # noqa: BLE001 - an index outage means "check with the team"
        log.warning("knowledge base unavailable: %s", type(err).__name__)
        return {"facts": [], "sources": [], "kb_error": type(err).__name__}
    candidates: list[tuple[str, str]] = []
    vectors = []
    for passage in passages:
        sentences, sentence_vectors = _passage_sentences(passage.chunk_id, passage.text)
        candidates.extend((sentence, source_label(passage)) for sentence in sentences)
        vectors.append(sentence_vectors)
    if not candidates:
        return {"facts": [], "sources": [], "kb_error": None}
    scores = np.vstack(vectors) @ embed([question])[0]
    best = float(np.max(scores))
    chosen = [
        i
        for i in np.argsort(-scores)[: MAX_FACTS * 2]
        if scores[i] >= FACT_FLOOR and scores[i] >= best - FACT_BAND
    ][:MAX_FACTS]
    facts, sources = [], []
    for i in sorted(chosen):  # document order reads better than score order
        sentence, source = candidates[i]
        if sentence not in facts:
            facts.append(sentence)
        if source not in sources:
            sources.append(source)
    return {"facts": facts, "sources": sources, "kb_error": None}
