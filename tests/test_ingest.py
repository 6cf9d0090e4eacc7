"""Ingest: idempotent re-runs, edits and removals, every bad-input case, interruption, formats."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest as ingest_cli
from knowledge.collection import open_collection
from knowledge.index import KnowledgeBase
from knowledge.ingest import ingest_corpus

FEES = """# Fees

## Session fees

A 53-minute therapy session costs $190 when you pay for it yourself.

## Superbills

Superbills are ready within 5 business days of your request.
"""

PARKING = """# Parking

## Garage

Free client parking is in the Harbor Street Garage; we validate up to 2 hours.
"""


def write_pdf(path: Path, title: str, lines: list[str]) -> None:
    """A minimal valid one-page PDF with a text layer (no PDF library needed to write one)."""
    text_ops = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {text_ops} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        f"<< /Title ({title}) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "fees.md").write_text(FEES)
    (folder / "parking.md").write_text(PARKING)
    return folder


@pytest.fixture
def collection(settings):
    return open_collection(settings)


def run(corpus: Path, collection, max_bytes: int = 100_000):
    return ingest_corpus(corpus, collection, max_document_bytes=max_bytes)


def indexed(collection) -> dict[str, tuple[str, str, str]]:
    got = collection.get(include=["documents", "metadatas"])
    return {
        i: (m["doc"], m["section"], d)
        for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
    }


def test_second_run_on_unchanged_corpus_writes_nothing(corpus, collection):
    first = run(corpus, collection)
    assert (first.documents_seen, first.documents_indexed, first.chunks_added) == (2, 2, 3)
    before = indexed(collection)

    second = run(corpus, _CrashAfter(collection, writes=0))  # any upsert/delete would raise

    assert (second.chunks_added, second.chunks_updated, second.chunks_removed) == (0, 0, 0)
    assert second.chunks_unchanged == 3
    assert "nothing written" in second.summary()
    assert indexed(collection) == before


def test_sections_keep_their_heading_path(corpus, collection):
    run(corpus, collection)
    sections = {section for _, section, _ in indexed(collection).values()}
    assert "Fees > Superbills" in sections
    assert "Parking > Garage" in sections


def test_edited_section_is_updated_and_searchable_without_a_restart(corpus, collection, settings):
    run(corpus, collection)
    kb = KnowledgeBase(settings, collection=collection, floor=0.0)
    assert "$190" in kb.search("how much is a therapy session", 1)[0].text

    (corpus / "fees.md").write_text(FEES.replace("$190", "$205"))
    report = run(corpus, collection)

    assert (report.chunks_updated, report.chunks_unchanged) == (1, 2)
    assert (report.chunks_added, report.chunks_removed) == (0, 0)
    texts = [text for _, _, text in indexed(collection).values()]
    assert any("$205" in t for t in texts) and not any("$190" in t for t in texts)
    assert "$205" in kb.search("how much is a therapy session", 1)[0].text


def test_removed_document_and_section_lose_their_chunks(corpus, collection):
    run(corpus, collection)
    (corpus / "parking.md").unlink()
    (corpus / "fees.md").write_text(FEES.split("## Superbills")[0])

    report = run(corpus, collection)

    assert report.chunks_removed == 2  # parking's only chunk and the superbill section
    assert {doc for doc, _, _ in indexed(collection).values()} == {"fees.md"}
    assert not any("Superbill" in section for _, section, _ in indexed(collection).values())


def test_new_section_is_added(corpus, collection):
    run(corpus, collection)
    (corpus / "parking.md").write_text(PARKING + "\n## Bikes\n\nA bike rack is on Wharf Lane.\n")
    report = run(corpus, collection)
    assert (report.chunks_added, report.chunks_unchanged) == (1, 3)


def _bad_empty(folder: Path) -> None:
    (folder / "empty.md").write_text("  \n\n")


def _bad_binary(folder: Path) -> None:
    (folder / "logo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def _bad_unreadable(folder: Path) -> None:
    (folder / "gone.md").symlink_to(folder / "does-not-exist.md")


def _bad_encoding(folder: Path) -> None:
    (folder / "latin1.md").write_bytes(
        "# Frais\n\nLes séances coûtent 190 dollars.".encode("latin-1")
    )


def _bad_oversized(folder: Path) -> None:
    (folder / "huge.md").write_text("# Huge\n\n" + "word " * 30_000)


def _bad_type(folder: Path) -> None:
    (folder / "policy.docx").write_bytes(b"PK\x03\x04 not really a docx")


def _bad_pdf(folder: Path) -> None:
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf body")


@pytest.mark.parametrize(
    ("make_bad_file", "name", "reason"),
    [
        (_bad_empty, "empty.md", "empty file"),
        (_bad_binary, "logo.txt", "binary content"),
        (_bad_unreadable, "gone.md", "unreadable"),
        (_bad_encoding, "latin1.md", "not UTF-8"),
        (_bad_oversized, "huge.md", "too large"),
        (_bad_type, "policy.docx", "unsupported file type"),
        (_bad_pdf, "broken.pdf", "PDF"),
    ],
)
def test_bad_file_is_skipped_with_reason_and_the_rest_ingested(
    corpus, collection, make_bad_file, name, reason
):
    make_bad_file(corpus)
    report = run(corpus, collection, max_bytes=50_000)
    assert [s.doc for s in report.skipped] == [name]
    assert reason in report.skipped[0].reason
    assert f"skipped {name}: " in report.summary()
    assert {doc for doc, _, _ in indexed(collection).values()} == {"fees.md", "parking.md"}


def test_document_that_turns_bad_is_removed_from_the_index(corpus, collection):
    run(corpus, collection)
    (corpus / "parking.md").write_bytes(b"\xff\xfe broken")
    report = run(corpus, collection)
    assert report.skipped[0].doc == "parking.md"
    assert report.chunks_removed == 1
    assert {doc for doc, _, _ in indexed(collection).values()} == {"fees.md"}


def test_missing_corpus_folder_exits_2_with_a_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope"
    code = ingest_cli.main(["--corpus", str(missing), "--index", str(tmp_path / "index")])
    assert code == 2
    assert f"corpus folder not found: {missing}" in capsys.readouterr().err


def test_cli_reports_summary(corpus, tmp_path, capsys):
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    assert ingest_cli.main(args) == 0
    assert "3 added" in capsys.readouterr().out
    assert ingest_cli.main(args) == 0
    assert "Index is up to date: nothing written." in capsys.readouterr().out


class _CrashAfter:
    """Wraps a collection; the n-th write raises, as if the process were killed there."""

    def __init__(self, collection, writes: int) -> None:
        self._collection = collection
        self._left = writes

    def __getattr__(self, name):
        attribute = getattr(self._collection, name)
        if name not in ("upsert", "delete"):
            return attribute

        def write(*args, **kwargs):
            if self._left == 0:
                raise KeyboardInterrupt
            self._left -= 1
            return attribute(*args, **kwargs)

        return write


def test_interrupted_run_leaves_index_usable_and_next_run_completes(
    corpus, collection, settings, tmp_path
):
    run(corpus, collection)
    (corpus / "fees.md").write_text(
        FEES.replace("$190", "$205").replace("5 business", "7 business")
    )
    (corpus / "parking.md").write_text(PARKING.replace("2 hours", "3 hours"))

    with pytest.raises(KeyboardInterrupt):  # fees.md upserted, killed before its stale delete
        run(corpus, _CrashAfter(collection, writes=1))

    kb = KnowledgeBase(settings, collection=collection, floor=0.0)
    assert {p.doc for p in kb.search("where do I park", 4)} == {"fees.md", "parking.md"}

    report = run(corpus, collection)
    fresh = open_collection(settings.model_copy(update={"index_dir": tmp_path / "fresh"}))
    run(corpus, fresh)
    assert indexed(collection) == indexed(fresh)
    assert report.chunks_removed + report.chunks_updated == 3


def test_html_text_and_pdf_are_ingested_with_structure(corpus, collection):
    (corpus / "telehealth.html").write_text(
        "<html><head><title>ignored</title><script>var x;</script></head><body>"
        "<h1>Telehealth</h1><p>Video sessions run in the portal.</p>"
        "<h2>Location</h2><ul><li>You must be in Maine or New Hampshire.</li></ul>"
        "</body></html>"
    )
    (corpus / "hours.txt").write_text("Office Hours\nMonday to Thursday 8 am to 8 pm.\n")
    write_pdf(corpus / "records.pdf", "Records Requests", ["Copies are free in the portal."])

    report = run(corpus, collection)

    assert report.skipped == []
    chunks = set(indexed(collection).values())
    assert (
        "telehealth.html",
        "Telehealth > Location",
        "- You must be in Maine or New Hampshire.",
    ) in chunks
    assert ("hours.txt", "Office Hours", "Monday to Thursday 8 am to 8 pm.") in chunks
    assert ("records.pdf", "Records Requests > Page 1", "Copies are free in the portal.") in chunks
    assert not any("var x" in text for _, _, text in chunks)
