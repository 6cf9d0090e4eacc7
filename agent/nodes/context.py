"""load_context: the minimum-necessary client context a draft may draw on, and nothing more.

Reads `EHR.client_context` (Part 2 records are already withheld there without consent) and keeps a
plain-JSON copy in state. It never raises: an EHR failure is recorded and the crisis screen still
runs next, because a crisis message must be caught even when the record cannot be read.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.state import TurnState

log = logging.getLogger(__name__)


def load_context(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message = state["message"]
    client_id = message["client_id"]
    try:
        context = deps.ehr.client_context(client_id)
    except Exception as err:  # noqa: BLE001 - any EHR failure: record it, keep screening
        log.warning("context unavailable client=%s error=%s", client_id, type(err).__name__)
        return {"context": {"error": type(err).__name__}, "notes": ["Client record unavailable."]}
    deps.audit.append(
        actor="system:graph",
        action="ehr.read_context",
        client_id=client_id,
        subject=message["message_id"],
        details={"appointments": len(context.upcoming_appointments), "part2": context.part2},
    )
    return {"context": context.model_dump(mode="json")}
