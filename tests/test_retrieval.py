"""Retrieval over the real sample corpus: right document and section, scores, the floor, errors."""

from __future__ import annotations

import chromadb
import pytest

from agent.settings import Settings
from knowledge.collection import IndexUnavailable, MiniLMEmbeddingFunction, open_collection
from knowledge.index import KnowledgeBase
from knowledge.ingest import ingest_corpus


@pytest.fixture(scope="module")
def corpus_settings(tmp_path_factory) -> Settings:
    """The sample practice corpus ingested once for the module."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("kb") / "data")
    report = ingest_corpus(
        settings.corpus_dir,
        open_collection(settings),
        max_document_bytes=settings.max_document_bytes,
    )
    assert report.documents_indexed >= 12 and not report.skipped
    return settings


@pytest.fixture(scope="module")
def kb(corpus_settings) -> KnowledgeBase:
    return KnowledgeBase(corpus_settings)


@pytest.mark.parametrize(
    ("question", "doc", "section_word", "fact"),
    [
        (
            "I need a superbill for my insurance",
            "billing-and-superbills.md",
            "Superbill",
            "5 business days",
        ),
        (
            "is there a charge if I late cancel?",
            "cancellation-and-no-show.md",
            "Late cancellation",
            "$100",
        ),
        ("where do I park", "location-and-parking.md", "Parking", "2 hours"),
        ("how long until my refill is ready", "medication-refills.md", "refill", "2 business days"),
    ],
)
def test_question_finds_the_answering_section(kb, question, doc, section_word, fact):
    passages = kb.search(question)
    assert passages, "a question the corpus answers must not come back empty"
    top = passages[0]
    assert top.doc == doc
    assert section_word.lower() in top.section.lower()
    assert fact in top.text


def test_passages_are_sorted_scored_and_capped_at_k(kb):
    passages = kb.search("how much does a therapy session cost", k=2)
    assert len(passages) == 2
    assert 1.0 >= passages[0].score >= passages[1].score >= kb.floor
    assert len({p.chunk_id for p in passages}) == 2


def test_default_k_comes_from_settings(kb, corpus_settings):
    assert len(kb.search("what insurance plans do you take")) == corpus_settings.retrieval_k


@pytest.mark.parametrize("question", ["do you offer gift cards", "qwertyuiop zxcvbnm"])
def test_question_the_corpus_cannot_answer_returns_nothing(kb, question):
    assert kb.search(question) == []


def test_floor_is_applied(corpus_settings):
    strict = KnowledgeBase(corpus_settings, floor=0.99)
    assert strict.search("I need a superbill for my insurance") == []


def test_blank_question_returns_nothing_and_bad_k_is_an_error(kb):
    assert kb.search("   ") == []
    with pytest.raises(ValueError, match="k must be at least 1"):
        kb.search("parking", k=0)


def test_missing_index_is_a_clear_error(settings):
    with pytest.raises(IndexUnavailable, match="ingest"):
        KnowledgeBase(settings).search("parking")


def test_collection_reopens_with_the_minilm_function_and_cosine_space(corpus_settings):
    client = chromadb.PersistentClient(path=str(corpus_settings.resolved_index_dir))
    collection = client.get_collection(corpus_settings.chroma_collection)  # no function passed
    assert isinstance(collection.configuration["embedding_function"], MiniLMEmbeddingFunction)
    assert collection.configuration["hnsw"]["space"] == "cosine"
    found = collection.query(query_texts=["superbill"], n_results=1, include=["metadatas"])
    assert found["metadatas"][0][0]["doc"] == "billing-and-superbills.md"
