"""compose: one reply covering every allowed request, from the versioned prompts.

The template draft is always built first (practice-approved wording filled with grounded
material); it is the reply when no model is configured, the client has not consented to
AI-assisted drafting, or the LLM path fails. With a model, the LLM rewrites that draft warmly
from pseudonymized text only (identifiers replaced locally by `agent.safety.phi`, restored after)
under a hard deadline; an answer that is empty, echoes an unknown placeholder or drops a
scheduling option falls back to the template, and the draft says why.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.nodes.handoff import TEAM_LABEL
from agent.prompts.registry import PromptError, PromptVersion
from agent.state import TurnState, draft_text

log = logging.getLogger(__name__)

REPLY_PROMPT = "reply_draft"
SECTION_ORDER = ("schedule_change", "appointment_info", "billing", "forms", "practice_info")
PROMPT_FOR = {
    "schedule_change": "schedule_change",
    "appointment_info": "appointment_info",
    "billing": "billing",
    "forms": "forms",
    "practice_info": "faq_answer",
}
TOPIC = {
    "medication": "your medication",
    "clinical": "your care",
    "billing": "billing",
    "other": "the rest of your message",
}
MIN_REPLY_CHARS = 40
MAX_REPLY_CHARS = 4000
_llm_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm-compose")


class LLMDraftRejected(RuntimeError):
    """The model answered, but not with a usable reply."""


def _template_draft(
    state: TurnState, deps: Deps
) -> tuple[str, dict[str, PromptVersion], list[str]]:
    context = state["context"]
    grounding = state.get("grounding") or {}
    allowed = [i for i in SECTION_ORDER if i in (state.get("allowed_intents") or [])]
    common = {
        "preferred_name": context["display_name"],
        "clinician_name": context["clinician"]["display_name"],
    }
    used: dict[str, PromptVersion] = {}
    sections = []
    for intent in allowed:
        # grounding may name its own section prompt (a reply to a reminder: reminder_reply)
        prompt = deps.prompts.get(grounding.get(intent, {}).get("prompt") or PROMPT_FOR[intent])
        used[prompt.prompt_id] = prompt
        sections.append(prompt.render(g=grounding.get(intent, {}), **common))
    handoff = state.get("handoff")
    handoff_view = None
    if handoff:
        topics = [TOPIC.get(i, TOPIC["other"]) for i in handoff["intents"]]
        handoff_view = {
            "topic": " and ".join(dict.fromkeys(topics)),
            "team": TEAM_LABEL.get(handoff["queue"], "our team"),
        }
    reply = deps.prompts.get(REPLY_PROMPT)
    used[REPLY_PROMPT] = reply
    text = reply.render(sections=sections, handoff=handoff_view, **common)
    sources = [s for i in allowed for s in grounding.get(i, {}).get("sources", [])]
    return text, used, list(dict.fromkeys(sources))


def _required_phrases(state: TurnState) -> list[str]:
    """Facts the LLM must keep verbatim: concrete times offered or booked."""
    material = (state.get("grounding") or {}).get("schedule_change") or {}
    kept = [*material.get("options", []), *([material["chosen"]] if material.get("chosen") else [])]
    if material.get("reply") and material.get("appointment"):
        kept.append(material["appointment"])  # the visit being confirmed or cancelled
    return kept


def _llm_prompt(state: TurnState, deps: Deps, template: str, used: dict[str, PromptVersion]):
    """The pseudonymized prompt and the pseudonymizer to undo it; raises before any call if the
    text cannot be made PHI-free (fail closed: nothing leaves the process)."""
    from agent.safety.phi import KnownIdentifiers, Pseudonymizer

    message = state["message"]
    identifiers = deps.ehr.client_identifiers(message["client_id"])
    pseudonymizer = Pseudonymizer(KnownIdentifiers.from_client(identifiers))
    pseudo_message, pseudo_template = pseudonymizer.pseudonymize_many([message["text"], template])
    reply = used[REPLY_PROMPT]
    instructions = [
        p.instructions for key, p in used.items() if key != REPLY_PROMPT and p.instructions
    ]
    prompt = [
        SystemMessage(reply.render_text("system")),
        HumanMessage(
            reply.render_text(
                "instructions",
                message=pseudo_message,
                section_instructions=instructions,
                template_draft=pseudo_template,
            )
        ),
    ]
    return pseudonymizer, prompt


def _llm_call(state: TurnState, deps: Deps, reply: PromptVersion, pseudonymizer, prompt) -> str:
    """One bounded model call, validated and re-identified; raises on any failure."""
    model = deps.llm.bind(temperature=reply.model.temperature, max_tokens=reply.model.max_tokens)
    future = _llm_pool.submit(model.invoke, prompt)
    try:
        answer = future.result(timeout=deps.llm_deadline_s)
    except FutureTimeout:
        future.cancel()
        raise TimeoutError(f"no answer within {deps.llm_deadline_s:g} s") from None
    content = answer.content.strip() if isinstance(answer.content, str) else ""
    if not MIN_REPLY_CHARS <= len(content) <= MAX_REPLY_CHARS:
        raise LLMDraftRejected(
            f"reply length {len(content)} outside {MIN_REPLY_CHARS}-{MAX_REPLY_CHARS}"
        )
    unknown = pseudonymizer.unmapped(content)
    if unknown:
        raise LLMDraftRejected(f"reply uses {len(unknown)} placeholder(s) we never issued")
    text = pseudonymizer.reidentify(content)
    dropped = [p for p in _required_phrases(state) if p not in text]
    if dropped:
        raise LLMDraftRejected(f"reply dropped {len(dropped)} of the offered times")
    return text


def compose(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message_id = state["message"]["message_id"]
    try:
        template, used, sources = _template_draft(state, deps)
    except PromptError as err:
        log.error("template failed message=%s error=%s", message_id, err)
        return {"draft": None, "handoff_reason": "The draft template failed.", "notes": []}

    draft, model_name, fallback_reason, llm_calls = template, "template", None, 0
    consented = state["context"]["consents"].get("ai_assisted_drafting", False)
    if deps.llm is not None and not consented:
        fallback_reason = "client has not consented to AI-assisted drafting"
    elif deps.llm is not None:
        try:
            pseudonymizer, prompt = _llm_prompt(state, deps, template, used)
            llm_calls = 1
            draft = _llm_call(state, deps, used[REPLY_PROMPT], pseudonymizer, prompt)
            model_name = str(
                getattr(deps.llm, "model_name", None) or getattr(deps.llm, "model", "llm")
            )
        except Exception as err:  # noqa: BLE001 - any LLM/PHI failure: the template draft stands
            fallback_reason = f"LLM draft unavailable ({type(err).__name__}: {str(err)[:120]})"
            log.warning("LLM fallback message=%s error=%s", message_id, type(err).__name__)

    primary = (
        next(p for key, p in used.items() if key != REPLY_PROMPT)
        if len(used) > 1
        else used[REPLY_PROMPT]
    )
    metadata = {
        "model": model_name,
        "prompt_id": primary.prompt_id,
        "prompt_version": primary.version,
        "prompt_versions": {key: p.version for key, p in used.items()},
        "sources": sources,
        "created_at": deps.clock().isoformat(),
        "fallback_reason": fallback_reason,
    }
    notes = [f"Template draft used: {fallback_reason}."] if fallback_reason else []
    return {"draft": {"text": draft}, "metadata": metadata, "llm_calls": llm_calls, "notes": notes}


def after_compose(state: TurnState) -> str:
    return "guard" if draft_text(state) else "staff_handoff"
