"""Retrieval quality and speed of the knowledge base against the common LangChain-style baseline.

    python -m benchmarks.retrieval          # shipped settings, dev and held-out test splits
    python -m benchmarks.retrieval --tune   # plus the dev-split grid the constants came from

Both systems index the sample corpus with the same MiniLM embedder in the same process:
- ours: section chunks with heading paths, hybrid dense + BM25 score, floor from settings;
- baseline: fixed 1,000-character chunks with 200 overlap, dense cosine only, its floor tuned on
  the dev split (so the no-answer comparison is fair to it).
Ranking quality, over answerable questions and without the floor: recall@k = an expected document
(`doc` or `also_acceptable`) is among the top k passages; MRR = 1/rank of the first such passage in
the top 10. What the floor then does: answered@3 = an expected document is among the top 3 passages
that clear it; no-answer acc = share of unanswerable questions for which nothing clears it.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agent.settings import PROJECT_ROOT, Settings
from knowledge.collection import MiniLMEmbeddingFunction, open_client, open_collection
from knowledge.documents import SUPPORTED_SUFFIXES
from knowledge.embeddings import embed, get_model
from knowledge.index import LEXICAL_WEIGHT, KnowledgeBase
from knowledge.ingest import ingest_corpus

DATASET = PROJECT_ROOT / "evals" / "datasets" / "faq_retrieval.jsonl"
Ranking = list[tuple[str, float]]  # (doc, score), best first, no floor applied
FLOORS = [round(0.20 + 0.01 * i, 2) for i in range(41)]


def load_questions() -> list[dict]:
    return [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]


def metrics(questions: list[dict], rankings: list[Ranking], floor: float) -> dict[str, float]:
    """Ranking quality (no floor) and what the floor does to it (answered@3, no-answer acc)."""
    hits1 = hits3 = reciprocal = answered3 = refused = 0.0
    answerable = [(q, r) for q, r in zip(questions, rankings, strict=True) if q["doc"]]
    unanswerable = [r for q, r in zip(questions, rankings, strict=True) if not q["doc"]]
    for question, ranking in answerable:
        accepted = {question["doc"], *question.get("also_acceptable", [])}
        docs = [doc for doc, _ in ranking][:10]
        rank = next((i for i, doc in enumerate(docs, start=1) if doc in accepted), None)
        if rank:
            hits1 += rank == 1
            hits3 += rank <= 3
            reciprocal += 1 / rank
        above = [doc for doc, score in ranking if score >= floor][:3]
        answered3 += any(doc in accepted for doc in above)
    for ranking in unanswerable:
        refused += not any(score >= floor for _, score in ranking)
    n = len(answerable) or 1
    return {
        "recall@1": hits1 / n,
        "recall@3": hits3 / n,
        "MRR": reciprocal / n,
        "answered@3": answered3 / n,
        "no-answer acc": refused / (len(unanswerable) or 1),
    }


def best_floor(questions: list[dict], rankings: list[Ranking]) -> float:
    """The floor maximising the mean of answered@3 and no-answer accuracy on these questions."""

    def balance(floor: float) -> float:
        m = metrics(questions, rankings, floor)
        return (m["answered@3"] + m["no-answer acc"]) / 2

    return max(FLOORS, key=lambda f: (balance(f), -f))


def fixed_chunks(text: str, size: int = 1000, overlap: int = 200) -> list[str]:
    """The baseline splitter: fixed windows of `size` characters overlapping by `overlap`."""
    step = size - overlap
    return [text[i : i + size] for i in range(0, max(len(text) - overlap, 1), step)]


def build_baseline(corpus: Path, index_dir: Path, settings: Settings) -> tuple[Callable, float]:
    collection = open_client(settings, index_dir).get_or_create_collection(
        "baseline_fixed_1000",
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=MiniLMEmbeddingFunction(),  # type: ignore[arg-type]
    )
    started = time.perf_counter()
    ids, texts, metas = [], [], []
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            for n, chunk in enumerate(fixed_chunks(path.read_text())):
                ids.append(f"{path.name}-{n}")
                texts.append(chunk)
                metas.append({"doc": path.name})
    collection.add(ids=ids, documents=texts, metadatas=metas, embeddings=embed(texts))
    rate = len(ids) / (time.perf_counter() - started)

    def rank(question: str) -> Ranking:
        found = collection.query(
            query_embeddings=embed([question]), n_results=10, include=["metadatas", "distances"]
        )
        return [
            (meta["doc"], 1 - distance)
            for meta, distance in zip(found["metadatas"][0], found["distances"][0], strict=True)
        ]

    return rank, rate


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="print the dev-split tuning grid")
    args = parser.parse_args()
    questions = load_questions()
    splits = {s: [q for q in questions if q["split"] == s] for s in ("dev", "test")}
    get_model()  # load once, outside every timed region
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        corpus = settings.corpus_dir
        started = time.perf_counter()
        report = ingest_corpus(
            corpus, open_collection(settings), max_document_bytes=settings.max_document_bytes
        )
        ours_rate = report.chunks_added / (time.perf_counter() - started)
        baseline, baseline_rate = build_baseline(corpus, Path(tmp) / "baseline", settings)

        def ours(weight: float) -> Callable[[str], Ranking]:
            kb = KnowledgeBase(settings, lexical_weight=weight, floor=0.0)
            return lambda q: [(p.doc, p.score) for p in kb.search(q, 10)]

        systems = {
            "baseline (1000/200, dense)": (baseline, None),
            "sections, dense only": (ours(0.0), None),
            f"ours (sections, hybrid w={LEXICAL_WEIGHT})": (
                ours(LEXICAL_WEIGHT),
                settings.retrieval_floor,
            ),
        }
        if args.tune:
            print("dev-split grid (lexical weight -> best floor, metrics at that floor):")
            for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
                ranked = [ours(weight)(q["question"]) for q in splits["dev"]]
                floor = best_floor(splits["dev"], ranked)
                m = metrics(splits["dev"], ranked, floor)
                print(f"  w={weight:.1f} floor={floor:.2f} " + _row(m))
            print()

        print(
            f"{len(splits['dev'])} dev / {len(splits['test'])} held-out test questions "
            f"({sum(1 for q in questions if not q['doc'])} unanswerable in all)\n"
        )
        for name, (rank, floor) in systems.items():
            dev_rankings = [rank(q["question"]) for q in splits["dev"]]
            test_rankings = [rank(q["question"]) for q in splits["test"]]
            chosen = best_floor(splits["dev"], dev_rankings) if floor is None else floor
            print(f"{name}  [floor {chosen:.2f}{' tuned on dev' if floor is None else ''}]")
            for split, rankings in (("dev", dev_rankings), ("test", test_rankings)):
                print(f"  {split:<5}" + _row(metrics(splits[split], rankings, chosen)))

        kb = KnowledgeBase(settings)
        latencies = []
        for _ in range(3):
            for q in questions:
                started = time.perf_counter()
                kb.search(q["question"])
                latencies.append((time.perf_counter() - started) * 1000)
        print(
            f"\ningest throughput: ours {ours_rate:.1f} chunks/s ({report.chunks_added} chunks, "
            f"parse+chunk+embed+write), baseline {baseline_rate:.1f} chunks/s"
        )
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(f"query latency (ours, {len(latencies)} queries): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load} (shared machine)")


def _row(m: dict[str, float]) -> str:
    return "  ".join(f"{key} {value:.3f}" for key, value in m.items())


if __name__ == "__main__":
    main()
