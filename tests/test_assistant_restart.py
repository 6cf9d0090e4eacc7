"""A review survives a process restart: a NEW process resumes the turn from the encrypted
checkpoint file and sends exactly once; a second resume in yet another process sends nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_graph_fixtures import (
    ANCHOR,
    build_assistant,
    client_with_appointment,
    free_slot_other_day,
    inbound,
    index_dir,
    make_settings,
    spoken,
)

# The first test of a session loads the embedding model and the screens (slow on a busy box).
pytestmark = pytest.mark.timeout(900)

PROJECT = Path(__file__).resolve().parent.parent

RESUME = """
import json, sys
from datetime import date
from pathlib import Path
from agent.assistant import Assistant, NoPendingReview
from agent.settings import Settings
from agent.state import ReviewDecision

data_dir, index_dir, anchor, thread_id = sys.argv[1:5]
settings = Settings(data_dir=Path(data_dir), index_dir=Path(index_dir),
                    sandbox_anchor_date=date.fromisoformat(anchor))
assistant = Assistant.from_settings(settings, llm=None, warm=False)
try:
    outcome = assistant.resume(thread_id, ReviewDecision(type="accept", reviewer_id="clin-restart"))
except NoPendingReview as err:
    print(json.dumps({"error": "NoPendingReview"}))
    sys.exit(3)
finally:
    assistant.close()
print(outcome.model_dump_json())
"""


def _resume_in_new_process(data_dir: Path, thread_id: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            RESUME,
            str(data_dir),
            str(index_dir()),
            ANCHOR.isoformat(),
            thread_id,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=PROJECT,
        env=env,
    )


def test_new_process_resumes_and_sends_once(tmp_path):
    from tools.ehr.sandbox import SandboxEHR

    settings = make_settings(tmp_path / "data")
    assistant, ehr = build_assistant(settings)
    client, appointment, thread_id = client_with_appointment(ehr)
    slot = free_slot_other_day(ehr, client, appointment)
    outcome = assistant.handle_message(
        inbound(client, thread_id, f"Could I switch to {spoken(slot.start, client.timezone)}?")
    )
    assistant.close()  # the first process is gone
    assert outcome.status == "awaiting_review"
    before = len(ehr.get_thread(thread_id).messages)

    first = _resume_in_new_process(settings.data_dir, outcome.thread_id)
    assert first.returncode == 0, first.stderr[-2000:]
    resumed = json.loads(first.stdout.strip().splitlines()[-1])
    assert resumed["status"] == "sent"

    second = _resume_in_new_process(settings.data_dir, outcome.thread_id)
    assert second.returncode == 3, second.stderr[-2000:]

    fresh = SandboxEHR.from_settings(settings)
    messages = fresh.get_thread(thread_id).messages
    assert len(messages) == before + 1
    assert messages[-1].text == outcome.draft and messages[-1].sender_id == "clin-restart"
    booked = [a for a in fresh.upcoming_appointments(client.id) if a.start == slot.start]
    assert len(booked) == 1
