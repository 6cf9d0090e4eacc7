"""guard: the PHI engineer's draft checks (`agent.safety.guard.check_draft`) on the final draft.

Feeds the rules what only the graph knows: the drafted intents, the practice's allowed link
domains, every other client's identifiers (a reply must never carry another client's data) and
the prompt text the draft must not quote. Fails closed: if the check itself cannot run, the
draft is marked not passed, so the reviewer cannot one-click accept it.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.compose import REPLY_PROMPT
from agent.nodes.deps import Deps, deps_of
from agent.nodes.handoff import WORKFLOW
from agent.state import TurnState, draft_text
from tools.ehr.roster import roster_of

log = logging.getLogger(__name__)


def _foreign_identifiers(deps: Deps, client_id: str) -> list[str]:
    """Other clients' identifiers, minus single words this reply legitimately contains: another
    client who shares this client's first name, or a staff member's name, is not a leak."""
    own = {w.lower() for name in deps.ehr.client_identifiers(client_id).names for w in name.split()}
    for clinician in deps.ehr.list_clinicians():
        own.update(w.lower() for w in (clinician.given_name, clinician.family_name))
    values: list[str] = []
    for other in roster_of(deps.ehr).others(client_id):
        values.extend(n for n in other.names if " " in n.strip() or n.strip().lower() not in own)
        values.extend([*other.phones, *other.emails, *other.record_numbers])
    return [v for v in values if v]


def guard(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    from agent.safety.guard import check_draft

    deps = deps_of(runtime)
    message = state["message"]
    try:
        reply = deps.prompts.get(REPLY_PROMPT)
        result = check_draft(
            draft_text(state),
            intents=state.get("allowed_intents") or [],
            allowed_domains=deps.policy.allowed_link_domains,
            foreign_identifiers=_foreign_identifiers(deps, message["client_id"]),
            protected_texts=[reply.system, reply.instructions],
        )
        verdict = {
            "passed": bool(result.passed),
            "findings": [f.model_dump() for f in result.findings],
        }
    except Exception as err:  # noqa: BLE001 - a guard that cannot run blocks one-click accept
        log.error("guard failed message=%s error=%s", message["message_id"], type(err).__name__)
        verdict = {
            "passed": False,
            "findings": [
                {
                    "rule": "guard_error",
                    "message": f"The guard could not run ({type(err).__name__}).",
                    "span": None,
                }
            ],
        }
    deps.audit.append(
        actor="system:graph",
        action="draft.create",
        client_id=message["client_id"],
        subject=message["message_id"],
        details={
            "model": (state.get("metadata") or {}).get("model"),
            "prompt_id": (state.get("metadata") or {}).get("prompt_id"),
            "prompt_version": (state.get("metadata") or {}).get("prompt_version"),
            "guard_passed": verdict["passed"],
            "guard_rules": sorted({f["rule"] for f in verdict["findings"]}),
        },
    )
    return {"guard": verdict}


def after_guard(state: TurnState, runtime: Runtime[Deps]) -> str:
    if deps_of(runtime).policy.mode(WORKFLOW) == "shadow":
        return "staff_handoff"
    return "review"
