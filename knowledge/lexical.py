"""BM25 over the indexed chunks, for the exact words policy questions hinge on ("superbill").

Scores are normalised per question to [0, 1]: the share of the question's BM25 weight a chunk
could earn at most, so a chunk matching every informative word of the question scores near 1 and
a chunk matching only common words scores near 0, whatever the corpus size.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")
K1 = 1.2
B = 0.75
# Clients' words for what the documents name otherwise, folded to one term on both sides.
CANONICAL = {
    "appt": "appointment",
    "appts": "appointment",
    "session": "appointment",
    "therapist": "clinician",
    "counselor": "clinician",
    "counsellor": "clinician",
    "doctor": "clinician",
    "psychiatrist": "prescriber",
    "med": "medication",
    "meds": "medication",
    "medicine": "medication",
    "prescription": "medication",
    "online": "telehealth",
    "video": "telehealth",
    "virtual": "telehealth",
    "zoom": "telehealth",
    "kid": "child",
    "son": "child",
    "daughter": "child",
    "teen": "child",
    "teenager": "child",
    "chart": "record",
    "cost": "fee",
    "price": "fee",
}


def tokenize(text: str) -> list[str]:
    """Lower-case word stems without stop words, client wording folded to the documents' terms.

    A light suffix strip, not a full stemmer: 'cancelled' and 'cancellations' both become 'cancel'.
    """
    tokens = []
    for word in _TOKEN.findall(text.lower()):
        word = word.split("'")[0]
        if word in ENGLISH_STOP_WORDS or len(word) < 2:
            continue
        stem = _stem(word)
        tokens.append(CANONICAL.get(word) or CANONICAL.get(stem) or stem)
    return tokens


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and (word[-1] == word[-2] or word[-1] == "e"):  # cancell, charge
        word = word[:-1]
    return word


class LexicalIndex:
    """In-memory BM25 over chunk texts keyed by chunk id (a practice corpus is small)."""

    def __init__(self, documents: dict[str, str]) -> None:
        self._terms = {chunk_id: Counter(tokenize(text)) for chunk_id, text in documents.items()}
        self._lengths = {chunk_id: sum(c.values()) for chunk_id, c in self._terms.items()}
        count = len(self._terms) or 1
        self._average_length = (sum(self._lengths.values()) / count) or 1.0
        frequency: Counter[str] = Counter()
        for counts in self._terms.values():
            frequency.update(counts.keys())
        self._idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }

    @property
    def ids(self) -> set[str]:
        return set(self._terms)

    def scores(self, question: str) -> dict[str, float]:
        """Normalised BM25 of every chunk sharing a word with `question` (others are 0)."""
        query = set(tokenize(question))
        weights = {term: self._idf[term] for term in query if term in self._idf}
        ceiling = sum(weights.values()) * (K1 + 1)
        if not ceiling:
            return {}
        out: dict[str, float] = {}
        for chunk_id, counts in self._terms.items():
            norm = K1 * (1 - B + B * self._lengths[chunk_id] / self._average_length)
            total = 0.0
            for term, idf in weights.items():
                tf = counts.get(term, 0)
                if tf:
                    total += idf * tf * (K1 + 1) / (tf + norm)
            if total:
                out[chunk_id] = total / ceiling
        return out
