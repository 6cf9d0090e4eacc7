"""Scheduling rules and tools for one client, over both adapters, plus preference parsing and the
real ChatOpenAI calling the tools through a scripted OpenAI endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from agent.llm import build_chat_model
from tools.ehr import errors
from tools.ehr.calendar import slot_id
from tools.scheduling import ClientScheduler, scheduling_tools
from tools.time_preferences import parse_preference

pytest_plugins = ["tests.test_ehr_support"]

NY = "America/New_York"
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # Wednesday 08:00 in New York


# --- reading preferences ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, inside, outside",
    [
        ("Tuesday afternoon", datetime(2026, 12, 1, 14), datetime(2026, 12, 1, 10)),
        ("after 5pm", datetime(2026, 11, 30, 17), datetime(2026, 11, 30, 16)),
        ("after 5", datetime(2026, 11, 30, 18), datetime(2026, 11, 30, 9)),
        ("mornings except Monday", datetime(2026, 12, 1, 9), datetime(2026, 11, 30, 9)),
        ("next week", datetime(2026, 12, 3, 9), datetime(2026, 11, 27, 9)),
        ("before 10:30 am on Fridays", datetime(2026, 12, 4, 10), datetime(2026, 12, 4, 11)),
        ("Dec 3", datetime(2026, 12, 3, 15), datetime(2026, 12, 4, 15)),
        ("12/3 please", datetime(2026, 12, 3, 15), datetime(2026, 12, 10, 15)),
        ("anything but Mondays or Fridays", datetime(2026, 12, 2, 9), datetime(2026, 12, 4, 9)),
        ("tomorrow evening", datetime(2026, 11, 26, 18), datetime(2026, 11, 27, 18)),
        ("in two weeks", datetime(2026, 12, 9, 12), datetime(2026, 11, 30, 12)),
    ],
)
def test_preferences_match_the_times_a_client_means(text, inside, outside):
    pref = parse_preference(text, NOW, NY)
    assert pref.understood
    assert pref.matches(inside.replace(tzinfo=ZoneInfo(NY))), pref.describe()
    assert not pref.matches(outside.replace(tzinfo=ZoneInfo(NY))), pref.describe()


def test_unreadable_preference_is_reported_not_guessed():
    pref = parse_preference("whenever works for the doc", NOW, NY)
    assert not pref.understood
    assert "no preference understood" in pref.describe()
    may = parse_preference("May I come Thursday?", NOW, NY)
    assert may.weekdays == [3] and may.earliest is None  # "May" the verb is not the month


# --- the scheduler over both adapters --------------------------------------------------------
def _client(ehr):
    return next(
        c for c in ehr.list_clients(clinician_id="clin-chen") if ehr.upcoming_appointments(c.id)
    )


def test_find_slots_only_the_clients_clinician_and_preference(ehr):
    client = _client(ehr)
    scheduler = ClientScheduler(ehr, client.id)
    search = scheduler.find_slots("Tuesday afternoon", limit=20)
    assert search.understood and search.slots
    zone = ZoneInfo(client.timezone)
    for option in search.slots:
        local = option.start.astimezone(zone)
        assert local.weekday() == 1 and time(12) <= local.time() < time(17)
        assert option.slot_id.startswith(f"{client.clinician_id}.")
        assert "Tuesday" in option.local_time
    evening = scheduler.find_slots("after 5pm", limit=20).slots
    assert evening and all(s.start.astimezone(zone).time() >= time(17) for s in evening)


def test_propose_reads_only_and_carries_the_fee_notice_when_late(ehr, clock):
    client = _client(ehr)
    scheduler = ClientScheduler(ehr, client.id, fee_notice="A $75 late-change fee applies.")
    soonest = ehr.upcoming_appointments(client.id)[0]
    option = scheduler.find_slots("", limit=20).slots[-1]
    early = scheduler.propose_reschedule(soonest.id, option.slot_id)
    assert early.notice.late_change is (soonest.start - clock() < timedelta(hours=48))
    clock.set(soonest.start - timedelta(hours=5))
    late = ClientScheduler(ehr, client.id, fee_notice="A $75 late-change fee applies.")
    proposal = late.propose_reschedule(soonest.id, option.slot_id)
    assert (
        proposal.notice.late_change
        and proposal.notice.fee_notice == "A $75 late-change fee applies."
    )
    assert ehr.get_appointment(soonest.id) == soonest  # nothing changed by proposing
    result = late.apply_reschedule(soonest.id, option.slot_id, request_id="late-move")
    assert result.notice.late_change and result.appointment.start == option.start
    assert ehr.get_appointment(soonest.id).status == "late_cancelled"


def test_scheduler_refuses_other_clients_and_clinicians(ehr):
    client = _client(ehr)
    other = next(
        c
        for c in ehr.list_clients(clinician_id="clin-chen")
        if c.id != client.id and ehr.upcoming_appointments(c.id)
    )
    scheduler = ClientScheduler(ehr, client.id)
    theirs = ehr.upcoming_appointments(other.id)[-1]
    option = scheduler.find_slots().slots[0]
    with pytest.raises(errors.AppointmentNotOwned):
        scheduler.propose_reschedule(theirs.id, option.slot_id)
    with pytest.raises(errors.AppointmentNotOwned):
        scheduler.cancel(theirs.id, request_id="steal-1")
    mine = ehr.upcoming_appointments(client.id)[-1]
    foreign_slot = slot_id("clin-reyes", ehr.now() + timedelta(days=5))
    with pytest.raises(errors.ClinicianNotPermitted):
        scheduler.propose_reschedule(mine.id, foreign_slot)
    with pytest.raises(errors.SlotInPast):
        scheduler.propose_reschedule(
            mine.id, slot_id(client.clinician_id, ehr.now() - timedelta(hours=2))
        )
    with pytest.raises(errors.ClientNotFound):
        ClientScheduler(ehr, "cl-9999")


def test_write_is_idempotent_through_the_scheduler(ehr):
    client = _client(ehr)
    scheduler = ClientScheduler(ehr, client.id)
    mine = ehr.upcoming_appointments(client.id)[-1]
    option = scheduler.find_slots().slots[0]
    first = scheduler.apply_reschedule(mine.id, option.slot_id, request_id="resume-1")
    second = scheduler.apply_reschedule(mine.id, option.slot_id, request_id="resume-1")
    assert first.appointment == second.appointment
    live = [a for a in ehr.upcoming_appointments(client.id) if a.start == option.start]
    assert len(live) == 1


# --- the LangChain tools ---------------------------------------------------------------------
def test_tools_are_scoped_and_read_only_by_default(sandbox):
    client = _client(sandbox)
    tools = {t.name: t for t in scheduling_tools(sandbox, client.id)}
    assert set(tools) == {"list_upcoming_appointments", "find_open_slots", "propose_reschedule"}
    for tool in tools.values():
        assert "client_id" not in json.dumps(tool.args)
    upcoming = tools["list_upcoming_appointments"].invoke({})
    assert [a["id"] for a in upcoming] == [a.id for a in sandbox.upcoming_appointments(client.id)]
    other = next(
        c
        for c in sandbox.list_clients()
        if c.id != client.id and sandbox.upcoming_appointments(c.id)
    )
    theirs = sandbox.upcoming_appointments(other.id)[0]
    message = tools["propose_reschedule"].invoke({"appointment_id": theirs.id, "slot_id": "x.y"})
    assert "AppointmentNotOwned" in message  # the model is told, and nothing is revealed
    assert theirs.start.isoformat() not in message

    writes = {t.name: t for t in scheduling_tools(sandbox, client.id, include_writes=True)}
    assert {"apply_reschedule", "cancel_appointment", "confirm_appointment"} <= set(writes)
    with pytest.raises(errors.AppointmentNotOwned):  # write tools raise typed errors to the graph
        writes["cancel_appointment"].invoke({"appointment_id": theirs.id, "request_id": "r-1"})
    with pytest.raises(ValueError):
        writes["cancel_appointment"].invoke({"appointment_id": theirs.id, "request_id": ""})


def _completion(tool_name: str, arguments: dict) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": tool_name, "arguments": json.dumps(arguments)},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def test_real_chat_model_calls_the_slot_tool(settings, sandbox):
    client = _client(sandbox)
    tools = scheduling_tools(sandbox, client.id)
    requests: list[dict] = []

    def openai(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content))
        return httpx.Response(
            200, json=_completion("find_open_slots", {"preference": "Tuesday afternoon"})
        )

    llm_settings = settings.model_copy(
        update={
            "llm_provider": "openai",
            "llm_base_url": "http://llm.test/v1",
            "llm_max_retries": 0,
        }
    )
    http = httpx.Client(transport=httpx.MockTransport(openai))
    model = build_chat_model(llm_settings, http_client=http)
    reply = model.bind_tools(tools).invoke("Can I move to a Tuesday afternoon?")

    sent_tools = {t["function"]["name"]: t["function"] for t in requests[0]["tools"]}
    assert set(sent_tools) == {t.name for t in tools}
    assert "client_id" not in json.dumps(sent_tools)
    call = reply.tool_calls[0]
    by_name = {t.name: t for t in tools}
    result = by_name[call["name"]].invoke(call["args"])
    assert result["understood"] and result["slots"]
    zone = ZoneInfo(client.timezone)
    assert all(
        datetime.fromisoformat(s["start"]).astimezone(zone).weekday() == 1 for s in result["slots"]
    )
