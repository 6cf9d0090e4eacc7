"""Prompt registry, practice policy and the encrypted checkpointer (no models needed)."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr, ValidationError

from agent.checkpoint import (
    AesGcmCipher,
    CheckpointKeyError,
    encrypted_serializer,
    open_checkpointer,
    state_key,
)
from agent.policy import PracticePolicy
from agent.prompts.registry import PROMPTS_DIR, PromptError, PromptRegistry
from agent.settings import Settings

SAMPLE_GROUNDING = {
    "faq_answer": {"facts": ["We are open 8am to 6pm on weekdays."], "sources": ["hours.md"]},
    "schedule_change": {
        "appointment": "Thursday, March 5 at 2:00 PM",
        "chosen": None,
        "options": ["Friday, March 6 at 3:00 PM", "Monday, March 9 at 10:00 AM"],
        "fee_notice": None,
    },
    "appointment_info": {
        "appointments": ["Thursday, March 5 at 2:00 PM (video visit)"],
        "facts": [],
    },
    "billing": {"facts": [], "document_requested": "superbill"},
    "forms": {"facts": [], "outstanding": ["Intake questionnaire (due Friday, March 6)"]},
    "reminder_reply": {
        "reply": "cancel",
        "appointment": "Tuesday, March 3 at 9:00 AM",
        "options": ["Friday, March 6 at 3:00 PM"],
        "fee_notice": "A late cancellation fee may apply.",
    },
}


def test_every_released_prompt_renders_complete_text():
    registry = PromptRegistry()
    assert set(registry.prompt_ids()) == {*SAMPLE_GROUNDING, "reply_draft"}
    for prompt_id, grounding in SAMPLE_GROUNDING.items():
        text = registry.get(prompt_id).render(g=grounding, clinician_name="Dana Reyes, LCSW")
        assert text and "{" not in text and "<" not in text, prompt_id
    reply = registry.get("reply_draft").render(
        preferred_name="Sam", sections=["Section one."], clinician_name="Dana Reyes", handoff=None
    )
    assert reply.startswith("Hi Sam,") and "Section one." in reply and "988" in reply


def test_missing_variable_is_an_error_not_an_empty_placeholder():
    prompt = PromptRegistry().get("schedule_change")
    with pytest.raises(PromptError, match="clinician_name"):
        prompt.render(g=SAMPLE_GROUNDING["schedule_change"])
    with pytest.raises(PromptError, match="(?i)undefined|missing"):
        prompt.render(g={}, clinician_name="Dana")  # g.options etc. are required too


def test_unknown_versions_fail_fast():
    with pytest.raises(PromptError, match="no version 'v99'"):
        PromptRegistry(overrides={"faq_answer": "v99"})
    with pytest.raises(PromptError, match="bad prompt reference"):
        PromptRegistry().get("../etc", "v1")


def test_candidate_version_is_selectable_and_release_moves_the_pointer(tmp_path):
    root = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    candidate = (root / "faq_answer" / "v1.yaml").read_text().replace("version: v1", "version: v2")
    (root / "faq_answer" / "v2.yaml").write_text(candidate.replace("First release", "Shorter"))

    released = PromptRegistry(root)
    pinned = released.with_overrides({"faq_answer": "v2"})
    assert released.get("faq_answer").version == "v1"
    assert pinned.get("faq_answer").version == "v2"
    assert pinned.get("reply_draft").version == "v1"

    released.release("faq_answer", "v2")
    assert PromptRegistry(root).get("faq_answer").version == "v2"
    with pytest.raises(PromptError):
        released.release("faq_answer", "v7")
    assert (root / "faq_answer" / "RELEASED").read_text().strip() == "v2"


def test_version_file_must_name_itself(tmp_path):
    root = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR / "faq_answer", root / "faq_answer")
    shutil.copy(root / "faq_answer" / "v1.yaml", root / "faq_answer" / "v2.yaml")
    with pytest.raises(PromptError, match="names itself"):
        PromptRegistry(root).get("faq_answer", "v2")


# --- policy -----------------------------------------------------------------------------------
def test_policy_defaults_are_the_safe_ones():
    policy = PracticePolicy()
    assert policy.mode("inbound") == "review" and policy.mode("unknown") == "review"
    assert policy.safety_message_enabled and "988" in policy.safety_message
    assert not policy.allows("medication") and policy.allows("billing")
    assert policy.allowed_link_domains == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("intent_allowlist", ["billing", "medication"], "may never get an AI draft"),
        ("intent_allowlist", ["billing", "refunds"], "unknown intent"),
        ("allowed_link_domains", ["https://evil.test/x"], "not a bare domain"),
        ("rollout", {"inbound": "yolo"}, "rollout"),
    ],
)
def test_policy_rejects_unsafe_values_naming_the_field(field, value, error):
    with pytest.raises(ValidationError, match=error):
        PracticePolicy(**{field: value})


# --- checkpoint encryption ------------------------------------------------------------------------
def test_generated_key_is_private_and_stable(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    key = state_key(settings)
    path = tmp_path / "data" / "state.key"
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert state_key(settings) == key


def test_bad_configured_key_is_rejected(tmp_path):
    settings = Settings(data_dir=tmp_path, state_encryption_key=SecretStr("too-short"))
    with pytest.raises(CheckpointKeyError, match="PRACTICE_STATE_ENCRYPTION_KEY"):
        state_key(settings)


def test_serializer_round_trips_and_detects_tampering(tmp_path):
    serde = encrypted_serializer(Settings(data_dir=tmp_path))
    value = {"message": {"text": "call me at 555-0101"}, "notes": ["x"]}
    kind, blob = serde.dumps_typed(value)
    assert b"555-0101" not in blob and kind.endswith("+aesgcm")
    assert serde.loads_typed((kind, blob)) == value
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(InvalidTag):
        serde.loads_typed((kind, tampered))
    with pytest.raises(InvalidTag):
        AesGcmCipher(os.urandom(32)).decrypt("aesgcm", blob)


def _tiny_review_graph(saver):
    """An interrupt over state shaped like TurnState (PHI only inside dicts, never a bare str,
    which PostgresSaver would store inline and unencrypted)."""
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    class State(TypedDict, total=False):
        message: dict
        draft: dict
        status: str

    def review(state: State) -> dict:
        answer = interrupt({"draft": state["message"]["text"]})
        return {"draft": {"text": answer}, "status": "sent"}

    builder = StateGraph(State)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=saver)


@pytest.mark.postgres
def test_postgres_checkpointer_is_encrypted_and_resumable(tmp_path):
    from langgraph.types import Command

    url = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PRACTICE_TEST_POSTGRES_URL is not set")
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    thread = {"configurable": {"thread_id": f"pg-{os.getpid()}-{tmp_path.name}"}}
    with open_checkpointer(settings) as saver:
        graph = _tiny_review_graph(saver)
        graph.invoke({"message": {"text": "Zebulon-Marchetti wants Friday"}}, thread)
        with saver._cursor() as cursor:
            thread_id = thread["configurable"]["thread_id"]
            cursor.execute(
                "SELECT checkpoint::text AS c FROM checkpoints WHERE thread_id = %s", (thread_id,)
            )
            dumped = " ".join(row["c"] for row in cursor.fetchall())
            assert dumped, "the run wrote checkpoints"
            cursor.execute(
                "SELECT blob FROM checkpoint_blobs WHERE thread_id = %s AND blob IS NOT NULL",
                (thread_id,),
            )
            blobs = b"".join(bytes(row["blob"]) for row in cursor.fetchall())
        assert "Zebulon" not in dumped and b"Zebulon" not in blobs
    with open_checkpointer(settings) as saver:  # a new connection pool: "another process"
        graph = _tiny_review_graph(saver)
        assert graph.get_state(thread).values["message"]["text"] == "Zebulon-Marchetti wants Friday"
        assert graph.invoke(Command(resume="ok"), thread)["draft"] == {"text": "ok"}


def test_sqlite_checkpointer_lives_under_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    with open_checkpointer(settings) as saver:
        assert saver.serde is not None
    assert (tmp_path / "data" / "checkpoints.db").exists()
