"""The shared embedder: offline model, normalised vectors, a cache that never changes answers."""

import numpy as np
import pytest

from knowledge import embeddings


def test_vectors_are_normalised_and_meaningful():
    vectors = embeddings.embed(["I want to reschedule Thursday", "Can we move my Thursday session?",
                                "Do you take Aetna insurance?"])
    assert vectors.shape == (3, embeddings.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_cached_rows_match_a_fresh_encoding_and_keep_input_order(monkeypatch):
    texts = ["late cancel fee", "superbill please", "late cancel fee"]
    first = embeddings.embed(texts)
    calls = []
    real = embeddings.get_model()

    class CountingModel:
        def encode(self, batch, **kwargs):
            calls.append(list(batch))
            return real.encode(batch, **kwargs)

    monkeypatch.setattr(embeddings, "get_model", lambda: CountingModel())
    again = embeddings.embed(["superbill please", "a new sentence", "late cancel fee"])
    assert calls == [["a new sentence"]]
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])


def test_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(embeddings, "CACHE_SIZE", 5)
    embeddings.embed([f"text number {i}" for i in range(12)])
    assert len(embeddings._cache) <= 5
    embeddings.clear_cache()
    assert not embeddings._cache


def test_onnx_export_gives_the_bundled_models_own_vectors():
    """The served ONNX graph must agree with sentence-transformers on the same weights, including
    an empty text and one past the 256-token limit (truncated the same way)."""
    from sentence_transformers import SentenceTransformer

    texts = ["I can't do this anymore", "", "Do you take Aetna? " * 120, "¿Puedo cambiar mi cita?"]
    reference = SentenceTransformer(str(embeddings._model_dir()), device="cpu").encode(
        texts, normalize_embeddings=True)
    served = embeddings.get_model().encode(texts)
    assert np.all((served * reference).sum(axis=1) > 0.9999)


def test_lanes_give_the_same_vectors_in_order_under_concurrent_callers():
    """A large call is spread over every lane and two callers at once share them; neither may
    change a vector or the order of the rows."""
    from concurrent.futures import ThreadPoolExecutor

    model = embeddings.get_model()
    texts = [f"can I move session {i} to {'Monday' if i % 2 else 'a later week please'}"
             for i in range(70)]
    alone = np.stack([model.encode([t])[0] for t in texts])
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(model.encode, [texts, texts[::-1], texts[:20]]))
    assert np.allclose(results[0], alone, atol=1e-5)
    assert np.allclose(results[1], alone[::-1], atol=1e-5)
    assert np.allclose(results[2], alone[:20], atol=1e-5)


def test_a_failing_batch_raises_and_keeps_every_lane(monkeypatch):
    """An error in one batch reaches the caller (the crisis screen then fails closed) and the
    lane it ran on goes back to the pool, so later calls still run on every lane."""
    import onnxruntime as ort

    model = embeddings.get_model()
    texts = [f"question {i} about my superbill" for i in range(40)]
    real_run = ort.InferenceSession.run
    calls = []

    def flaky(session, *args, **kwargs):
        calls.append(session)
        if len(calls) == 2:
            raise RuntimeError("lane fault")
        return real_run(session, *args, **kwargs)

    monkeypatch.setattr(ort.InferenceSession, "run", flaky)
    with pytest.raises(RuntimeError, match="lane fault"):
        model.encode(texts)
    monkeypatch.undo()
    assert model._free.qsize() == model.lanes
    assert model.encode(texts).shape == (40, embeddings.DIMENSIONS)
