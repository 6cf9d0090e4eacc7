"""The search CLI's contract for people and scripts: --json list, JSON-lines batch, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.settings import PROJECT_ROOT, Settings
from knowledge import search as search_cli
from knowledge.collection import open_collection
from knowledge.ingest import ingest_corpus

CORPUS = {
    "billing.md": "# Billing\n\n## Superbills\n\nSuperbills are ready within 5 business days.\n",
    "parking.md": "# Parking\n\n## Garage\n\nFree client parking is in the Harbor Street Garage.\n",
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text)
    settings = Settings(data_dir=root / "data", index_dir=root / "index")
    ingest_corpus(corpus, open_collection(settings), max_document_bytes=10_000)
    return root / "index"


def run_cli(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRACTICE_DATA_DIR": str(Path(args[-1]).parent), "CI": ""}
    return subprocess.run(
        [sys.executable, "-m", "knowledge.search", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=240,
    )


def test_json_output_is_a_list_of_cited_passages(index_dir):
    done = run_cli(["where can I get a superbill", "--json", "-k", "1", "--index", str(index_dir)])
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 1
    assert results[0]["doc"] == "billing.md"
    assert results[0]["section"] == "Billing > Superbills"
    assert "5 business days" in results[0]["text"]
    assert 0 < results[0]["score"] <= 1


def test_batch_mode_answers_each_json_line_and_flags_bad_lines(index_dir):
    lines = [
        json.dumps({"id": "q1", "text": "where do I park my car"}),
        "not json",
        json.dumps({"id": "q2", "text": "do you offer gift cards"}),
    ]
    done = run_cli(["-k", "2", "--index", str(index_dir)], stdin="\n".join(lines) + "\n")
    assert done.returncode == 2  # one bad line, the rest still answered
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["q1", None, "q2"]
    assert out[0]["results"][0]["doc"] == "parking.md"
    assert set(out[0]["results"][0]) >= {"doc", "section", "score", "text"}
    assert "error" in out[1] and out[1]["line"] == 2
    assert out[2]["results"] == []


def test_empty_question_and_bad_k_are_usage_errors(index_dir, capsys):
    for args in (["  ", "--index", str(index_dir)], ["parking", "-k", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            search_cli.main(args)
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "QUESTION is empty" in err and "-k must be at least 1" in err


def test_missing_index_exits_1_naming_the_fix(tmp_path, capsys):
    assert search_cli.main(["parking", "--index", str(tmp_path / "none")]) == 1
    assert "python ingest.py" in capsys.readouterr().err
