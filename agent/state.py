"""Typed state of one inbound conversation turn, and the models the server exchanges with the graph.

`InboundMessage`, `ReviewDecision` and `TurnOutcome` are the boundary of `agent.assistant.Assistant`
(what the server engineer calls). `TurnState` is the graph's internal state: plain JSON values only,
so checkpoints serialise without custom types and decrypt to the same dicts in any process.
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field, model_validator

Route = Literal["crisis", "draft", "handoff"]
TurnStatus = Literal["awaiting_review", "sent", "dismissed", "escalated", "handed_off"]
DecisionType = Literal["accept", "edit", "respond", "ignore"]


class InboundMessage(BaseModel):
    """One client portal message as the inbox hands it to the graph (ids come from the EHR)."""

    event_id: str = Field(min_length=1, max_length=200)
    client_id: str = Field(min_length=1, max_length=200)
    thread_id: str = Field(min_length=1, max_length=200)
    message_id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    in_reply_to: str | None = Field(
        None,
        max_length=200,
        description="EHR id of the message this answers (e.g. a reminder), if the portal says; "
        "without it the graph looks for the last outreach message in the thread.",
    )


class ReviewDecision(BaseModel):
    """A clinician's answer to the review interrupt (Agent Inbox HumanResponse, typed).

    accept: send the draft as is (and apply its calendar change). edit: send `text`, the reviewer's
    edit of the draft (the change still applies). respond: send `text`, the reviewer's own reply,
    instead of the draft (no change applied). ignore: send nothing and close the turn.
    """

    type: DecisionType
    text: str | None = Field(None, max_length=20_000)
    reviewer_id: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _text_when_needed(self) -> ReviewDecision:
        if self.type in ("edit", "respond") and not (self.text and self.text.strip()):
            raise ValueError(f"decision '{self.type}' needs non-empty text")
        return self


class DraftMetadata(BaseModel):
    """Provenance stamped on every draft: who wrote it, from which prompt, grounded in what."""

    model: str = Field(description='Model name, or "template" for the no-LLM path.')
    prompt_id: str
    prompt_version: str
    prompt_versions: dict[str, str] = Field(
        default_factory=dict, description="Every prompt the draft used, id -> version."
    )
    sources: list[str] = Field(default_factory=list)
    created_at: datetime
    fallback_reason: str | None = Field(
        None, description="Why the LLM path was not used (LLM down, slow, garbage), if it was not."
    )


class GuardFindingView(BaseModel):
    """A guard finding as the reviewer sees it."""

    rule: str
    message: str
    span: str | None = None


class HandoffSummary(BaseModel):
    """Structured summary for the staff member who owns a message the assistant may not draft."""

    queue: Literal["prescriber", "clinician", "front_desk", "billing", "safety"]
    reason: str
    intents: list[str] = Field(default_factory=list)
    assignee_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    acknowledgement: str | None = Field(
        None,
        description="Holding acknowledgement posted to the client (approved template), if any.",
    )


class TurnOutcome(BaseModel):
    """What one graph run produced, for the server, the CLI and the release gate."""

    thread_id: str
    message_id: str
    route: Route
    status: TurnStatus
    intents: list[str] = Field(default_factory=list)
    draft: str | None = None
    metadata: DraftMetadata | None = None
    guard_findings: list[GuardFindingView] = Field(default_factory=list)
    alert_id: str | None = None
    severity: Literal["imminent", "high", "elevated"] | None = Field(
        None, description="Crisis severity when route is crisis."
    )
    crisis_categories: list[str] = Field(default_factory=list)
    handoff: HandoffSummary | None = None
    interrupt: dict[str, Any] | None = Field(
        None, description="Agent Inbox HumanInterrupt payload while awaiting review."
    )
    sent_message_id: str | None = None
    notes: list[str] = Field(
        default_factory=list, description="Reasons a reviewer should know (fallbacks, fail-closed)."
    )


def draft_text(state: TurnState | dict[str, Any]) -> str | None:
    """The current draft's text (see `TurnState.draft` for why it is wrapped)."""
    return (state.get("draft") or {}).get("text")


def _merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Gather nodes run in parallel (multi-intent); each adds its own intent's key."""
    return {**(left or {}), **(right or {})}


class TurnState(TypedDict, total=False):
    """The graph's state for one message; every value is plain JSON so checkpoints stay portable."""

    message: dict[str, Any]  # InboundMessage.model_dump(mode="json")
    context: dict[str, Any]  # minimum-necessary client context (context node)
    # the reminder this message answers: {send_key, workflow, step, appointment{...}, kind}
    # (kind: confirm | reschedule | cancel | None), or None when it answers no reminder
    reply_to: dict[str, Any] | None
    crisis: dict[str, Any]  # CrisisResult as dict
    intents: list[str]
    intent_confidence: float
    intent_unsure: bool
    allowed_intents: list[str]
    blocked_intents: list[str]
    route: Route
    grounding: Annotated[dict[str, Any], _merge]  # per-intent material, one key per gather node
    # {"text": ...}, never a bare str: PostgresSaver stores bare primitives inline, unencrypted
    draft: dict[str, str] | None
    metadata: dict[str, Any] | None
    guard: dict[str, Any]  # {"passed": bool, "findings": [...]}
    notes: Annotated[list[str], operator.add]  # appended by nodes; reasons for the reviewer
    alert_id: str | None
    handoff: dict[str, Any] | None
    handoff_reason: str
    pending_change: dict[str, Any] | None  # calendar change `act` applies after approval
    review: dict[str, Any] | None  # ReviewDecision as dict once answered
    status: TurnStatus
    sent_message_id: str | None
    llm_calls: Annotated[int, operator.add]
