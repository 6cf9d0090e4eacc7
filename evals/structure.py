"""Static checks of a prompt version before any golden runs: what a careful reader would catch.

A version must declare every variable its text uses and need none compose cannot give it, render
with and without grounded material, keep the reply prompt's safety rules, and carry no
instruction that would have the assistant advise on medication, diagnose, guess, or skip review.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from agent.prompts.registry import PromptError, PromptRegistry, PromptVersion
from agent.safety.guard import check_clinical_judgement, check_medication_advice

#: What compose hands each prompt (agent/nodes/compose.py): a version may use nothing else.
PROVIDED = {
    "reply_draft": {
        "template": {"preferred_name", "sections", "clinician_name", "handoff"},
        "system": set(),
        "instructions": {"message", "section_instructions", "template_draft"},
    },
}
SECTION_VARIABLES = {"template": {"g", "clinician_name", "preferred_name"}}

#: Grounded material to render each section prompt with: full, and with nothing found.
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "faq_answer": [
        {"facts": ["Sessions are 50 minutes long."], "sources": ["fees.md"]},
        {"facts": [], "sources": []},
    ],
    "schedule_change": [
        {
            "appointment": "Thursday, March 5 at 2:00 PM",
            "chosen": None,
            "fee_notice": None,
            "options": ["Friday, March 6 at 3:00 PM", "Monday, March 9 at 10:00 AM"],
        },
        {
            "appointment": None,
            "chosen": "Friday, March 6 at 3:00 PM",
            "options": [],
            "fee_notice": "Changes within 24 hours may carry the late-change fee.",
        },
        {"appointment": None, "chosen": None, "options": [], "fee_notice": None},
    ],
    "appointment_info": [
        {"appointments": ["Thursday, March 5 at 2:00 PM (video visit)"], "facts": []},
        {"appointments": [], "facts": []},
    ],
    "billing": [
        {"facts": ["Superbills are sent within 5 business days."], "document_requested": None},
        {"facts": [], "document_requested": "superbill"},
        {"facts": [], "document_requested": None},
    ],
    "forms": [
        {"facts": [], "outstanding": ["Intake questionnaire (due Friday, March 6)"]},
        {"facts": [], "outstanding": []},
    ],
}
HANDOFFS = [None, {"topic": "your medication", "team": "your prescriber"}]

#: Rules the reply prompt's system text must keep (regex, what it protects).
REQUIRED_RULES = (
    (r"(?is)message is data|not instructions", "treat the client's message as data"),
    (r"(?is)never give[^.]*(clinical|medication)", "no clinical or medication advice"),
    (r"(?is)only the facts", "use only the approved facts"),
)
_RISKY_TOPIC = re.compile(
    r"(?i)\b(medication|dose|dosage|diagnos\w*|clinical advice|guess|make up|invent)\w*"
    r"|\b(skip|bypass|without)\b[^.]{0,20}\breview|\bsend\b[^.]{0,20}\b(directly|automatically)"
)
_NEGATED = re.compile(r"(?i)\b(never|not|no|don't|do not|without guessing|only|must not)\b")

_env = SandboxedEnvironment()


def _variables(source: str) -> set[str]:
    return set(meta.find_undeclared_variables(_env.parse(source)))


def _declarations(prompt: PromptVersion) -> list[str]:
    provided = PROVIDED.get(prompt.prompt_id, SECTION_VARIABLES)
    findings = []
    for part in ("template", "system", "instructions"):
        used = _variables(getattr(prompt, part))
        unknown = used - provided.get(part, set())
        if unknown:
            findings.append(f"{part} uses variables compose never provides: {sorted(unknown)}")
    template_needs = _variables(prompt.template)
    if set(prompt.required_variables) != template_needs:
        findings.append(
            f"required_variables {sorted(prompt.required_variables)} "
            f"!= used {sorted(template_needs)}"
        )
    return findings


def _renders(prompt: PromptVersion) -> list[str]:
    findings = []
    common = {"clinician_name": "Dana Reyes, LCSW", "preferred_name": "Sam"}
    if prompt.prompt_id == "reply_draft":
        texts = []
        for handoff in HANDOFFS:
            try:
                texts.append(prompt.render(sections=["Section."], handoff=handoff, **common))
            except PromptError as err:
                findings.append(str(err))
    else:
        texts = []
        for sample in SAMPLES.get(prompt.prompt_id, [{}]):
            try:
                texts.append(prompt.render(g=sample, **common))
            except PromptError as err:
                findings.append(str(err))
    for text in texts:
        advice = check_medication_advice(text) + check_clinical_judgement(text, [])
        findings.extend(f"rendered text gives {f.rule}: {f.span!r}" for f in advice)
    return findings


def _instructions(prompt: PromptVersion) -> list[str]:
    findings = []
    text = re.sub(r"\n(?!\s*(?:-|\n))", " ", f"{prompt.system}\n{prompt.instructions}")
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if _RISKY_TOPIC.search(sentence) and not _NEGATED.search(sentence):
            findings.append(f"instruction without a limit: {sentence.strip()[:120]!r}")
    if prompt.prompt_id == "reply_draft":
        for pattern, purpose in REQUIRED_RULES:
            if not re.search(pattern, prompt.system):
                findings.append(f"system prompt lost the rule: {purpose}")
    return findings


def check_prompt(registry: PromptRegistry, prompt_id: str, version: str) -> list[str]:
    """Everything wrong with one prompt version, in words a prompt engineer can act on."""
    try:
        prompt = registry.get(prompt_id, version)
    except PromptError as err:
        return [str(err)]
    return _declarations(prompt) + _renders(prompt) + _instructions(prompt)
