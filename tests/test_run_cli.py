"""`python -m agent.run`: one message (human or --json) and JSON-lines batch mode, as dry runs."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.run import dry_run_assistant, main, run_batch
from tests.test_graph_fixtures import (
    ANCHOR,
    cache_dir,
    client_with_appointment,
    crisis_screen,
    index_dir,
    intent_classifier,
    make_settings,
)

pytestmark = pytest.mark.timeout(900)
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dry(tmp_path):
    settings = make_settings(tmp_path / "data")
    assistant = dry_run_assistant(
        settings, tmp_path, crisis=crisis_screen(), classifier=intent_classifier(), llm=None
    )
    yield assistant
    assistant.close()


def test_batch_writes_one_line_per_message_and_changes_nothing(dry):
    client, _, thread_id = client_with_appointment(dry.deps.ehr)
    lines = [
        json.dumps({"id": "a", "client_id": client.id, "text": "What are your office hours?"}),
        json.dumps(
            {"id": "b", "client_id": client.id, "text": "I'm going to kill myself tonight."}
        ),
        json.dumps({"id": "c", "client_id": client.id, "text": "Can I get a refill of my Zoloft?"}),
        "{not json",
        json.dumps({"id": "e", "client_id": client.id}),
        json.dumps({"id": "f", "client_id": "cl-nobody", "text": "hello"}),
    ]
    before = len(dry.deps.ehr.get_thread(thread_id).messages)
    flags_before = len(dry.deps.ehr.active_alerts(client.id))
    out = io.StringIO()

    code = run_batch(dry, lines, out)

    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("id") for r in records] == ["a", "b", "c", None, "e", "f"]
    a, b, c = records[:3]
    assert a["route"] == "draft" and a["draft"] and a["sources"] and a["alert"] is None
    assert b["route"] == "crisis" and b["draft"] is None
    assert b["alert"]["severity"] in ("imminent", "high") and b["alert"]["alert_id"]
    assert c["route"] == "handoff" and c["draft"] is None and "medication" in c["intents"]
    assert "not JSON" in records[3]["error"]
    assert "text" in records[4]["error"]
    assert "client_id" in records[5]["error"]
    assert code == 1
    # a dry run: the crisis branch posted nothing to the real EHR and raised no real flag
    assert len(dry.deps.ehr.get_thread(thread_id).messages) == before
    assert len(dry.deps.ehr.active_alerts(client.id)) == flags_before
    assert sorted(dry.deps.ehr.writes) == ["post_message", "raise_alert"]  # recorded, not done


def test_message_without_client_id_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["What are your office hours?"])
    assert exit_info.value.code == 2
    assert "--client-id is required" in capsys.readouterr().err


@pytest.mark.slow
def test_single_message_json_in_a_real_process(tmp_path):
    data_dir = tmp_path / "data"
    models = cache_dir() / "models"
    intent_classifier()  # make sure the shared fit exists, then reuse it (keyed by content hash)
    shutil.copytree(models, data_dir / "models")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "PRACTICE_DATA_DIR": str(data_dir),
        "PRACTICE_INDEX_DIR": str(index_dir()),
        "PRACTICE_SANDBOX_ANCHOR_DATE": ANCHOR.isoformat(),
        "PRACTICE_LLM_PROVIDER": "none",
    }
    from tools.ehr.sandbox import SandboxEHR

    ehr = SandboxEHR.from_settings(make_settings(data_dir))
    client, _, _ = client_with_appointment(ehr)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.run",
            "--client-id",
            client.id,
            "How much notice do I need to give to cancel?",
            "--json",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout)
    assert outcome["route"] == "draft" and outcome["status"] == "awaiting_review"
    assert outcome["interrupt"]["config"]["allow_edit"] is True
    assert "48 hours" in outcome["draft"]
    assert outcome["metadata"]["sources"]
