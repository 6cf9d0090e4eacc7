"""Shared server-test helpers: a scripted stand-in for the graph's Assistant (so server, worker and
recovery tests exercise the server's contract deterministically and fast), signed webhook
builders, and the fixtures that assemble Services on either database backend.

The scripted assistant follows `agent.assistant.Assistant`'s public contract (idempotent
`handle_message` per turn, `resume` only while awaiting review); tests that need the real graph
use `Assistant.from_settings` directly.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.assistant import turn_thread_id
from agent.state import DraftMetadata, HandoffSummary, InboundMessage, ReviewDecision, TurnOutcome
from agent.store.crypto import FieldCipher
from agent.store.db import Database

HUMAN_INTERRUPT = {
    "action_request": {"action": "send_reply", "args": {}},
    "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True,
               "allow_ignore": True},
    "description": "Review the draft",
}


class ScriptedAssistant:
    """Routes by keywords: "POISON" raises; crisis words -> crisis; "dose" -> hand-off to the
    prescriber; anything else -> a draft awaiting review. `log_path` records each turn run (for
    the multi-process exactly-once tests); `delay_s` simulates graph time."""

    def __init__(self, log_path: Path | None = None, delay_s: float = 0.0):
        self.turns: dict[str, TurnOutcome] = {}
        self.runs: list[str] = []
        self.decisions: list[tuple[str, ReviewDecision]] = []
        self.log_path = log_path
        self.delay_s = delay_s
        self._lock = threading.Lock()

    def handle_message(self, message: InboundMessage) -> TurnOutcome:
        thread_id = turn_thread_id(message)
        with self._lock:
            if thread_id in self.turns:
                return self.turns[thread_id]
        if "POISON" in message.text:
            raise ValueError("scripted failure")
        if self.delay_s:
            time.sleep(self.delay_s)
        text = message.text.lower()
        if "ending my life" in text or "kill myself" in text:
            outcome = TurnOutcome(thread_id=thread_id, message_id=message.message_id,
                                  route="crisis", status="escalated", intents=["crisis"])
        elif "dose" in text:
            outcome = TurnOutcome(
                thread_id=thread_id, message_id=message.message_id, route="handoff",
                status="handed_off", intents=["medication"],
                handoff=HandoffSummary(queue="prescriber", reason="medication question"))
        else:
            outcome = TurnOutcome(
                thread_id=thread_id, message_id=message.message_id, route="draft",
                status="awaiting_review", intents=["billing"],
                draft="You can pay your balance in the portal under Billing.",
                metadata=DraftMetadata(model="template", prompt_id="compose",
                                       prompt_version="v1", sources=["billing.md#paying"],
                                       created_at=datetime.now(UTC)),
                interrupt=HUMAN_INTERRUPT)
        with self._lock:
            self.turns[thread_id] = outcome
            self.runs.append(message.event_id)
        if self.log_path is not None:
            with open(self.log_path, "a") as handle:
                handle.write(f"{message.event_id} {os.getpid()}\n")
        return outcome

    def resume(self, thread_id: str, decision: ReviewDecision) -> TurnOutcome:
        with self._lock:
            current = self.turns[thread_id]
            if current.status != "awaiting_review":
                raise RuntimeError("not awaiting review")
            self.decisions.append((thread_id, decision))
            status = "dismissed" if decision.type == "ignore" else "sent"
            done = current.model_copy(update={"status": status, "interrupt": None,
                                              "sent_message_id": f"sent-{uuid.uuid4().hex[:6]}"
                                              if status == "sent" else None})
            self.turns[thread_id] = done
            return done


def message_event(client_id: str, text: str, *, event_id: str | None = None,
                  thread_id: str = "th-test", occurred_at: datetime | None = None) -> dict:
    event_id = event_id or f"evt-{uuid.uuid4().hex[:12]}"
    return {
        "event_id": event_id, "type": "message.created",
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "data": {"client_id": client_id, "thread_id": thread_id,
                 "message_id": f"msg-{event_id}", "text": text},
    }


def signed(settings, body: bytes, *, at: int | None = None) -> dict[str, str]:
    from agent.server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, webhook_secrets

    stamp = int(time.time()) if at is None else at
    return {TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(webhook_secrets(settings)[0], stamp, body),
            "Content-Type": "application/json"}


def encode(event: dict) -> bytes:
    return json.dumps(event).encode()


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory):
    """The seeded sandbox EHR built once; each test copies the file (seeding takes ~1 s)."""
    from agent.settings import Settings
    from tools.ehr.sandbox import SandboxEHR

    path = tmp_path_factory.mktemp("sandbox") / "sandbox_ehr.db"
    SandboxEHR.from_settings(Settings(data_dir=path.parent, sandbox_db=path))
    return path


@pytest.fixture(scope="session")
def crisis_screen():
    """The real crisis screen (local layers), loaded once per session."""
    from agent.safety.crisis import CrisisScreen

    return CrisisScreen(llm=None)


@pytest.fixture
def server_settings(tmp_path, sandbox_template, db_url):
    import shutil

    from agent.settings import Settings

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sandbox_template, data / "sandbox_ehr.db")
    return Settings(data_dir=data, database_url=db_url, worker_threads=0,
                    webhook_secret="test-secret-1")


@pytest.fixture
def services(server_settings, crisis_screen):
    from agent.server.app import Services
    from tools.ehr.sandbox import SandboxEHR

    assistant = ScriptedAssistant()
    db = Database(server_settings.resolved_database_url, cipher=FieldCipher([os.urandom(32)]))
    built = Services.build(server_settings, db=db,
                           ehr=SandboxEHR.from_settings(server_settings),
                           crisis_screen=crisis_screen, assistant_factory=lambda: assistant)
    yield built
    db.dispose()


@pytest.fixture
def cheap_password_hashing(monkeypatch):
    """Real argon2id with test-sized cost: the production cost (64 MiB, 3 passes) would make
    every sign-in in these tests take about a second on a shared two-core machine."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("agent.store.staff._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
