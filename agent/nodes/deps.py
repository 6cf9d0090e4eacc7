"""The runtime dependencies every node reads, injected per run as LangGraph's `context`.

Nothing in `agent/nodes` reaches for a global: the EHR, knowledge base, crisis screen, intent
classifier, LLM, practice policy, prompt versions, audit log, alert store and clock all arrive
here, so tests, the CLI and the release gate swap any of them (e.g. a candidate prompt version)
without touching the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import httpx
from langgraph.runtime import Runtime

from agent.policy import PracticePolicy
from agent.prompts.registry import PromptRegistry
from agent.settings import Settings


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """What one graph run may use. `llm` is None when no model is configured (the normal case)."""

    settings: Settings
    ehr: Any  # tools.ehr.base.EHR
    crisis: Any  # agent.safety.crisis.CrisisScreen
    classifier: Any  # agent.classify.IntentClassifier
    kb: Any | None  # knowledge.index.KnowledgeBase; None when no index is built
    audit: Any  # agent.store.audit.AuditLog
    alerts: Any  # agent.store.alerts.AlertStore
    policy: PracticePolicy = field(default_factory=PracticePolicy)
    prompts: PromptRegistry = field(default_factory=PromptRegistry)
    llm: Any | None = None  # langchain BaseChatModel
    llm_deadline_s: float = 30.0
    pager: httpx.Client | None = None
    clock: Callable[[], datetime] = _utcnow
    #: The product database (outreach sends: which reminder a client's reply answers). None:
    #: replies are handled without their reminder (as any other message).
    db: Any | None = None


def deps_of(runtime: Runtime[Deps]) -> Deps:
    """The run's Deps; under LangGraph Server (no Python context) the process-wide default."""
    if isinstance(runtime.context, Deps):
        return runtime.context
    return server_deps()


@lru_cache(maxsize=1)
def server_deps() -> Deps:
    """Deps from the environment's settings, for `langgraph.json` (LangGraph Server + Agent
    Inbox), where runs carry JSON context only. Our own server and CLI always inject Deps."""
    from agent.assistant import build_deps
    from agent.settings import get_settings

    deps, _ = build_deps(get_settings())
    return deps
