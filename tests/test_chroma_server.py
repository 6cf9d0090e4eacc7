"""Server mode: ingest and search through a real `chroma run` on loopback (HttpClient)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agent.settings import Settings
from knowledge.collection import IndexUnavailable, open_collection
from knowledge.index import KnowledgeBase
from knowledge.ingest import ingest_corpus

pytestmark = pytest.mark.chroma_server

CHROMA = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    if not Path(CHROMA).exists():
        pytest.skip("the `chroma` CLI is not installed")
    port = free_port()
    log = (tmp_path_factory.mktemp("chroma") / "server.log").open("w")
    server = subprocess.Popen(
        [
            CHROMA,
            "run",
            "--path",
            str(tmp_path_factory.mktemp("chroma-data")),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not come up on port {port}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_port, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "billing.md").write_text(
        "# Billing\n\n## Superbills\n\nSuperbills are ready within 5 business days.\n"
    )
    (corpus / "parking.md").write_text("# Parking\n\n## Garage\n\nValidated parking, 2 hours.\n")
    settings = Settings(
        data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_port
    )

    first = ingest_corpus(corpus, open_collection(settings), max_document_bytes=10_000)
    again = ingest_corpus(corpus, open_collection(settings), max_document_bytes=10_000)

    assert first.chunks_added == 2
    assert (again.chunks_added, again.chunks_unchanged) == (0, 2)
    assert not (tmp_path / "data" / "index").exists()  # nothing went to the embedded store
    top = KnowledgeBase(settings).search("how do I get a superbill", 1)[0]
    assert (top.doc, top.section) == ("billing.md", "Billing > Superbills")


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(IndexUnavailable, match="unreachable"):
        KnowledgeBase(settings).search("parking")
