"""build_graph(): the inbound message graph, nodes and edges only.

    load_context -> safety_screen -crisis-> crisis_escalation -> END
                       \\-> classify -> policy_gate -nothing allowed-> staff_handoff -> END
                                         \\-> faq | scheduling | billing | forms (in parallel)
                                               -> compose -> guard -> review <-> (re-ask)
                                                               \\-shadow-> staff_handoff
                                                           review -> act -> END

Runtime dependencies arrive as the run's context (`agent.nodes.deps.Deps`); the checkpointer is
the caller's choice. `graph` (compiled without a checkpointer) is what `langgraph.json` serves.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.nodes.act import act
from agent.nodes.compose import after_compose, compose
from agent.nodes.context import load_context
from agent.nodes.deps import Deps
from agent.nodes.faq import billing, faq, forms
from agent.nodes.guard import after_guard, guard
from agent.nodes.handoff import after_policy_gate, policy_gate, staff_handoff
from agent.nodes.intent import classify
from agent.nodes.review import after_review, review
from agent.nodes.safety import crisis_escalation, safety_screen
from agent.nodes.scheduling import scheduling
from agent.state import TurnState

GATHER_NODES = ("faq", "scheduling", "billing", "forms")


def build_graph() -> StateGraph:
    """The uncompiled builder: compile it with the checkpointer of your deployment."""
    builder = StateGraph(TurnState, context_schema=Deps)
    builder.add_node("load_context", load_context)
    builder.add_node("safety_screen", safety_screen)
    builder.add_node("crisis_escalation", crisis_escalation)
    builder.add_node("classify", classify)
    builder.add_node("policy_gate", policy_gate)
    builder.add_node("staff_handoff", staff_handoff)
    builder.add_node("faq", faq)
    builder.add_node("scheduling", scheduling)
    builder.add_node("billing", billing)
    builder.add_node("forms", forms)
    builder.add_node("compose", compose)
    builder.add_node("guard", guard)
    builder.add_node("review", review)
    builder.add_node("act", act)

    builder.add_edge(START, "load_context")
    builder.add_edge("load_context", "safety_screen")
    builder.add_conditional_edges(
        "safety_screen",
        lambda state: "crisis_escalation" if state["route"] == "crisis" else "classify",
        ["crisis_escalation", "classify"],
    )
    builder.add_edge("classify", "policy_gate")
    builder.add_conditional_edges(
        "policy_gate", after_policy_gate, ["staff_handoff", *GATHER_NODES]
    )
    for node in GATHER_NODES:
        builder.add_edge(node, "compose")
    builder.add_conditional_edges("compose", after_compose, ["guard", "staff_handoff"])
    builder.add_conditional_edges("guard", after_guard, ["review", "staff_handoff"])
    builder.add_conditional_edges("review", after_review, ["act", "review"])
    builder.add_edge("act", END)
    builder.add_edge("staff_handoff", END)
    builder.add_edge("crisis_escalation", END)
    return builder


graph = build_graph().compile()
