"""safety_screen and crisis_escalation: the branch that must work when everything else is down.

The screen runs on every message before anything else decides. On a crisis: the product's alert
row, the EHR Flag, the pager webhook and the static safety message are each attempted on their own
(one failing never stops the others), all from ids and practice-approved text; no LLM, no AI
reply. Every write carries a request id derived from the message id, so a retried run alerts once.
If neither the alert row nor the EHR Flag could be written, the node raises: the inbox keeps the
message and retries rather than silently closing a crisis.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from langgraph.runtime import Runtime

from agent.nodes.deps import Deps, deps_of
from agent.safety.phi import client_redactor
from agent.state import TurnState

log = logging.getLogger(__name__)

ACTOR = "system:crisis-escalation"


class CrisisAlertFailed(RuntimeError):
    """No alert channel accepted the crisis alert; the message must stay in the inbox."""


def _evidence_strings(result: Any) -> list[str]:
    quotes = []
    for item in getattr(result, "evidence", None) or []:
        quote = getattr(item, "text", None) or getattr(item, "quote", None) or str(item)
        quotes.append(str(quote)[:500])
    return quotes


def safety_screen(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Screen the message; any error in the screen counts as a crisis (fail closed)."""
    deps = deps_of(runtime)
    message = state["message"]
    try:
        result = deps.crisis.screen(
            message["text"], redact=client_redactor(deps.ehr, message["client_id"])
        )
        crisis = {
            "crisis": bool(result.crisis),
            "severity": result.severity,
            "categories": list(result.categories),
            "evidence": _evidence_strings(result),
            "error": result.error,
        }
    except Exception as err:  # noqa: BLE001 - the contract says never raises; if it does, escalate
        log.error(
            "crisis screen raised message=%s error=%s", message["message_id"], type(err).__name__
        )
        crisis = {
            "crisis": True,
            "severity": "elevated",
            "categories": ["screen_error"],
            "evidence": [],
            "error": type(err).__name__,
        }
    if crisis["crisis"]:
        crisis["severity"] = crisis["severity"] or "elevated"
    return {"crisis": crisis, "route": "crisis" if crisis["crisis"] else "draft"}


def crisis_escalation(state: TurnState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = deps_of(runtime)
    message, crisis = state["message"], state["crisis"]
    context = state.get("context") or {}
    client_id, message_id = message["client_id"], message["message_id"]
    clinician_id = (context.get("clinician") or {}).get("id")
    notes: list[str] = []
    delivered: list[str] = []

    alert_id = None
    try:
        alert_id = deps.alerts.create(
            message_id=message_id,
            client_id=client_id,
            clinician_id=clinician_id,
            severity=crisis["severity"],
            categories=crisis["categories"],
            evidence=crisis["evidence"],
            thread_id=message["thread_id"],
            actor=ACTOR,
        )
        delivered.append("alert_store")
    except Exception as err:  # noqa: BLE001
        log.error("alert store failed message=%s error=%s", message_id, type(err).__name__)
        notes.append("The product's alert row could not be written.")

    flag_id = None
    try:
        flag = deps.ehr.raise_alert(
            client_id,
            severity=crisis["severity"],
            category="crisis",
            description=f"Crisis screen: {', '.join(crisis['categories']) or 'flagged'} "
            f"(portal message {message_id}). See the practice alert inbox.",
            raised_by=ACTOR,
            request_id=f"{message_id}:crisis-flag",
            message_id=message_id,
        )
        flag_id = flag.id
        delivered.append("ehr_flag")
    except Exception as err:  # noqa: BLE001
        log.error("EHR flag failed message=%s error=%s", message_id, type(err).__name__)
        notes.append("The EHR Flag could not be raised.")

    on_call_ids = [c.staff_id or c.name for c in deps.policy.on_call]
    try:
        on_call_ids.append(deps.ehr.on_call(deps.clock()).clinician_id)
    except Exception as err:  # noqa: BLE001
        log.warning("on-call lookup failed message=%s error=%s", message_id, type(err).__name__)

    if deps.policy.pager_webhook_url is not None:
        try:
            post = deps.pager.post if deps.pager is not None else httpx.post
            response = post(
                str(deps.policy.pager_webhook_url),
                json={
                    "event": "crisis_alert",
                    "alert_id": alert_id,
                    "ehr_flag_id": flag_id,
                    "client_id": client_id,
                    "message_id": message_id,
                    "severity": crisis["severity"],
                    "categories": crisis["categories"],
                    "clinician_id": clinician_id,
                    "on_call": on_call_ids,
                },
                headers={"Idempotency-Key": f"{message_id}:pager"},
                timeout=deps.policy.pager_timeout_s,
            )
            response.raise_for_status()
            delivered.append("pager")
        except Exception as err:  # noqa: BLE001
            log.error("pager webhook failed message=%s error=%s", message_id, type(err).__name__)
            notes.append("The pager webhook failed; the alert row and EHR Flag still stand.")

    sent_message_id = None
    if deps.policy.safety_message_enabled:
        try:
            sent = deps.ehr.post_message(
                client_id,
                message["thread_id"],
                deps.policy.safety_message,
                sender="assistant",
                sender_id="practice:safety-message",
                request_id=f"{message_id}:safety-message",
                in_reply_to=message_id,
            )
            sent_message_id = sent.id
            delivered.append("safety_message")
        except Exception as err:  # noqa: BLE001
            log.error("safety message failed message=%s error=%s", message_id, type(err).__name__)
            notes.append("The static safety message could not be posted.")

    try:
        deps.audit.append(
            actor=ACTOR,
            action="crisis.escalate",
            client_id=client_id,
            subject=message_id,
            details={
                "alert_id": alert_id,
                "ehr_flag_id": flag_id,
                "severity": crisis["severity"],
                "categories": crisis["categories"],
                "delivered": delivered,
                "on_call": on_call_ids,
            },
        )
    except Exception as err:  # noqa: BLE001 - an audit outage must not undo the alert
        log.error("crisis audit failed message=%s error=%s", message_id, type(err).__name__)
    if alert_id is None and flag_id is None:
        raise CrisisAlertFailed(f"no alert channel accepted the crisis alert for {message_id}")
    return {
        "route": "crisis",
        "alert_id": alert_id,
        "status": "escalated",
        "sent_message_id": sent_message_id,
        "draft": None,
        "notes": notes,
    }
