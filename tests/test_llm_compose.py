"""The LLM path through the real ChatOpenAI client against an httpx.MockTransport endpoint:
pseudonymized bytes out, re-identified draft back, and every failure falls back to the template."""

from __future__ import annotations

import json
import re
import threading
from zoneinfo import ZoneInfo

import httpx
import pytest

from agent.llm import build_chat_model
from tests.test_graph_fixtures import (
    build_assistant,
    client_with_appointment,
    inbound,
    make_settings,
)

# The first test of a session loads the embedding model and the screens (slow on a busy box).
pytestmark = pytest.mark.timeout(900)

MODEL = "gpt-4o-mini"


def _completion(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        },
    )


def _approved_facts(request: httpx.Request) -> str:
    """The pseudonymized template draft the compose prompt hands the model."""
    body = json.loads(request.content)
    user = body["messages"][-1]["content"]
    return user.split("add nothing):", 1)[1].strip()


class FakeModelServer:
    """Records every request; answers with `reply(request)`."""

    def __init__(self, reply):
        self.reply = reply
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply(request)


def _assistant(tmp_path, server, **settings_overrides):
    settings = make_settings(
        tmp_path / "data",
        llm_provider="openai",
        llm_base_url="http://llm.test/v1",
        llm_api_key="test-key",
        llm_model=MODEL,
        llm_max_retries=0,
        **settings_overrides,
    )
    llm = build_chat_model(
        settings, http_client=httpx.Client(transport=httpx.MockTransport(server))
    )
    assistant, ehr = build_assistant(settings, llm=llm)
    client, appointment, thread_id = client_with_appointment(ehr)
    return assistant, ehr, ehr.get_client(client.id), thread_id


def test_model_sees_no_identifier_and_the_draft_is_reidentified(tmp_path):
    server = FakeModelServer(lambda r: _completion(_approved_facts(r).replace("Hi ", "Hello ", 1)))
    assistant, ehr, client, thread_id = _assistant(tmp_path, server)
    dob = client.birth_date
    text = (
        f"Hi, {client.given_name} {client.family_name} here (DOB {dob:%m/%d/%Y}, phone "
        f"{client.phone}, email {client.email}, {client.record_number}). "
        "What are your office hours?"
    )
    outcome = assistant.handle_message(inbound(client, thread_id, text))
    calls = assistant.llm_calls(outcome.thread_id)
    assistant.close()

    assert len(server.requests) == 1 == calls
    sent = server.requests[0].content.decode()
    identifiers = [
        client.given_name,
        client.family_name,
        client.preferred_name or client.given_name,
        f"{dob:%m/%d/%Y}",
        dob.isoformat(),
        client.email,
        client.record_number,
        client.phone,
    ]
    for identifier in identifiers:
        assert identifier not in sent, "an identifier reached the model"
    assert re.sub(r"\D", "", client.phone)[-7:] not in re.sub(r"\D", "", sent)
    assert outcome.route == "draft"
    assert outcome.draft.startswith(f"Hello {client.display_name},")
    assert outcome.metadata.model == MODEL and outcome.metadata.fallback_reason is None


def _assert_template_fallback(outcome, reason: str):
    assert outcome.route == "draft" and outcome.status == "awaiting_review"
    assert outcome.metadata.model == "template"
    assert reason in outcome.metadata.fallback_reason
    assert any("Template draft used" in note for note in outcome.notes)
    assert outcome.draft.startswith("Hi ")


def test_model_error_falls_back_to_the_template(tmp_path):
    server = FakeModelServer(lambda r: httpx.Response(500, json={"error": {"message": "down"}}))
    assistant, _, client, thread_id = _assistant(tmp_path, server)
    outcome = assistant.handle_message(inbound(client, thread_id, "What are your office hours?"))
    assistant.close()
    _assert_template_fallback(outcome, "500")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "reply length"),
        (
            "Dear <PERSON_7>, see you soon. We are open every day of the week for you.",
            "never issued",
        ),
    ],
)
def test_garbage_answer_falls_back_to_the_template(tmp_path, content, reason):
    server = FakeModelServer(lambda r: _completion(content))
    assistant, _, client, thread_id = _assistant(tmp_path, server)
    outcome = assistant.handle_message(inbound(client, thread_id, "What are your office hours?"))
    assistant.close()
    _assert_template_fallback(outcome, reason)


def test_dropped_appointment_options_fall_back_to_the_template(tmp_path):
    server = FakeModelServer(
        lambda r: _completion("Hi there! We'd love to find you a new time. Reply with what works.")
    )
    assistant, _, client, thread_id = _assistant(tmp_path, server)
    outcome = assistant.handle_message(
        inbound(client, thread_id, "Something came up at work, can I reschedule my appointment?")
    )
    assistant.close()
    _assert_template_fallback(outcome, "dropped")
    assert "has these openings" in outcome.draft


def test_a_date_on_the_clients_birthday_keeps_its_date(tmp_path, monkeypatch):
    """The appointment falls on the client's birthday, so its date goes to the model as the
    birth date's placeholder; it must come back as the draft wrote it ("Friday, March 6"), not
    as the record's date of birth (every such reply once fell back to the template)."""
    server = FakeModelServer(lambda r: _completion(_approved_facts(r)))
    assistant, ehr, client, thread_id = _assistant(tmp_path, server)
    appointment = ehr.upcoming_appointments(client.id)[0]
    local = appointment.start.astimezone(ZoneInfo(client.timezone))
    birthday = local.date().replace(year=1990)
    record = ehr.client_identifiers(client.id).model_copy(update={"birth_date": birthday})
    monkeypatch.setattr(ehr, "client_identifiers", lambda client_id: record)
    outcome = assistant.handle_message(
        inbound(client, thread_id, "Something came up at work, can I reschedule my appointment?")
    )
    assistant.close()

    sent = server.requests[0].content.decode()
    spoken_day = f"{local:%B} {local.day}"
    assert spoken_day not in sent
    assert outcome.metadata.model == MODEL and outcome.metadata.fallback_reason is None
    assert f"{local:%A}, {spoken_day} at" in outcome.draft
    assert "1990" not in outcome.draft


def test_slow_model_is_cut_off_at_the_deadline(tmp_path):
    release = threading.Event()

    def hang(request):
        release.wait(10)
        return _completion("too late")

    server = FakeModelServer(hang)
    assistant, _, client, thread_id = _assistant(tmp_path, server, llm_timeout_s=0.5)
    try:
        outcome = assistant.handle_message(
            inbound(client, thread_id, "What are your office hours?")
        )
    finally:
        release.set()
        assistant.close()
    _assert_template_fallback(outcome, "TimeoutError")


def test_crisis_and_handoff_make_no_model_call(tmp_path):
    server = FakeModelServer(lambda r: _completion("should never be used"))
    assistant, _, client, thread_id = _assistant(tmp_path, server)
    crisis = assistant.handle_message(
        inbound(client, thread_id, "I'm going to kill myself tonight, I have the pills ready.")
    )
    handoff = assistant.handle_message(
        inbound(client, thread_id, "I'm almost out of my sertraline, can I get a refill at CVS?")
    )
    assistant.close()
    assert crisis.route == "crisis" and handoff.route == "handoff"
    assert server.requests == []
