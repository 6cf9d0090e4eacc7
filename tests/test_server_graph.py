# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""End to end with the real Assistant (graph, classifier, checkpointer; no LLM): a signed webhook
becomes a draft in the clinician's inbox, approving it posts the reply to the EHR thread, and a
crisis message raises exactly one alert however many paths (ingress, graph) report it."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from agent.server.app import Services, create_app
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog
from agent.store.inbox import Inbox
from agent.store.review import ReviewQueue
from agent.store.staff import StaffAccount, StaffDirectory
from tests.test_server_fakes import (  # noqa: F401
    cheap_password_hashing,
    crisis_screen,
    encode,
    message_event,
    sandbox_template,
    server_settings,
    signed,
)

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'practice.db'}"


def test_webhook_to_approved_reply_with_the_real_graph(server_settings, crisis_screen,
                                                       cheap_password_hashing):
    services = Services.build(server_settings, crisis_screen=crisis_screen)
    StaffDirectory(services.db).create(
        StaffAccount(username="reyes", roles=["clinician"], clinician_id="clin-reyes",
                     display_name="Daniel Reyes"), PASSWORD)
    client_id = services.ehr.caseload("clin-reyes").client_ids[0]
    thread_id = services.ehr.threads(client_id)[0].id
    http = TestClient(create_app(services, start_workers=False))
    for text in ("How do I pay the balance on my account?",
                 "I have pills saved up and I'm going to kill myself tonight."):
        body = encode(message_event(client_id, text, thread_id=thread_id))
        assert http.post("/webhooks/ehr", content=body,
                         headers=signed(services.settings, body)).status_code == 202
        time.sleep(0.01)
    pool = services.worker_pool(threads=0)
    while pool.run_once():
        pass
    assert Inbox(services.db).counts() == {"done": 2}
    assert len(AlertStore(services.db).list_open()) == 1  # ingress and graph: one alert

    [summary] = ReviewQueue(services.db).pending()
    item = ReviewQueue(services.db).get(summary.id)
    assert item.route == "draft" and "billing" in item.intents
    assert item.draft and item.metadata["model"] == "template"
    assert item.interrupt["config"]["allow_accept"] is True

    http.post("/login", data={"username": "reyes", "password": PASSWORD})
    page = http.get(f"/review/{item.id}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    http.post(f"/review/{item.id}/decide", data={"decision": "accept", "csrf": csrf})
    decided = ReviewQueue(services.db).get(item.id)
    assert decided.status == "decided" and decided.outcome == "sent"
    posted = services.ehr.get_thread(thread_id).messages
    assert any(m.text == item.draft and m.sender != "client" for m in posted)
    assert AuditLog(services.db).verify().ok
