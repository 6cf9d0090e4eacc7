# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""The full RBAC matrix: every role x every resource, and zero cross-caseload reads.

Resources: the inbox, a review item (body), a decision on it, a crisis alert (evidence), its
acknowledgement, and the admin pages (policy, policy save, audit viewer, CSV export, events).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from agent.policy import DEFAULT_SAFETY_MESSAGE
from agent.server.app import create_app
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog
from agent.store.review import ReviewItemIn, ReviewQueue
from agent.store.staff import StaffAccount, StaffDirectory
from tests.test_server_fakes import (  # noqa: F401
    cheap_password_hashing,
    crisis_screen,
    sandbox_template,
    server_settings,
    services,
)
from tests.test_store_backends import db_url, postgres_url  # noqa: F401

PASSWORD = "correct horse battery"
ACCOUNTS = {
    "reyes": (["clinician"], "clin-reyes"),
    "haddad": (["clinician"], "clin-haddad"),
    "okafor": (["supervisor"], "clin-okafor"),  # supervises chen, reyes, walsh; not haddad
    "frontdesk": (["front_desk"], None),
    "admin": (["admin"], None),
    "adminclin": (["admin", "clinician"], "clin-haddad"),
}
SECRET_TEXT = {"R-clin": "reyes-clinical-secret", "R-admin": "reyes-billing-secret",
               "H-clin": "haddad-clinical-secret", "H-admin": "haddad-billing-secret"}
# Who may read which review item / alert.
ITEM_ACCESS = {
    "reyes": {"R-clin", "R-admin"},
    "haddad": {"H-clin", "H-admin"},
    "okafor": {"R-clin", "R-admin"},
    "frontdesk": {"R-admin", "H-admin"},
    "admin": set(),
    "adminclin": {"H-clin", "H-admin"},
}
ALERT_ACCESS = {"reyes": {"A-R"}, "haddad": {"A-H"}, "okafor": {"A-R"}, "frontdesk": set(),
                "admin": set(), "adminclin": {"A-H"}}
ADMINS = {"admin", "adminclin"}


@pytest.fixture
def world(services, cheap_password_hashing):
    staff = StaffDirectory(services.db)
    for username, (roles, clinician_id) in ACCOUNTS.items():
        staff.create(StaffAccount(username=username, roles=roles, clinician_id=clinician_id,
                                  display_name=username.title()), PASSWORD)
    reyes_client = services.ehr.caseload("clin-reyes").client_ids[0]
    haddad_client = services.ehr.caseload("clin-haddad").client_ids[0]
    queue, alerts = ReviewQueue(services.db), AlertStore(services.db)
    items = {}
    for key, client, intents in (("R-clin", reyes_client, ["clinical"]),
                                 ("R-admin", reyes_client, ["billing"]),
                                 ("H-clin", haddad_client, ["clinical"]),
                                 ("H-admin", haddad_client, ["billing"])):
        items[key] = queue.enqueue(ReviewItemIn(
            turn_id=key, client_id=client, thread_id=f"th-{key}", message_id=f"m-{key}",
            intents=intents, kind="handoff", route="handoff", client_message=SECRET_TEXT[key]))
    found = {}
    for key, client in (("A-R", reyes_client), ("A-H", haddad_client)):
        found[key] = alerts.create(message_id=f"m-{key}", client_id=client, clinician_id=None,
                                   severity="high", categories=["suicidal_ideation"],
                                   evidence=[f"evidence-{key}"])
    return {"items": items, "alerts": found}


def sign_in(services, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(services, start_workers=False))
    response = client.post("/login", data={"username": username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/admin" if username == "admin" else "/inbox")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client, csrf


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_role_matrix(services, world, username):
    client, csrf = sign_in(services, username)
    inbox = client.get("/inbox", follow_redirects=False)
    if username == "admin":
        assert inbox.status_code == 403
    else:
        assert inbox.status_code == 200
        # The list never shows message text, and never an out-of-scope item or alert.
        assert not any(secret in inbox.text for secret in SECRET_TEXT.values())
        listed = set(re.findall(r"/review/(rev_\w+)", inbox.text))
        assert listed == {world["items"][k] for k in ITEM_ACCESS[username]}
        pinned = set(re.findall(r"/alerts/(alt_\w+)\"", inbox.text))
        assert pinned == {world["alerts"][k] for k in ALERT_ACCESS[username]}

    for key, item_id in world["items"].items():
        page = client.get(f"/review/{item_id}")
        if key in ITEM_ACCESS[username]:
            assert page.status_code == 200 and SECRET_TEXT[key] in page.text
        else:
            assert page.status_code == 404 and SECRET_TEXT[key] not in page.text
            decided = client.post(f"/review/{item_id}/decide",
                                  data={"decision": "ignore", "csrf": csrf},
                                  follow_redirects=False)
            assert decided.status_code == 404
            assert ReviewQueue(services.db).get(item_id).status == "pending"

    for key, alert_id in world["alerts"].items():
        page = client.get(f"/alerts/{alert_id}")
        ack = client.post(f"/alerts/{alert_id}/ack", data={"csrf": csrf},
                          follow_redirects=False)
        if key in ALERT_ACCESS[username]:
            assert page.status_code == 200 and f"evidence-{key}" in page.text
            assert ack.status_code == 303
        else:
            assert page.status_code == 404 and f"evidence-{key}" not in page.text
            assert ack.status_code == 404
            assert AlertStore(services.db).get(alert_id).status == "open"

    admin_pages = [client.get("/admin"), client.get("/admin/audit"),
                   client.get("/admin/audit.csv"), client.get("/admin/events"),
                   client.post("/admin/policy", data={"csrf": csrf, "intent": ["billing"],
                                                       "safety_message": DEFAULT_SAFETY_MESSAGE})]
    expected = 200 if username in ADMINS else 403
    assert [p.status_code for p in admin_pages] == [expected] * 5


def test_every_body_read_is_audited_and_denials_too(services, world):
    client, _ = sign_in(services, "reyes")
    client.get(f"/review/{world['items']['R-clin']}")
    client.get(f"/review/{world['items']['H-clin']}")
    client.get(f"/alerts/{world['alerts']['A-R']}")
    entries = AuditLog(services.db).search(actor="staff:reyes")
    actions = {(e.action, e.subject) for e in entries}
    assert ("message.read", world["items"]["R-clin"]) in actions
    assert ("access.denied", world["items"]["H-clin"]) in actions
    assert ("alert.read", world["alerts"]["A-R"]) in actions
    assert AuditLog(services.db).verify().ok


def test_signed_out_visitors_see_nothing(services, world):
    client = TestClient(create_app(services, start_workers=False))
    for path in ["/inbox", f"/review/{world['items']['R-clin']}", "/admin", "/admin/audit.csv",
                 f"/alerts/{world['alerts']['A-R']}"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    client.cookies.set("practice_session", "forged.cookie.value")
    assert client.get("/inbox", follow_redirects=False).status_code == 303
