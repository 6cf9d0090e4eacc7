"""Practice policy: what the assistant may draft, how each workflow is rolled out, who is alerted.

The practice edits this (admin page -> `agent.store.policy_store.PolicyStore`); the graph reads one
snapshot per message. Every default is the safe one: a narrow allowlist, review before anything is
sent, the static safety message on, and no link domain trusted unless the practice lists it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, field_validator

INTENTS: tuple[str, ...] = (
    "crisis",
    "schedule_change",
    "appointment_info",
    "billing",
    "forms",
    "medication",
    "practice_info",
    "clinical",
    "other",
)
# Intents that may NEVER get an AI draft, whatever the practice configures.
NEVER_DRAFTED: frozenset[str] = frozenset({"crisis", "medication", "clinical"})

RolloutMode = Literal["off", "shadow", "review", "auto_template"]

DEFAULT_SAFETY_MESSAGE = (
    "We received your message. If you are in danger or thinking about hurting yourself, please "
    "call or text 988 (Suicide & Crisis Lifeline) now, or call 911 or go to the nearest emergency "
    "room. A member of our care team has been alerted and will reach out to you."
)
DEFAULT_HOLDING_MESSAGE = (
    "Hi {preferred_name}, thank you for your message. We've passed it to {team} and someone will "
    "get back to you within one business day. If this is an emergency, please call 911 or call or "
    "text 988."
)


class EscalationContact(BaseModel):
    """Someone paged on a crisis message besides the client's own clinician."""

    name: str = Field(min_length=1, max_length=200)
    role: str = Field("on-call clinician", max_length=100)
    staff_id: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)


class PracticePolicy(BaseModel):
    """One practice's rules for the inbound assistant, with safe defaults."""

    intent_allowlist: list[str] = Field(
        default_factory=lambda: [
            "schedule_change",
            "appointment_info",
            "billing",
            "forms",
            "practice_info",
        ],
        description="Intents that may get an AI/template draft; everything else goes to staff.",
    )
    rollout: dict[str, RolloutMode] = Field(
        default_factory=lambda: {"inbound": "review"},
        description=(
            "Per workflow: off (no drafts, staff handles), shadow (draft kept, never offered), "
            "review (clinician approves every send), auto_template (approved templates only)."
        ),
    )
    templates: dict[str, str] = Field(
        default_factory=lambda: {"holding_acknowledgement": DEFAULT_HOLDING_MESSAGE},
        description="Practice-approved client-facing templates, by name.",
    )
    safety_message_enabled: bool = True
    safety_message: str = Field(DEFAULT_SAFETY_MESSAGE, min_length=20, max_length=2000)
    holding_acknowledgement_enabled: bool = False
    on_call: list[EscalationContact] = Field(default_factory=list)
    pager_webhook_url: HttpUrl | None = None
    pager_timeout_s: float = Field(3.0, gt=0, le=30)
    allowed_link_domains: list[str] = Field(default_factory=list)
    digest_supervisor_id: str | None = Field(
        None,
        max_length=80,
        description=(
            "EHR clinician id of the supervising clinician who receives the daily digest of "
            "automatic (auto_template) outreach sends; unset = each clinician's own supervisor."
        ),
    )

    @field_validator("intent_allowlist")
    @classmethod
    def _known_and_safe(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(INTENTS))
        if unknown:
            raise ValueError(f"intent_allowlist: unknown intent(s) {unknown}")
        forbidden = sorted(set(value) & NEVER_DRAFTED)
        if forbidden:
            raise ValueError(f"intent_allowlist: {forbidden} may never get an AI draft")
        return list(dict.fromkeys(value))

    @field_validator("digest_supervisor_id")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("allowed_link_domains")
    @classmethod
    def _bare_domains(cls, value: list[str]) -> list[str]:
        cleaned = []
        for domain in value:
            d = domain.strip().lower()
            if not d or "/" in d or " " in d:
                raise ValueError(f"allowed_link_domains: '{domain}' is not a bare domain")
            cleaned.append(d)
        return cleaned

    def mode(self, workflow: str) -> RolloutMode:
        """Rollout mode of a workflow; unknown workflows are "review" (a human approves)."""
        return self.rollout.get(workflow, "review")

    def allows(self, intent: str) -> bool:
        return intent in self.intent_allowlist and intent not in NEVER_DRAFTED
