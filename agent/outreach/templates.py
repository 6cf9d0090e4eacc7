"""Outreach message templates: the built-in wording of every workflow step, and the practice's
approved overrides from `PracticePolicy.templates` (key `outreach.<template name>`).

Only a template the practice saved in its policy counts as approved: in `auto_template` rollout
mode an approved template may go out without review; the built-in wording always goes to a
clinician first. Templates use `{field}` slots filled from structured EHR fields only (never notes);
a slot with no value is an error, so a half-filled message is never produced.
"""

from __future__ import annotations

import string

from pydantic import BaseModel

from agent.policy import PracticePolicy

POLICY_PREFIX = "outreach."

BUILT_IN: dict[str, str] = {
    "reminder": (
        "Hi {name}, this is a reminder of {whose} appointment with {clinician} on {when}. {where}"
        "{confirm_line} If you need to reschedule, just reply here and we will help."
    ),
    "checkin": (
        "Hi {name}, thank you for {whose} session today. {homework_line}"
        "{next_line} If anything comes up before then, you can reply here."
    ),
    "assessment": (
        "Hi {name}, {clinician} asked you to fill in a short check-in questionnaire "
        "({instrument}). It takes about {minutes} minutes: {link} Your answers help you and "
        "{clinician} see how things are going."
    ),
    "assessment_nudge": (
        "Hi {name}, a friendly reminder that your {instrument} check-in is still open: {link} "
        "It only takes a few minutes."
    ),
    "welcome": (
        "Hi {name}, welcome to {practice}! We are glad you are here. {forms_line} "
        "Reply here if you have any questions."
    ),
    "forms_nudge": (
        "Hi {name}, a quick reminder that these are still waiting in the portal: {forms}. "
        "They only take a few minutes. Reply here if you need help."
    ),
    "discharge_thanks": (
        "Hi {name}, thank you for the work you did with {clinician}. It was a privilege to be part "
        "of it. Our door stays open if you ever want to come back. {resources_line}"
    ),
    "discharge_survey": (
        "Hi {name}, we would be grateful for your thoughts on your care with us. This short "
        "survey takes about 3 minutes: {link}"
    ),
    "resource": (
        "Hi {name}, {clinician} picked something that may help with what you are working on: "
        "{title} {link} Let us know if you try it."
    ),
    "resource_feedback": (
        'Hi {name}, did you get a chance to look at "{title}"? A one-line reply about whether '
        "it helped is welcome."
    ),
    "wellness": "Hi {name}, {body}",
    "refill": (
        "Hi {name}, our records show a prescription of yours may be due for a refill around "
        "{due}. We have let our team know so they can follow up with your prescriber. Please "
        "reply here if you have already taken care of it."
    ),
}


class TemplateError(ValueError):
    """A template names a slot with no value (or is malformed); nothing is sent."""


class Rendered(BaseModel):
    template: str
    text: str
    approved: bool


def render(name: str, values: dict[str, str], policy: PracticePolicy) -> Rendered:
    """The message for template `name`: the practice's approved wording if it saved one."""
    approved_text = policy.templates.get(POLICY_PREFIX + name)
    source = approved_text if approved_text is not None else BUILT_IN[name]
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(source) if f}
        missing = sorted(f for f in fields if values.get(f) is None)
        if missing:
            raise TemplateError(f"template {name}: no value for {missing}")
        text = source.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        if isinstance(exc, TemplateError):
            raise
        raise TemplateError(f"template {name}: {exc.__class__.__name__}") from None
    return Rendered(template=name, text=" ".join(text.split()), approved=approved_text is not None)
