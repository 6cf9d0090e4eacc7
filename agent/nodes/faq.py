"""faq, billing, forms: gather grounded material for practice questions (no EHR writes).

faq answers practice_info from the policy documents only; billing adds whether the client asked
for a document (superbill, receipt, statement) that billing staff must send; forms adds the
client's outstanding forms from the EHR context. Each writes its own key of `grounding`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.nodes.grounding import clauses_for, retrieve_facts
from agent.state import TurnState

_DOCUMENTS = re.compile(
    r"\b(superbill|receipt|statement|invoice|letter for (?:my )?insurance|tax (?:form|receipt))"
    r"s?\b",
    re.I,
)


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%A, %B} {day.day}"


def _notes(material: dict[str, Any]) -> list[str]:
    if material.get("kb_error"):
        return [f"Policy documents unavailable ({material['kb_error']}); draft says we will check."]
    return []


def faq(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    material = retrieve_facts(deps_of(runtime).kb, state["message"]["text"])
    return {"grounding": {"practice_info": material}, "notes": _notes(material)}


def billing(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    question = clauses_for(state["message"]["text"], "billing")
    document = _DOCUMENTS.search(question)
    material = retrieve_facts(deps_of(runtime).kb, question)
    material["document_requested"] = document.group(1).lower() if document else None
    return {"grounding": {"billing": material}, "notes": _notes(material)}


def forms(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    question = clauses_for(state["message"]["text"], "forms")
    material = retrieve_facts(deps_of(runtime).kb, question)
    outstanding = []
    for form in (state.get("context") or {}).get("outstanding_forms") or []:
        if form.get("status", "outstanding") == "outstanding":
            due = f" (due {_day(form['due'])})" if form.get("due") else ""
            outstanding.append(f"{form['title']}{due}")
    material["outstanding"] = outstanding
    return {"grounding": {"forms": material}, "notes": _notes(material)}
