# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""Webhook ingress: authentic events are durable and crisis-screened before the 202; every bad
request a sender can make gets a 4xx with a reason, never a 500; redeliveries change nothing."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agent.server.app import create_app
from agent.store.alerts import AlertStore, alerts
from agent.store.inbox import Inbox, inbox_events
from tests.test_server_fakes import (  # noqa: F401
    crisis_screen,
    encode,
    message_event,
    sandbox_template,
    server_settings,
    services,
    signed,
)
from tests.test_store_backends import db_url, postgres_url  # noqa: F401

CLIENT = "cl-0001"


@pytest.fixture
def client(services):
    with TestClient(create_app(services, start_workers=False)) as test_client:
        yield test_client


def post(client, settings, event: dict | bytes, **kw):
    body = event if isinstance(event, bytes) else encode(event)
    return client.post("/webhooks/ehr", content=body, headers=signed(settings, body, **kw))


def test_routine_message_is_durable_before_the_202(client, services):
    event = message_event(CLIENT, "How do I pay my bill?")
    response = post(client, services.settings, event)
    assert response.status_code == 202, response.text
    assert response.json() == {"event_id": event["event_id"], "status": "accepted",
                               "crisis": False, "alert_id": None}
    stored = Inbox(services.db).get(event["event_id"])
    assert stored.status == "queued" and stored.crisis == "none"
    assert stored.payload["data"]["text"] == "How do I pay my bill?"


def test_crisis_alert_row_exists_when_the_202_returns(client, services):
    event = message_event(CLIENT, "I can't go on. I've decided to kill myself tonight.")
    response = post(client, services.settings, event)
    assert response.status_code == 202
    body = response.json()
    assert body["crisis"] is True and body["alert_id"]
    alert = AlertStore(services.db).get(body["alert_id"])
    assert alert.client_id == CLIENT and alert.clinician_id == "clin-reyes"
    assert alert.severity in ("imminent", "high") and alert.status == "open"


def test_redelivery_storm_changes_nothing(client, services):
    event = message_event(CLIENT, "I want to kill myself")
    body = encode(event)
    codes: list[int] = []

    def deliver() -> None:
        for _ in range(5):
            codes.append(client.post("/webhooks/ehr", content=body,
                                     headers=signed(services.settings, body)).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [202] * 20
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(inbox_events)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(alerts)).scalar_one() == 1
    again = post(client, services.settings, event).json()
    assert again["status"] == "duplicate" and again["crisis"] is True and again["alert_id"]


@pytest.mark.parametrize(
    ("mutate", "status", "reason"),
    [
        (lambda h, b: (h.pop("X-Practice-Signature"), b)[1], 401, "missing X-Practice-Signature"),
        (lambda h, b: (h.pop("X-Practice-Timestamp"), b)[1], 401, "missing X-Practice-Timestamp"),
        (lambda h, b: (h.update({"X-Practice-Signature": "v1=" + "0" * 64}), b)[1], 401,
         "does not match"),
        (lambda h, b: b.replace(b"pay", b"PAY"), 401, "does not match"),  # body changed in transit
    ],
)
def test_bad_signatures_are_401(client, services, mutate, status, reason):
    body = encode(message_event(CLIENT, "How do I pay my bill?"))
    headers = signed(services.settings, body)
    body = mutate(headers, body)
    response = client.post("/webhooks/ehr", content=body, headers=headers)
    assert response.status_code == status and reason in response.json()["error"]
    assert Inbox(services.db).counts() == {}


def test_stale_timestamp_is_401(client, services):
    response = post(client, services.settings, message_event(CLIENT, "hello"),
                    at=int(time.time()) - 3600)
    assert response.status_code == 401 and "replay window" in response.json()["error"]


def test_malformed_json_and_schema_errors_are_422_naming_the_field(client, services):
    bad_json = post(client, services.settings, b"{not json")
    assert bad_json.status_code == 422 and bad_json.json()["fields"]
    event = message_event(CLIENT, "hello")
    del event["data"]["text"]
    missing = post(client, services.settings, event)
    assert missing.status_code == 422
    assert "data.text" in [f["field"] for f in missing.json()["fields"]]
    assert "data.text" in missing.json()["error"]


def test_unknown_client_is_422_and_nothing_is_stored(client, services):
    response = post(client, services.settings, message_event("cl-9999", "hello"))
    assert response.status_code == 422 and "unknown client" in response.json()["error"]
    assert Inbox(services.db).counts() == {}


def test_oversized_body_is_413(client, services):
    event = message_event(CLIENT, "x" * (services.settings.webhook_max_body_bytes + 10))
    response = post(client, services.settings, event)
    assert response.status_code == 413 and "exceeds" in response.json()["error"]


def test_no_sender_input_causes_a_500(client, services):
    """A bounded fuzz of signed garbage: every answer is a 2xx/4xx with a JSON reason."""
    rng = random.Random(7)
    base = message_event(CLIENT, "hello")
    candidates: list[bytes] = [b"", b"null", b"[]", b'"x"', b"{}", b"\xff\xfe\x00", b"1e999"]
    for _ in range(40):
        event = json.loads(json.dumps(base))
        target = rng.choice(["event_id", "type", "occurred_at", "data"])
        event[target] = rng.choice([None, 5, "", "x" * 300, [], {"a": 1}, "../../etc", "💥"])
        event["event_id"] = event["event_id"] if target != "event_id" else event["event_id"]
        candidates.append(encode(event))
    for body in candidates:
        response = post(client, services.settings, body)
        assert response.status_code in (202, 401, 413, 422), (body[:80], response.text)
        assert "error" in response.json() or response.status_code == 202


def test_openapi_spec_documents_the_webhook(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/webhooks/ehr"]["post"]
    assert "HMAC-SHA256" in operation["summary"]
    assert {"202", "401", "413", "422"} <= set(operation["responses"])


def test_health_ready_and_metrics(client, services):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["ready"] is True
    post(client, services.settings, message_event(CLIENT, "I want to kill myself"))
    post(client, services.settings, message_event(CLIENT, "How do I pay?"))
    text = client.get("/metrics").text
    assert 'practice_webhooks_total{result="accepted"} 2.0' in text
    assert 'practice_inbox_events{status="queued"} 2.0' in text
    assert "practice_open_alerts 1.0" in text
    assert "practice_alert_latency_seconds_count 1.0" in text


def test_longest_allowed_ids_are_stored_with_their_alert(client, services):
    """Every id at its maximum length fits every column (PostgreSQL enforces VARCHAR sizes)."""
    event = message_event(CLIENT, "I am going to kill myself", event_id="e" * 200,
                          thread_id="t" * 200)
    event["data"]["message_id"] = "m" * 200
    response = post(client, services.settings, event)
    assert response.status_code == 202 and response.json()["alert_id"]


def test_outreach_event_redelivery_storm_is_one_durable_event(client, services):
    """`client_created` (and the other outreach triggers) share message.created's idempotency."""
    event = {"event_id": "evt-client-created-1", "type": "client_created",
             "occurred_at": "2026-03-02T15:00:00+00:00", "data": {"client_id": CLIENT}}
    answers = [post(client, services.settings, event).json()["status"] for _ in range(10)]
    assert answers == ["accepted"] + ["duplicate"] * 9
    assert Inbox(services.db).counts() == {"queued": 1}
    assert Inbox(services.db).get("evt-client-created-1").kind == "client_created"


def test_a_worded_crisis_is_alerted_while_the_full_screen_is_busy(client, services, monkeypatch):
    """The word layer's fast lane: an explicit crisis gets its alert and 202 at once, even while
    the batched full screen (embeddings) is stuck behind other traffic."""
    release = threading.Event()
    full = services.crisis_screen.finish

    def stuck(readings, **kwargs):
        release.wait(timeout=30)
        return full(readings, **kwargs)

    monkeypatch.setattr(services.crisis_screen, "finish", stuck)
    routine = message_event(CLIENT, "Can I get a receipt for last week?")
    waiting = threading.Thread(target=post, args=(client, services.settings, routine))
    waiting.start()
    try:
        event = message_event(CLIENT, "I'm going to kill myself tonight, I have the pills ready.")
        response = post(client, services.settings, event)
        assert response.status_code == 202 and response.json()["crisis"] is True
        assert AlertStore(services.db).get(response.json()["alert_id"]).severity == "imminent"
        assert Inbox(services.db).get(routine["event_id"]) is None  # still being screened
    finally:
        release.set()
        waiting.join(timeout=60)
    assert Inbox(services.db).get(routine["event_id"]).crisis == "none"


def test_one_failing_delivery_does_not_fail_the_others_committed_with_it():
    """Deliveries that arrive together are committed in one transaction (group commit); if that
    transaction fails, each is retried alone, so only the bad one is refused (503: the EHR
    redelivers it) and the others still get their answer."""
    from agent.server.ingress import IngressError, _Batcher

    release, handled = threading.Event(), []

    def commit(batch: list[str]) -> list[str]:
        if batch == ["first"]:
            release.wait(timeout=30)  # the committer is busy while the next deliveries queue up
        if "bad" in batch:
            raise RuntimeError("constraint failed")
        handled.append(list(batch))
        return [f"stored {item}" for item in batch]

    committer = _Batcher(commit, name="test-commit")
    answers: dict[str, object] = {}

    def deliver(item: str) -> None:
        try:
            answers[item] = committer.submit(item)
        except IngressError as exc:
            answers[item] = exc.status

    threads = [threading.Thread(target=deliver, args=(item,)) for item in ("first",)]
    threads[0].start()
    deadline = time.monotonic() + 10
    while committer._queue.qsize() and time.monotonic() < deadline:  # "first" was taken
        time.sleep(0.01)
    for item in ("good", "bad"):
        threads.append(threading.Thread(target=deliver, args=(item,)))
        threads[-1].start()
    while committer._queue.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    committer.close()
    assert answers == {"first": "stored first", "good": "stored good", "bad": 503}
    assert ["good"] in handled  # retried alone after the group failed
