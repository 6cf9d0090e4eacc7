"""review: the one place the graph waits for a human, via `interrupt()` (Agent Inbox schema).

The payload is a `HumanInterrupt`: action_request{action, args}, config{allow_*}, description.
Accept is offered only when the guard passed; edit, respond and ignore always are. The node does
nothing before `interrupt()` that matters if repeated (it re-runs from the top on resume) and
nothing after it but validate the answer; `act` performs the side effects.

Answers are accepted in our `ReviewDecision` shape or Agent Inbox's `HumanResponse` list shape
(type accept|edit|response|ignore, args), so LangGraph Server + Agent Inbox can drive it too.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt
from pydantic import ValidationError

from agent.state import ReviewDecision, TurnState, draft_text

ACTION = "send_portal_reply"


def interrupt_payload(state: TurnState) -> dict[str, Any]:
    message = state["message"]
    guard = state.get("guard") or {"passed": False, "findings": []}
    metadata = state.get("metadata") or {}
    handoff = state.get("handoff")
    change = state.get("pending_change")
    lines = [
        f"Intents: {', '.join(state.get('intents') or [])}",
        f"Draft by: {metadata.get('model')} "
        f"({metadata.get('prompt_id')} {metadata.get('prompt_version')})",
    ]
    if metadata.get("sources"):
        lines.append("Sources: " + "; ".join(metadata["sources"]))
    if change:
        target = "the appointment on" if change["kind"] in ("confirm", "cancel") else "to"
        lines.append(f"Accept or edit also applies: {change['kind']} {target} {change['when']}.")
    if handoff:
        lines.append(f"Also handed to {handoff['queue']}: {', '.join(handoff['intents'])}.")
    if not guard["passed"]:
        lines.append(
            "Guard did not pass (accept disabled): "
            + "; ".join(f"{f['rule']}: {f['message']}" for f in guard["findings"])
        )
    lines.extend(f"Note: {note}" for note in state.get("notes") or [])
    return {
        "action_request": {
            "action": ACTION,
            "args": {
                "client_id": message["client_id"],
                "thread_id": message["thread_id"],
                "message_id": message["message_id"],
                "draft": draft_text(state),
                "pending_change": change,
            },
        },
        "config": {
            "allow_accept": bool(guard["passed"]),
            "allow_edit": True,
            "allow_respond": True,
            "allow_ignore": True,
        },
        "description": "\n".join(lines),
    }


def parse_decision(answer: Any) -> ReviewDecision:
    """Our ReviewDecision dict, or an Agent Inbox HumanResponse (possibly in a one-item list)."""
    if isinstance(answer, list) and len(answer) == 1:
        answer = answer[0]
    if isinstance(answer, ReviewDecision):
        return answer
    if not isinstance(answer, dict):
        raise ValueError("review answer must be a ReviewDecision or HumanResponse object")
    kind = answer.get("type")
    if kind == "response":
        kind = "respond"
    text = answer.get("text")
    args = answer.get("args")
    if text is None and isinstance(args, str):
        text = args
    elif text is None and isinstance(args, dict):  # edit: an ActionRequest with edited args
        text = (args.get("args") or {}).get("draft") if "args" in args else args.get("draft")
    reviewer = answer.get("reviewer_id") or "agent-inbox"
    return ReviewDecision(type=kind, text=text, reviewer_id=reviewer)


def review(state: TurnState) -> dict[str, Any]:
    payload = interrupt_payload(state)
    answer = interrupt(payload)
    try:
        decision = parse_decision(answer)
    except (ValidationError, ValueError) as err:
        return {"review": None, "notes": [f"Invalid review answer ignored: {str(err)[:200]}"]}
    if decision.type == "accept" and not payload["config"]["allow_accept"]:
        return {"review": None, "notes": ["Accept is not allowed while the guard has findings."]}
    return {"review": decision.model_dump(mode="json")}


def after_review(state: TurnState) -> str:
    """An invalid answer asks again (a fresh interrupt); a valid one goes to act."""
    return "act" if state.get("review") else "review"
