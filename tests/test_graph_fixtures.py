"""Shared set-up for the graph / assistant / LLM / CLI tests (no tests here).

The heavy pieces (embedding model, crisis screen, intent classifier, ingested policy index) are
built once per process and shared; every test gets its own data dir, sandbox EHR, database and
checkpoint file, so EHR writes can be counted per test.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from agent.settings import Settings

ANCHOR = date(2026, 3, 2)  # a Monday: the sandbox practice's fixed "today"
WRITE_METHODS = frozenset(
    {"post_message", "reschedule", "book", "cancel", "confirm", "raise_alert", "start_thread"}
)


def cache_dir() -> Path:
    """Kept between sessions: the classifier fit is keyed by a hash of its exemplars and the
    index is synced to the corpus on every session, so neither can go stale."""
    path = Path(tempfile.gettempdir()) / "practice-assistant-graph-tests"
    path.mkdir(exist_ok=True)
    return path


@lru_cache(maxsize=1)
def index_dir() -> Path:
    from knowledge.collection import open_collection
    from knowledge.ingest import ingest_corpus

    settings = Settings(data_dir=cache_dir() / "kb")
    ingest_corpus(
        settings.corpus_dir,
        open_collection(settings),
        max_document_bytes=settings.max_document_bytes,
    )
    return settings.resolved_index_dir


@lru_cache(maxsize=1)
def crisis_screen():
    from agent.safety.crisis import CrisisScreen

    return CrisisScreen()


@lru_cache(maxsize=1)
def intent_classifier():
    from agent.classify import IntentClassifier

    return IntentClassifier(cache_dir=cache_dir() / "models")


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir, index_dir=index_dir(), sandbox_anchor_date=ANCHOR, **overrides
    )


class CountingEHR:
    """The real sandbox EHR, counting write calls by method (a resumed run must not add any)."""

    def __init__(self, ehr: Any):
        self._ehr = ehr
        self.writes: list[tuple[str, str]] = []  # (method, request_id)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._ehr, name)
        if name not in WRITE_METHODS:
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.writes.append((name, kwargs.get("request_id", "")))
            return attribute(*args, **kwargs)

        return counted

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.writes if m == method)


def build_assistant(settings: Settings, **overrides: Any):
    """A real Assistant over a fresh sandbox, sharing the loaded screens."""
    from agent.assistant import Assistant
    from knowledge.index import KnowledgeBase
    from tools.ehr.sandbox import SandboxEHR

    ehr = overrides.pop("ehr", None) or CountingEHR(SandboxEHR.from_settings(settings))
    options: dict[str, Any] = {
        "ehr": ehr,
        "llm": None,
        "kb": KnowledgeBase(settings),
        "crisis": crisis_screen(),
        "classifier": intent_classifier(),
    }
    options.update(overrides)
    return Assistant.from_settings(settings, **options), ehr


def client_with_appointment(ehr: Any) -> tuple[Any, Any, str]:
    """(client, their soonest upcoming appointment, one of their portal thread ids)."""
    for client in ehr.list_clients():
        upcoming = ehr.upcoming_appointments(client.id)
        threads = ehr.threads(client.id)
        if upcoming and threads and client.consents.ai_assisted_drafting and not client.is_minor:
            return client, upcoming[0], threads[0].id
    raise AssertionError("the seeded sandbox has no adult client with an appointment")


def spoken(moment: datetime, zone: str) -> str:
    """'March 5 at 3:00 PM' in the client's zone, the way a client would write it."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%B} {local.day} at {local.strftime('%I:%M %p').lstrip('0')}"


def free_slot_other_day(ehr: Any, client: Any, appointment: Any):
    now = ehr.now()
    zone = ZoneInfo(client.timezone)
    day = appointment.start.astimezone(zone).date()
    for slot in ehr.open_slots(client.clinician_id, now + timedelta(days=2), now + timedelta(14)):
        if slot.start.astimezone(zone).date() != day:
            return slot
    raise AssertionError("no free slot for the clinician in the next two weeks")


_counter = iter(range(1, 1_000_000))


def inbound(client: Any, thread_id: str, text: str):
    from agent.state import InboundMessage

    n = next(_counter)
    return InboundMessage(
        event_id=f"evt-{n}",
        client_id=client.id,
        thread_id=thread_id,
        message_id=f"msg-test-{n}",
        text=text,
    )
