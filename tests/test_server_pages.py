# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""Review inbox and admin pages over HTTP: sign-in, decisions that resume the graph exactly once,
the next item opening after an action, hand-off replies posted to the EHR, policy edits with
named errors, audit viewer, export and chain status."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from agent.policy import DEFAULT_SAFETY_MESSAGE
from agent.server.app import create_app
from agent.store.audit import audit_log
from agent.store.policy_store import PolicyStore
from agent.store.review import ReviewQueue
from agent.store.staff import StaffAccount, StaffDirectory
from tests.test_server_fakes import (  # noqa: F401
    cheap_password_hashing,
    crisis_screen,
    encode,
    message_event,
    sandbox_template,
    server_settings,
    services,
    signed,
)
from tests.test_store_backends import db_url, postgres_url  # noqa: F401

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(services, cheap_password_hashing):
    directory = StaffDirectory(services.db)
    directory.create(StaffAccount(username="reyes", roles=["clinician"],
                                  clinician_id="clin-reyes", display_name="Daniel Reyes"),
                     PASSWORD)
    directory.create(StaffAccount(username="admin", roles=["admin"], display_name="Admin"),
                     PASSWORD)
    return directory


def sign_in(services, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(services, start_workers=False))
    response = client.post("/login", data={"username": username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def queue_messages(services, *texts: str) -> list[str]:
    """Accept and process messages; the review item ids in queue order."""
    client_id = services.ehr.caseload("clin-reyes").client_ids[0]
    thread_id = services.ehr.threads(client_id)[0].id
    ingress = services.ingress()
    for text in texts:
        body = encode(message_event(client_id, text, thread_id=thread_id))
        headers = {k.lower(): v for k, v in signed(services.settings, body).items()}
        ingress.receive(body, headers, time.perf_counter())
    pool = services.worker_pool(threads=0)
    while pool.run_once():
        pass
    return [item.id for item in ReviewQueue(services.db).pending()]


def test_wrong_password_and_lockout(services, staff):
    client = TestClient(create_app(services, start_workers=False))
    for _ in range(5):
        bad = client.post("/login", data={"username": "reyes", "password": "nope"})
        assert bad.status_code == 401 and "Wrong username or password" in bad.text
    locked = client.post("/login", data={"username": "reyes", "password": PASSWORD})
    assert locked.status_code == 401  # locked for 15 minutes even with the right password


def test_approve_resumes_the_graph_once_and_opens_the_next_item(services, staff):
    first, second = queue_messages(services, "How do I pay my bill?", "Is there parking?")
    client, csrf = sign_in(services, "reyes")
    response = client.post(f"/review/{first}/decide", data={"decision": "accept", "csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/{second}"
    decided = ReviewQueue(services.db).get(first)
    assert decided.status == "decided" and decided.outcome == "sent"
    # A second click (or a second reviewer) sends nothing more.
    again = client.post(f"/review/{first}/decide", data={"decision": "accept", "csrf": csrf},
                        follow_redirects=False)
    assert again.status_code == 303
    assert [d.type for _t, d in services.assistant().decisions] == ["accept"]


def test_edit_sends_the_edited_text_and_empty_edit_is_refused(services, staff):
    [item_id] = queue_messages(services, "How do I pay my bill?")
    client, csrf = sign_in(services, "reyes")
    empty = client.post(f"/review/{item_id}/decide",
                        data={"decision": "edit", "text": "  ", "csrf": csrf})
    assert empty.status_code == 422 and "needs non-empty text" in empty.text
    client.post(f"/review/{item_id}/decide",
                data={"decision": "edit", "text": "Pay under Billing > Pay now.", "csrf": csrf})
    [(_thread, decision)] = services.assistant().decisions
    assert decision.type == "edit" and decision.text == "Pay under Billing > Pay now."
    assert decision.reviewer_id == "staff:reyes"
    assert ReviewQueue(services.db).get(item_id).final_text == "Pay under Billing > Pay now."


def test_dismiss_and_csrf(services, staff):
    [item_id] = queue_messages(services, "How do I pay my bill?")
    client, csrf = sign_in(services, "reyes")
    forged = client.post(f"/review/{item_id}/decide", data={"decision": "ignore"})
    assert forged.status_code == 400
    assert ReviewQueue(services.db).get(item_id).status == "pending"
    done = client.post(f"/review/{item_id}/decide", data={"decision": "ignore", "csrf": csrf},
                       follow_redirects=False)
    assert done.headers["location"] == "/inbox"
    assert ReviewQueue(services.db).get(item_id).outcome == "dismissed"


def test_handoff_reply_is_posted_to_the_ehr_thread(services, staff):
    [item_id] = queue_messages(services, "Can I take a double dose of my meds?")
    client, csrf = sign_in(services, "reyes")
    page = client.get(f"/review/{item_id}")
    assert "double dose" in page.text and 'id="approve"' not in page.text  # no draft to approve
    approve = client.post(f"/review/{item_id}/decide", data={"decision": "accept",
                                                             "csrf": csrf})
    assert approve.status_code == 422 and "reply yourself or dismiss" in approve.text
    client.post(f"/review/{item_id}/decide",
                data={"decision": "respond", "text": "I'll call you at 3pm today.",
                      "csrf": csrf})
    item = ReviewQueue(services.db).get(item_id)
    assert item.outcome == "sent"
    thread = services.ehr.get_thread(item.thread_id)
    assert thread.messages[-1].text == "I'll call you at 3pm today."
    assert thread.messages[-1].sender == "clinician"


def test_crisis_alert_is_pinned_above_drafts_and_acknowledged(services, staff):
    queue_messages(services, "How do I pay my bill?", "I am going to kill myself tonight")
    client, csrf = sign_in(services, "reyes")
    inbox = client.get("/inbox").text
    assert inbox.index("Crisis alert") < inbox.index('id="queue"')
    alert_id = re.search(r"/alerts/(alt_\w+)", inbox).group(1)
    client.post(f"/alerts/{alert_id}/ack", data={"csrf": csrf})
    assert "Crisis alert" not in client.get("/inbox").text


def test_policy_edit_saves_a_version_and_names_bad_fields(services, staff):
    client, csrf = sign_in(services, "admin")
    form = {"csrf": csrf, "intent": ["billing", "forms"], "safety_message_enabled": "on",
            "safety_message": DEFAULT_SAFETY_MESSAGE, "rollout:inbound": "review",
            "rollout:reminders": "auto_template", "allowed_link_domains": "example.org",
            "on_call": "Dr. On Call | on-call clinician | clin-haddad | 555-0100"}
    saved = client.post("/admin/policy", data=form)
    assert saved.status_code == 200 and "Saved as version 1" in saved.text
    policy = PolicyStore(services.db).current()
    assert policy.intent_allowlist == ["billing", "forms"]
    assert policy.mode("reminders") == "auto_template" and policy.on_call[0].name == "Dr. On Call"
    bad = client.post("/admin/policy", data={**form, "pager_webhook_url": "not a url"})
    assert bad.status_code == 422 and "pager_webhook_url" in bad.text
    assert PolicyStore(services.db).latest().version == 1


def test_audit_viewer_filters_exports_and_shows_a_broken_chain(services, staff):
    client, _ = sign_in(services, "admin")
    page = client.get("/admin/audit", params={"action": "signin.ok"})
    assert "Chain verified" in page.text and "staff:admin" in page.text
    assert "staff.create" not in page.text  # filtered out
    csv_text = client.get("/admin/audit.csv", params={"action": "staff.create"}).text
    assert csv_text.startswith("id,at,actor,action") and csv_text.count("staff.create") == 2
    with services.db.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(actor="forged"))
    assert "Chain BROKEN at entry 2" in client.get("/admin/audit").text


def test_admin_policy_offers_every_outreach_workflow_and_the_digest_supervisor(services, staff):
    client, _csrf = sign_in(services, "admin")
    page = client.get("/admin").text
    for workflow in ("inbound", "reminders", "checkins", "assessments", "onboarding",
                     "discharge", "resources", "wellness", "refills"):
        assert f'name="rollout:{workflow}"' in page
    assert "rollout:noshow" not in page  # not a workflow: the no-show model tiers reminders
    assert 'name="digest_supervisor_id"' in page and 'value="clin-okafor"' in page
