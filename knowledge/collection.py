"""The Chroma collection of practice policy chunks: embedded on disk, or a server by settings.

The MiniLM embedding function is registered with Chroma under a fixed name, so a collection
re-opened anywhere (another process, `HttpClient`, the Chroma CLI) embeds queries with the same
model it was built with, and never falls back to Chroma's default (which downloads a model).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb  # noqa: E402 - telemetry must be off before chromadb is imported
from chromadb.api import ClientAPI  # noqa: E402
from chromadb.api.models.Collection import Collection  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from agent.settings import Settings  # noqa: E402
from knowledge.embeddings import MODEL_NAME, embed  # noqa: E402

EMBEDDING_FUNCTION_NAME = "practice-minilm-l6-v2"


class IndexUnavailable(RuntimeError):  # noqa: N818 - names the condition the caller handles
    """The index cannot be opened (no ingest yet, or the Chroma server is unreachable)."""


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter over `knowledge.embeddings.embed` (normalised MiniLM, cosine space)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(embed(list(input)))

    @staticmethod
    def name() -> str:
        return EMBEDDING_FUNCTION_NAME

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        if config.get("model") not in (None, MODEL_NAME):
            raise ValueError(f"collection was built with {config['model']!r}, not {MODEL_NAME!r}")
        return MiniLMEmbeddingFunction()

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


def open_client(settings: Settings, index_dir: Path | None = None) -> ClientAPI:
    """`HttpClient` when settings name a Chroma host, else a `PersistentClient` on disk."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectError variants
            raise IndexUnavailable(
                f"Chroma server {settings.chroma_host}:{settings.chroma_port} unreachable: {exc}"
            ) from exc
    path = Path(index_dir or settings.resolved_index_dir)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(
    settings: Settings, index_dir: Path | None = None, *, create: bool = True
) -> Collection:
    """The practice-policy collection (created when `create`), with the MiniLM function attached."""
    client = open_client(settings, index_dir)
    name = settings.chroma_collection
    function = MiniLMEmbeddingFunction()
    if create:
        return client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=function,  # type: ignore[arg-type]
        )
    try:
        return client.get_collection(name, embedding_function=function)  # type: ignore[arg-type]
    except Exception as exc:  # NotFoundError in embedded mode, a ValueError over HTTP
        raise IndexUnavailable(
            f"no knowledge index {name!r} yet: run `python ingest.py` first ({exc})"
        ) from exc
