"""The assistant facade the server, CLI and release gate call: one message in, one outcome out.

Loads the heavy pieces once (embedding-backed classifier and crisis screen, knowledge base, EHR,
LLM if configured) and compiles the inbound graph with the encrypted checkpointer, so a review can
be resumed by any process that shares the checkpoint database and key.

Graph thread ids: each inbound message is its own turn, checkpointed under
`turn_thread_id(message)` = "<EHR thread id>:<message id>" (returned as `TurnOutcome.thread_id`);
pass that id to `resume`. Two messages in one portal thread therefore each get their own review
instead of the second overwriting the first's pending interrupt. Handling a message whose turn
already exists (a redelivered webhook) returns that turn's outcome, finishing it first if a crash
interrupted it, and never runs its side effects again.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from langgraph.types import Command

from agent.checkpoint import Checkpointer, open_checkpointer
from agent.graph import build_graph
from agent.nodes.deps import Deps
from agent.nodes.review import parse_decision
from agent.policy import PracticePolicy
from agent.prompts.registry import PromptRegistry
from agent.settings import Settings
from agent.state import (
    DraftMetadata,
    GuardFindingView,
    HandoffSummary,
    InboundMessage,
    ReviewDecision,
    TurnOutcome,
    draft_text,
)

log = logging.getLogger(__name__)

# Checkpoint when a run stops (interrupt, end or error), not after every node: a turn is short,
# and a run lost mid-way is simply run again by the worker. That is safe because every EHR write
# of a turn carries a request id derived from the message (a repeat is answered, not redone),
# the alert is idempotent on the message id, and the reviewer's decision is reserved before it
# is carried out. Saves about 10 ms a message (measured in `benchmarks/graph_latency.py`).
DURABILITY = "exit"

_UNSET: Any = object()


class NoPendingReview(LookupError):
    """The turn does not exist or is not waiting for a review (already decided?)."""


class ReviewNotAllowed(ValueError):
    """The decision is not one the review offered (e.g. accept while the guard has findings)."""


def turn_thread_id(message: InboundMessage) -> str:
    """Checkpoint thread id of one message's turn."""
    return f"{message.thread_id}:{message.message_id}"


class Lazy:
    """Builds a heavy component on first use (once, thread-safe), then behaves as it.

    A process that only resumes reviews (act sends, nothing is screened) never pays for the
    embedding model; `Assistant.warm()` loads everything up front for a server.
    """

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
        return self._value

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


class Assistant:
    """Runs inbound messages through the compiled graph with injected dependencies."""

    def __init__(
        self,
        deps: Deps,
        checkpointer: Checkpointer,
        *,
        policy_source: Callable[[], PracticePolicy] | None = None,
        closers: tuple[Any, ...] = (),
    ):
        self.deps = deps
        self._checkpointer = checkpointer
        self._policy_source = policy_source
        self._closers = closers
        self.graph = build_graph().compile(checkpointer=checkpointer.saver)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        db=None,
        *,
        checkpointer: Checkpointer | None = None,
        warm: bool = True,
        **overrides: Any,
    ) -> Assistant:
        """Everything from settings; any piece can be injected (see `build_deps` for the names).

        `checkpointer`: e.g. an in-memory one for dry runs; default the encrypted SQLite or
        Postgres one. `warm`: load the models now (a server) rather than on the first message.
        """
        owned_pager = overrides.get("pager") is None
        deps, policy_source = build_deps(settings, db, **overrides)
        assistant = cls(
            deps,
            checkpointer or open_checkpointer(settings),
            policy_source=policy_source,
            closers=(deps.pager,) if owned_pager else (),
        )
        if warm:
            assistant.warm()
        return assistant

    def warm(self) -> None:
        """Load the crisis screen and intent classifier now, so the first message is not slow."""
        for component in (self.deps.crisis, self.deps.classifier):
            if isinstance(component, Lazy):
                component.get()

    # --- running turns -----------------------------------------------------------------------
    def _run_deps(self) -> Deps:
        if self._policy_source is None:
            return self.deps
        try:
            policy = self._policy_source()
        except Exception as err:  # noqa: BLE001 - the safe defaults, never a looser policy
            log.error("policy unavailable, using safe defaults: %s", type(err).__name__)
            policy = PracticePolicy()
        return dataclasses.replace(self.deps, policy=policy)

    @staticmethod
    def _config(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    def handle_message(self, message: InboundMessage) -> TurnOutcome:
        """Run one message to its interrupt (review) or its end (crisis, handoff)."""
        thread_id = turn_thread_id(message)
        config = self._config(thread_id)
        snapshot = self.graph.get_state(config)
        if snapshot.values:
            if snapshot.next and not snapshot.interrupts:  # a crash stopped it mid-way: finish
                self.graph.invoke(None, config, context=self._run_deps(), durability=DURABILITY)
            return self.outcome(thread_id)
        initial = {"message": message.model_dump(mode="json"), "notes": [], "llm_calls": 0}
        self.graph.invoke(initial, config, context=self._run_deps(), durability=DURABILITY)
        return self.outcome(thread_id)

    def resume(self, thread_id: str, decision: ReviewDecision) -> TurnOutcome:
        """Apply a reviewer's decision to a turn awaiting review; runs `act` exactly once."""
        config = self._config(thread_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.interrupts:
            raise NoPendingReview(f"turn {thread_id!r} is not awaiting review")
        decision = parse_decision(decision)
        offered = snapshot.interrupts[0].value.get("config", {})
        if not offered.get(f"allow_{decision.type}", False):
            raise ReviewNotAllowed(f"'{decision.type}' is not allowed for turn {thread_id!r}")
        self.graph.invoke(
            Command(resume=decision.model_dump(mode="json")), config, context=self._run_deps(),
            durability=DURABILITY,
        )
        return self.outcome(thread_id)

    def outcome(self, thread_id: str) -> TurnOutcome:
        """The turn as it stands now (also after a restart, from the checkpoint)."""
        snapshot = self.graph.get_state(self._config(thread_id))
        values = snapshot.values
        if not values:
            raise NoPendingReview(f"no turn {thread_id!r}")
        interrupt = snapshot.interrupts[0].value if snapshot.interrupts else None
        guard = values.get("guard") or {}
        crisis = values.get("crisis") or {}
        route = values.get("route") or "handoff"
        status = values.get("status") or ("awaiting_review" if interrupt else "handed_off")
        return TurnOutcome(
            thread_id=thread_id,
            message_id=values["message"]["message_id"],
            route=route,
            status=status,
            intents=values.get("intents") or [],
            draft=None if route == "crisis" else draft_text(values),
            metadata=DraftMetadata(**values["metadata"]) if values.get("metadata") else None,
            guard_findings=[GuardFindingView(**f) for f in guard.get("findings", [])],
            alert_id=values.get("alert_id"),
            severity=crisis.get("severity") if route == "crisis" else None,
            crisis_categories=crisis.get("categories", []) if route == "crisis" else [],
            handoff=HandoffSummary(**values["handoff"]) if values.get("handoff") else None,
            interrupt=interrupt,
            sent_message_id=values.get("sent_message_id"),
            notes=values.get("notes") or [],
        )

    def llm_calls(self, thread_id: str) -> int:
        """LLM calls the turn made (classifier fallback + compose), for benchmarks and the gate."""
        return int(self.graph.get_state(self._config(thread_id)).values.get("llm_calls") or 0)

    def close(self) -> None:
        for closer in self._closers:
            closer.close()
        self._checkpointer.close()


def build_deps(
    settings: Settings,
    db=None,
    *,
    ehr: Any = None,
    llm: Any = _UNSET,
    kb: Any = _UNSET,
    policy: PracticePolicy | None = None,
    prompt_versions: dict[str, str] | None = None,
    http_client: httpx.Client | None = None,
    pager: httpx.Client | None = None,
    clock: Callable[[], datetime] | None = None,
    crisis: Any = None,
    classifier: Any = None,
) -> tuple[Deps, Callable[[], PracticePolicy] | None]:
    """The graph's dependencies from settings, and where the per-message policy comes from.

    `policy`: a fixed policy; default (returned as the policy source) reads the practice's
    current policy from the database for every message. `prompt_versions`: pin candidate prompt
    versions. `crisis` / `classifier`: share already-loaded screens (the release gate, tests);
    by default they load lazily, once. `http_client`: transport for the LLM (tests).
    """
    from agent.classify import IntentClassifier
    from agent.llm import build_chat_model
    from agent.safety.crisis import CrisisScreen
    from agent.store.alerts import AlertStore
    from agent.store.audit import AuditLog
    from agent.store.db import Database
    from agent.store.policy_store import PolicyStore
    from knowledge.index import KnowledgeBase
    from tools.ehr import open_ehr

    if db is None:
        db = Database.from_settings(settings)
        db.create_all()
    if llm is _UNSET:
        llm = build_chat_model(settings, http_client=http_client)
    if kb is _UNSET:
        kb = KnowledgeBase(settings)
    deps = Deps(
        settings=settings,
        ehr=ehr or open_ehr(settings),
        crisis=crisis
        or Lazy(
            lambda: CrisisScreen(
                llm=llm if settings.crisis_llm_second_opinion else None,
                llm_timeout_s=settings.llm_timeout_s,
            )
        ),
        classifier=classifier
        or Lazy(lambda: IntentClassifier(llm=llm, cache_dir=settings.data_dir / "models")),
        kb=kb,
        audit=AuditLog(db),
        alerts=AlertStore(db),
        policy=policy or PracticePolicy(),
        prompts=PromptRegistry(overrides=prompt_versions),
        llm=llm,
        llm_deadline_s=settings.llm_timeout_s,
        pager=pager or httpx.Client(),
        db=db,
        **({"clock": clock} if clock else {}),
    )
    return deps, (None if policy is not None else PolicyStore(db).current)
