"""classify: what the client is asking for, from the classify engineer's `IntentClassifier`.

Multi-intent aware: every intent the classifier names is handled. Fail closed: a classifier error
or an unsure prediction sends the message to staff. A "crisis" intent the screen did not flag
means no draft at all: the policy gate hands the whole message to the safety queue (the client's
clinician reads it). Alerts and pages stay with the crisis screen, which owns crisis detection
and its measured recall; the classifier's crisis label fires on far more benign text.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.safety.phi import client_redactor
from agent.state import TurnState

log = logging.getLogger(__name__)


def classify(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message = state["message"]
    try:
        prediction = deps.classifier.classify(
            message["text"], redact=client_redactor(deps.ehr, message["client_id"])
        )
    except Exception as err:  # noqa: BLE001
        log.error(
            "classifier failed message=%s error=%s", message["message_id"], type(err).__name__
        )
        return {
            "intents": ["other"],
            "intent_confidence": 0.0,
            "intent_unsure": True,
            "notes": ["The intent classifier failed; sent to staff."],
        }
    intents = list(dict.fromkeys(prediction.intents or [prediction.intent]))
    unsure = bool(prediction.unsure)
    notes: list[str] = []
    reply = (state.get("reply_to") or {}).get("kind")
    if reply:
        # "confirm" / "can't make it" answering our reminder: a calendar request about a known
        # appointment, whatever a short reply looks like to the classifier. Anything else it
        # found (a billing question, a clinical worry) is still handled or handed off as usual.
        others = [i for i in intents if i not in ("schedule_change", "other")]
        intents = ["schedule_change", *others]
        unsure = False
        notes.append(f"Reply to an appointment reminder, read as: {reply}.")
    update: dict[str, Any] = {
        "intents": intents,
        "intent_confidence": float(prediction.confidence),
        "intent_unsure": unsure,
        "llm_calls": 1 if prediction.source == "llm" else 0,
    }
    if unsure:
        notes.append("The intent classifier was unsure; sent to staff.")
    if notes:
        update["notes"] = notes
    return update
