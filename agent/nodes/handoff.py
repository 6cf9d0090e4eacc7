"""policy_gate and staff_handoff: what may get a draft, and a useful summary for what may not.

Decision for mixed messages (documented in ARCHITECTURE.md): allowed intents get a draft; every
non-allowlisted intent in the same message is handed to the right staff queue, and the draft says
only that the right person will follow up. No draft ever answers a non-allowlisted intent.
Fail closed: no client record, any crisis signal, an unsure or failed classifier, or rollout
mode "off" means staff own the whole message.
"""

from __future__ import annotations

import logging
import re
import string
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.state import HandoffSummary, TurnState, draft_text

log = logging.getLogger(__name__)

WORKFLOW = "inbound"
GATHER_NODE = {
    "schedule_change": "scheduling",
    "appointment_info": "scheduling",
    "billing": "billing",
    "forms": "forms",
    "practice_info": "faq",
}
QUEUE_FOR = {
    "crisis": "safety",
    "medication": "prescriber",
    "clinical": "clinician",
    "billing": "billing",
}
TEAM_LABEL = {
    "safety": "your care team",
    "prescriber": "your prescriber",
    "clinician": "your clinician",
    "billing": "our billing team",
    "front_desk": "our front desk",
}
_PHARMACY = re.compile(
    r"\b((?:CVS|Walgreens|Rite Aid|Walmart|Costco|Kroger|Publix|Target|Safeway|Wegmans|H-E-B)"
    r"(?: Pharmacy)?|(?:[A-Z][\w'&-]+ ){1,3}Pharmacy)"
    r"(?:\s+(?:on|at|in)\s+([A-Z0-9][^.,;!?\n]{2,40}))?"
)
_REFILL_OF = re.compile(
    r"\brefill(?:ed)?\s+(?:of|on|for)?\s*(?:my\s+)?([A-Za-z][A-Za-z-]{3,30})", re.I
)
_NOT_A_DRUG = {
    "medication",
    "medications",
    "meds",
    "prescription",
    "prescriptions",
    "please",
    "soon",
}


def extract_refill(text: str, medications: list[dict[str, Any]]) -> dict[str, Any]:
    """Medication and pharmacy named in a refill request, for the prescriber's queue."""
    lowered = text.lower()
    known = [m for m in medications if m.get("name") and m["name"].lower() in lowered]
    details: dict[str, Any] = {}
    if known:
        med = known[0]
        details.update(
            medication=med["name"], dose=med.get("dose"), prescriber=med.get("prescriber")
        )
    else:
        match = _REFILL_OF.search(text)
        if match and match.group(1).lower() not in _NOT_A_DRUG:
            details["medication"] = match.group(1)
    pharmacy = _PHARMACY.search(text)
    if pharmacy:
        details["pharmacy"] = pharmacy.group(1).strip()
        if pharmacy.group(2):
            details["pharmacy_location"] = pharmacy.group(2).strip()
    return details


def build_handoff(state: TurnState, blocked: list[str], reason: str) -> HandoffSummary:
    """One summary for the person who owns the most sensitive blocked intent."""
    context = state.get("context") or {}
    clinician_id = (context.get("clinician") or {}).get("id")
    queue = next((QUEUE_FOR[i] for i in QUEUE_FOR if i in blocked), "front_desk")
    details: dict[str, Any] = {"message_id": state["message"]["message_id"]}
    if "medication" in blocked:
        details.update(extract_refill(state["message"]["text"], context.get("medications") or []))
    return HandoffSummary(
        queue=queue,
        reason=reason,
        intents=blocked,
        assignee_id=clinician_id if queue in ("safety", "clinician", "prescriber") else None,
        details=details,
    )


def policy_gate(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    intents = state.get("intents") or ["other"]
    context = state.get("context") or {}
    if context.get("error"):
        reason = "The client's record could not be loaded."
        allowed: list[str] = []
    elif "crisis" in intents:
        reason = (
            "Possible risk language the crisis screen did not flag: a clinician should read it."
        )
        allowed = []
    elif state.get("intent_unsure"):
        reason = "The assistant was not sure what the client is asking."
        allowed = []
    elif deps.policy.mode(WORKFLOW) == "off":
        reason = "Inbound drafting is switched off for this practice."
        allowed = []
    else:
        reason = "Not on the practice's drafting allowlist."
        allowed = [i for i in intents if deps.policy.allows(i)]
    blocked = [i for i in intents if i not in allowed]
    update: dict[str, Any] = {
        "allowed_intents": allowed,
        "blocked_intents": blocked,
        "handoff_reason": reason,
    }
    if blocked:
        update["handoff"] = build_handoff(state, blocked, reason).model_dump(mode="json")
    update["route"] = "draft" if allowed else "handoff"
    return update


def after_policy_gate(state: TurnState) -> list[str] | str:
    if state["route"] == "handoff":
        return "staff_handoff"
    return sorted({GATHER_NODE[i] for i in state["allowed_intents"]})


def _fill(template: str, values: dict[str, str]) -> str | None:
    """Fill a practice template; None if it names a field we cannot fill (never send '{x}')."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not fields <= values.keys():
        return None
    return template.format_map(values)


def staff_handoff(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Staff own the whole message: record the summary, post the holding acknowledgement if the
    practice enabled it. Reached from the policy gate, a failed draft, or shadow mode."""
    deps = deps_of(runtime)
    message = state["message"]
    if draft_text(state) and deps.policy.mode(WORKFLOW) == "shadow":
        reason = "Shadow mode: the draft is kept for evaluation and not offered to the client."
    else:
        reason = state.get("handoff_reason") or "Sent to staff."
    handoff = build_handoff(state, state.get("intents") or ["other"], reason).model_dump(
        mode="json"
    )
    context = state.get("context") or {}
    notes: list[str] = []
    sent_message_id = None
    template = deps.policy.templates.get("holding_acknowledgement")
    if deps.policy.holding_acknowledgement_enabled and template and not context.get("error"):
        text = _fill(
            template,
            {
                "preferred_name": context.get("display_name", ""),
                "team": TEAM_LABEL.get(handoff["queue"], "our team"),
                "clinician_name": (context.get("clinician") or {}).get("display_name", ""),
            },
        )
        if text is None:
            notes.append("Holding acknowledgement template has a field we cannot fill; not sent.")
        else:
            try:
                sent = deps.ehr.post_message(
                    message["client_id"],
                    message["thread_id"],
                    text,
                    sender="assistant",
                    sender_id="practice:holding-acknowledgement",
                    request_id=f"{message['message_id']}:holding-ack",
                    in_reply_to=message["message_id"],
                )
                sent_message_id = sent.id
                handoff["acknowledgement"] = text
            except Exception as err:  # noqa: BLE001 - the handoff itself still stands
                log.error(
                    "holding ack failed message=%s error=%s",
                    message["message_id"],
                    type(err).__name__,
                )
                notes.append("The holding acknowledgement could not be posted.")
    deps.audit.append(
        actor="system:graph",
        action="handoff.create",
        client_id=message["client_id"],
        subject=message["message_id"],
        details={
            "queue": handoff["queue"],
            "intents": handoff["intents"],
            "ack_sent": bool(sent_message_id),
        },
    )
    return {
        "route": "handoff",
        "status": "handed_off",
        "handoff": handoff,
        "sent_message_id": sent_message_id,
        "notes": notes,
    }
