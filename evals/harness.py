"""Runs goldens through the real inbound graph with a chosen set of prompt versions.

`EvalPractice` is the fixed practice every gate run uses: the sandbox EHR seeded at a fixed
"today", the practice corpus ingested once, the crisis screen and intent classifier loaded once.
Each `run()` gets a fresh sandbox, database and in-memory checkpointer, so the released and the
candidate versions see the same practice and neither sees the other's writes.

Why the screens are primed in batch: the crisis screen and the classifier do not depend on the
prompt, and embedding 1,000 messages one by one costs minutes on a shared CPU. `prime()` runs
the real `screen_many` / `classify_many` once; the graph's nodes then get those same results
when they call `screen` / `classify`. A screen that has an LLM second opinion is never primed
(its answer can depend on the client's redactor).

PHI leakage is measured with or without a configured model: the PHI goldens always run through
compose's LLM path against an in-process OpenAI-compatible endpoint (`httpx.MockTransport`) that
records every request and answers with the approved-facts draft, so what would leave the process
is exactly what the gate inspects.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from deepeval.dataset import Golden
from langgraph.checkpoint.memory import InMemorySaver

from agent.prompts.registry import PromptRegistry
from agent.settings import Settings

ANCHOR = date(2026, 3, 2)  # a Monday: the eval practice's fixed "today"
REVIEWER = "gate:auto-accept"
EHR_WRITES = frozenset(
    {"post_message", "reschedule", "book", "cancel", "confirm", "raise_alert", "start_thread"}
)


# --- shared screens ---------------------------------------------------------------------------
class PrimedScreen:
    """The crisis screen, answering from one batched `screen_many` where it can."""

    def __init__(self, screen: Any):
        self._screen = screen
        self._results: dict[str, Any] = {}
        self.llm = getattr(screen, "llm", None)

    def prime(self, texts: Iterable[str]) -> None:
        if self.llm is not None:
            return
        todo = [t for t in dict.fromkeys(texts) if t not in self._results]
        if todo:
            self._results.update(zip(todo, self._screen.screen_many(todo), strict=True))

    def screen(self, text: str, *, redact: Callable[[str], str] | None = None) -> Any:
        if text in self._results:
            return self._results[text]
        return self._screen.screen(text, redact=redact)


class PrimedClassifier:
    """The intent classifier, answering from one batched `classify_many` where it can."""

    def __init__(self, classifier: Any):
        self._classifier = classifier
        self._results: dict[str, Any] = {}

    def prime(self, texts: Iterable[str]) -> None:
        if getattr(self._classifier, "llm", None) is not None:
            return
        todo = [t for t in dict.fromkeys(texts) if t not in self._results]
        if todo:
            self._results.update(zip(todo, self._classifier.classify_many(todo), strict=True))

    def classify(self, text: str, *, redact: Callable[[str], str] | None = None) -> Any:
        if text in self._results:
            return self._results[text]
        return self._classifier.classify(text, redact=redact)


# --- the EHR as the gate sees it ---------------------------------------------------------------
class RecordingEHR:
    """The sandbox EHR, recording every call by method name (the turn's "tool calls").

    `identifiers_overlay` stands in for one client's identifiers while a PHI golden runs: the
    golden's own person becomes that client's record for the pseudonymizer and the guard.
    """

    def __init__(self, ehr: Any):
        self._ehr = ehr
        self.calls: list[str] = []
        self.identifiers_overlay: Any = None

    def client_identifiers(self, client_id: str) -> Any:
        self.calls.append("client_identifiers")
        if self.identifiers_overlay is not None:
            return self.identifiers_overlay
        return self._ehr.client_identifiers(client_id)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._ehr, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return recorded


def identifiers_from_known(client_id: str, known: dict[str, Any]) -> Any:
    """A `ClientIdentifiers` record for the person a PHI golden describes."""
    from tools.ehr.models import ClientIdentifiers

    names = [known.get("full_name"), known.get("first_name"), known.get("last_name")]
    names += [known.get("preferred_name"), *known.get("guardian_names", [])]
    address = ", ".join(known.get("address_parts", []))
    return ClientIdentifiers(
        client_id=client_id,
        names=tuple(dict.fromkeys(n for n in names if n)),
        birth_date=date.fromisoformat(known["date_of_birth"])
        if known.get("date_of_birth")
        else None,
        phones=tuple(known.get("phones", [])),
        emails=tuple(known.get("emails", [])),
        addresses=(address,) if address else (),
        record_numbers=(known["record_id"],) if known.get("record_id") else (),
        insurance_ids=tuple(known.get("insurance_member_ids", [])),
    )


# --- the model endpoint the gate can see into -------------------------------------------------
class ModelRequests:
    """Every chat request the run sent to a model, as the JSON bodies that left the process."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def record(self, request: httpx.Request) -> None:
        self.bodies.append(request.content.decode("utf-8", "replace"))


def echo_endpoint(requests: ModelRequests) -> httpx.MockTransport:
    """An OpenAI-compatible endpoint that answers with the approved-facts draft it was given."""

    def answer(request: httpx.Request) -> httpx.Response:
        requests.record(request)
        user = json.loads(request.content)["messages"][-1]["content"]
        facts = user.split("add nothing):", 1)[-1].strip()
        return httpx.Response(
            200,
            json={
                "id": "gate-echo",
                "object": "chat.completion",
                "created": 0,
                "model": "gate-echo",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": facts},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    return httpx.MockTransport(answer)


def echo_model(requests: ModelRequests) -> Any:
    """The real `ChatOpenAI` from `agent.llm`, pointed at the in-process echo endpoint."""
    from agent.llm import build_chat_model

    settings = Settings(
        llm_provider="openai",
        llm_base_url="http://gate-echo.invalid/v1",
        llm_api_key="gate",
        llm_model="gate-echo",
        llm_max_retries=0,
    )
    return build_chat_model(settings, http_client=httpx.Client(transport=echo_endpoint(requests)))


# --- one golden's turn, as the metrics read it -------------------------------------------------
@dataclass
class CaseRecord:
    """Everything a metric may look at for one golden (plain JSON, so reports can embed it)."""

    golden_set: str
    golden_id: str
    text: str
    meta: dict[str, Any]
    client_id: str
    route: str = "handoff"
    status: str = "handed_off"
    intents: list[str] = field(default_factory=list)
    allowed_intents: list[str] = field(default_factory=list)
    blocked_intents: list[str] = field(default_factory=list)
    draft: str | None = None
    model: str | None = None
    prompt_versions: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    guard_passed: bool | None = None
    guard_rules: list[str] = field(default_factory=list)
    handoff_queue: str | None = None
    grounding: dict[str, Any] = field(default_factory=dict)
    pending_change: dict[str, Any] | None = None
    tool_calls: list[str] = field(default_factory=list)
    after_accept_calls: list[str] = field(default_factory=list)
    model_requests: list[str] = field(default_factory=list)
    clinician_id: str | None = None
    timezone: str = "America/New_York"
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "model_requests"}


def prompt_independent(record: CaseRecord) -> bool:
    """The turn ended before compose: no prompt version could have changed it."""
    return not record.allowed_intents and record.error is None


@dataclass
class EvalPractice:
    """The practice the gate evaluates in; build once per process with `EvalPractice.load()`."""

    settings: Settings
    kb: Any
    crisis: PrimedScreen
    classifier: PrimedClassifier
    workdir: Path

    @classmethod
    def load(cls, base: Settings | None = None, workdir: Path | None = None) -> EvalPractice:
        """Ingest the corpus (incremental: unchanged documents are skipped) and load the screens.

        `base`: LLM and knob settings to evaluate with (default: the environment's).
        """
        from agent.classify import IntentClassifier
        from agent.safety.crisis import CrisisScreen
        from knowledge.collection import open_collection
        from knowledge.index import KnowledgeBase
        from knowledge.ingest import ingest_corpus

        base = base or Settings()
        workdir = Path(workdir or base.data_dir / "gate")
        workdir.mkdir(parents=True, exist_ok=True)
        settings = base.model_copy(
            update={
                "data_dir": workdir,
                "index_dir": workdir / "index",
                "sandbox_anchor_date": ANCHOR,
                "database_url": None,
                "sandbox_db": None,
            }
        )
        ingest_corpus(
            settings.corpus_dir,
            open_collection(settings),
            max_document_bytes=settings.max_document_bytes,
        )
        return cls(
            settings=settings,
            kb=KnowledgeBase(settings),
            crisis=PrimedScreen(CrisisScreen()),
            classifier=PrimedClassifier(IntentClassifier(cache_dir=workdir / "models")),
            workdir=workdir,
        )

    def run(
        self,
        goldens: list[Golden],
        registry: PromptRegistry,
        llm: Any = None,
        reuse: list[CaseRecord] | None = None,
    ) -> list[CaseRecord]:
        """Every golden through the graph with `registry`'s versions; `llm` None = templates.

        `reuse`: another run's records of the same goldens. A turn that ended before compose
        (crisis, or nothing on the allowlist) never touched a prompt, so it ends the same way
        under any version: it is taken over instead of run again.
        """
        texts = [g.input for g in goldens]
        self.crisis.prime(texts)
        self.classifier.prime(texts)
        run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=self.workdir))
        try:
            return _Run(self, run_dir, registry, llm).all(goldens, reuse)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)


class _Run:
    """One pass over the goldens on a fresh sandbox practice."""

    def __init__(self, practice: EvalPractice, run_dir: Path, registry: PromptRegistry, llm: Any):
        from agent.assistant import Assistant
        from agent.checkpoint import Checkpointer
        from agent.nodes.deps import Deps
        from agent.policy import PracticePolicy
        from agent.store.alerts import AlertStore
        from agent.store.audit import AuditLog
        from agent.store.db import Database
        from tools.ehr.sandbox import SandboxEHR

        settings = practice.settings.model_copy(update={"data_dir": run_dir})
        self.db = Database.from_settings(settings)
        self.db.create_all()
        self.ehr = RecordingEHR(SandboxEHR.from_settings(settings))
        self.requests = ModelRequests()
        self.echo = echo_model(self.requests)
        self.llm = llm
        deps = Deps(
            settings=settings,
            ehr=self.ehr,
            crisis=practice.crisis,
            classifier=practice.classifier,
            kb=practice.kb,
            audit=AuditLog(self.db),
            alerts=AlertStore(self.db),
            policy=PracticePolicy(),
            prompts=registry,
            llm=llm,
            llm_deadline_s=settings.llm_timeout_s,
            db=self.db,
        )
        self.assistant = Assistant(deps, Checkpointer(InMemorySaver()))
        self.clients = self._eligible_clients()

    def _eligible_clients(self) -> list[tuple[Any, str]]:
        """Adults who consented to AI-assisted drafting, with an upcoming visit and a thread."""
        chosen = []
        for client in self.ehr._ehr.list_clients():
            if client.is_minor or not client.consents.ai_assisted_drafting or client.part2:
                continue
            threads = self.ehr._ehr.threads(client.id)
            if threads and self.ehr._ehr.upcoming_appointments(client.id):
                chosen.append((client, threads[0].id))
        if not chosen:
            raise RuntimeError("the sandbox practice has no eligible adult client")
        return chosen

    def _free_slot_text(self, client: Any) -> str:
        ehr = self.ehr._ehr
        now = ehr.now()
        zone = ZoneInfo(client.timezone)
        appointment = ehr.upcoming_appointments(client.id)[0]
        busy_day = appointment.start.astimezone(zone).date()
        for slot in ehr.open_slots(
            client.clinician_id, now + timedelta(days=2), now + timedelta(14)
        ):
            local = slot.start.astimezone(zone)
            if local.date() != busy_day:
                return f"{local:%B} {local.day} at {local.strftime('%I:%M %p').lstrip('0')}"
        raise RuntimeError(f"no free slot for clinician {client.clinician_id}")

    def all(self, goldens: list[Golden], reuse: list[CaseRecord] | None) -> list[CaseRecord]:
        try:
            return [
                reuse[index]
                if reuse and prompt_independent(reuse[index])
                else self.one(index, golden)
                for index, golden in enumerate(goldens)
            ]
        finally:
            self.assistant.close()
            self.db.engine.dispose()

    def one(self, index: int, golden: Golden) -> CaseRecord:
        from agent.state import InboundMessage, ReviewDecision

        meta = golden.additional_metadata or {}
        # The client follows the golden's id, not its position: a subset run sees the same turns.
        client, thread_id = self.clients[zlib.crc32(meta["id"].encode()) % len(self.clients)]
        text = golden.input
        if "{free_slot}" in text:
            text = text.replace("{free_slot}", self._free_slot_text(client))
        record = CaseRecord(
            golden_set=meta["set"],
            golden_id=meta["id"],
            text=text,
            meta=meta,
            client_id=client.id,
            clinician_id=client.clinician_id,
            timezone=client.timezone,
        )
        phi = meta["set"] == "phi"
        self.ehr.identifiers_overlay = (
            identifiers_from_known(client.id, meta["known"]) if phi else None
        )
        if phi:  # what compose sends is the measure, whatever model would answer
            self.assistant.deps.llm = self.echo
        self.ehr.calls.clear()
        sent_before = len(self.requests.bodies)
        message = InboundMessage(
            event_id=f"gate-evt-{index}",
            client_id=client.id,
            thread_id=thread_id,
            message_id=f"gate-msg-{index}",
            text=text,
            received_at=datetime.combine(ANCHOR, datetime.min.time()).astimezone(),
        )
        try:
            outcome = self.assistant.handle_message(message)
            self._fill(record, outcome)
            record.tool_calls = list(self.ehr.calls)
            if meta["set"] == "scheduling" and outcome.status == "awaiting_review":
                self.ehr.calls.clear()
                if (outcome.interrupt or {}).get("config", {}).get("allow_accept"):
                    self.assistant.resume(
                        outcome.thread_id, ReviewDecision(type="accept", reviewer_id=REVIEWER)
                    )
                    record.after_accept_calls = [c for c in self.ehr.calls if c in EHR_WRITES]
        except Exception as err:  # noqa: BLE001 - a crashed turn is a failed case, not a crash
            record.error = f"{type(err).__name__}: {str(err)[:200]}"
        finally:
            self.ehr.identifiers_overlay = None
            self.assistant.deps.llm = self.llm
        record.model_requests = self.requests.bodies[sent_before:]
        return record

    def _fill(self, record: CaseRecord, outcome: Any) -> None:
        values = self.assistant.graph.get_state(
            {"configurable": {"thread_id": outcome.thread_id}}
        ).values
        record.route = outcome.route
        record.status = outcome.status
        record.intents = list(outcome.intents)
        record.allowed_intents = list(values.get("allowed_intents") or [])
        record.blocked_intents = list(values.get("blocked_intents") or [])
        record.draft = outcome.draft
        if outcome.metadata:
            record.model = outcome.metadata.model
            record.prompt_versions = dict(outcome.metadata.prompt_versions)
            record.sources = list(outcome.metadata.sources)
        guard = values.get("guard")
        if guard is not None:
            record.guard_passed = bool(guard.get("passed"))
            record.guard_rules = sorted({f["rule"] for f in guard.get("findings", [])})
        record.handoff_queue = (values.get("handoff") or {}).get("queue")
        record.grounding = json.loads(json.dumps(values.get("grounding") or {}, default=str))
        record.pending_change = values.get("pending_change")
