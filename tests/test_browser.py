# ruff: noqa: F811  (pytest fixtures imported from helper modules)
"""The review inbox in a real headless Chromium (Debian's, driven by Playwright): sign in, crisis
pinning, approve / edit / dismiss with keyboard shortcuts, the next item opening after each
action, and role restrictions visible in the UI.

Screenshots of the main pages: `PRACTICE_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest
tests/test_browser.py` writes them there.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from agent.server.app import create_app
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

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PRACTICE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PASSWORD = "correct horse battery"
SCREENSHOTS = os.environ.get("PRACTICE_SCREENSHOTS")


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'practice.db'}"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live(services, cheap_password_hashing):
    """The app on a free loopback port, with staff accounts and queued sample traffic."""
    import uvicorn

    directory = StaffDirectory(services.db)
    for username, roles, clinician_id in (("reyes", ["clinician"], "clin-reyes"),
                                          ("frontdesk", ["front_desk"], None),
                                          ("admin", ["admin"], None)):
        directory.create(StaffAccount(username=username, roles=roles, clinician_id=clinician_id,
                                      display_name=username.title()), PASSWORD)
    client_id = services.ehr.caseload("clin-reyes").client_ids[0]
    thread_id = services.ehr.threads(client_id)[0].id
    ingress = services.ingress()
    for text in ("How do I pay my bill?", "Where is the parking for the office?",
                 "Can I get a receipt for last month?", "I am going to kill myself tonight"):
        body = encode(message_event(client_id, text, thread_id=thread_id))
        ingress.receive(body, {k.lower(): v for k, v in signed(services.settings, body).items()},
                        time.perf_counter())
        time.sleep(0.01)  # distinct ages, so queue order is the arrival order
    pool = services.worker_pool(threads=0)
    while pool.run_once():
        pass
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(services, start_workers=False),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _sign_in(browser, live: str, username: str):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{live}/login")
    _shot(page, "login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_clinician_reviews_with_keyboard_and_sees_crisis_pinned(browser, live, services):
    context, page = _sign_in(browser, live, "reyes")
    assert page.url.endswith("/inbox")
    first_block = page.locator("main > *").nth(1)
    assert "Crisis alert" in first_block.inner_text()  # pinned above the queue
    assert page.locator("#queue tbody tr").count() == 3
    _shot(page, "inbox")

    page.keyboard.press("Enter")  # open the selected (first) item
    page.wait_for_url("**/review/*")
    assert "pay my bill" in page.locator("#client-message").inner_text()
    _shot(page, "review")
    first_url = page.url
    page.keyboard.press("a")  # approve -> the next item opens by itself
    page.wait_for_url(lambda url: url != first_url and "/review/" in url)
    assert "parking" in page.locator("#client-message").inner_text()

    second_url = page.url
    page.keyboard.press("e")
    page.locator("#draft").fill("The lot behind the building is free for clients.")
    page.click("#edit-send")
    page.wait_for_url(lambda url: url != second_url and "/review/" in url)
    assert "receipt" in page.locator("#client-message").inner_text()

    page.keyboard.press("d")  # dismiss the last one -> back to the inbox
    page.wait_for_url("**/inbox")
    assert page.locator("#queue").count() == 0

    decisions = {d.type: d.text for _t, d in services.assistant().decisions}
    assert decisions == {"accept": None,
                         "edit": "The lot behind the building is free for clients.",
                         "ignore": None}

    page.click("text=Open")
    page.wait_for_url("**/alerts/*")
    assert "kill myself" in page.locator("#evidence").inner_text()
    _shot(page, "alert")
    page.click("#ack")
    page.wait_for_url("**/inbox")
    assert "Crisis alert" not in page.content()
    assert ReviewQueue(services.db).pending() == []
    context.close()


def test_roles_shape_what_the_ui_shows(browser, live, services):
    context, page = _sign_in(browser, live, "frontdesk")
    text = page.locator("main").inner_text()
    assert "Crisis alert" not in text  # front desk never sees crisis evidence
    assert page.locator("#queue tbody tr").count() == 3  # billing-type items only
    assert page.locator("header nav a", has_text="Policy").count() == 0
    response = page.goto(f"{live}/admin")
    assert response.status == 403
    context.close()

    context, page = _sign_in(browser, live, "admin")
    assert page.url.endswith("/admin")
    assert page.locator("header nav a", has_text="Inbox").count() == 0
    _shot(page, "admin-policy")
    page.uncheck("input[value=billing]")
    page.click("#save-policy")
    page.wait_for_selector("#saved")
    page.goto(f"{live}/admin/audit")
    assert "Chain verified" in page.locator("#chain").inner_text()
    _shot(page, "admin-audit")
    assert page.goto(f"{live}/inbox").status == 403
    context.close()


def test_admin_opens_the_outreach_digest_from_the_menu(browser, live, services):
    """A day's digest of automatic outreach sends (written by the scheduler's pass) is one click
    away for an admin; its body carries ids only."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from agent.store.outreach import OutreachStore

    day = services.ehr.now().astimezone(ZoneInfo(services.settings.practice_timezone)).date()
    OutreachStore(services.db).record_digest(
        "clin-okafor", day.isoformat(), count=1, now=datetime.now(ZoneInfo("UTC")),
        body=f"Automatic outreach on {day}: 1 messages.\n- reminders: 1\n"
             "  cl-0001 reminders/1d msg msg-digest-1")
    context, page = _sign_in(browser, live, "admin")
    page.click("header nav >> text=Digests")
    page.wait_for_url("**/digests")
    digest = page.locator(f"[data-digest='clin-okafor:{day.isoformat()}']")
    assert "msg-digest-1" in digest.inner_text()
    _shot(page, "digests")
    context.close()
