"""Intent classifier: practice messages get the intents a front desk would give them, multi-intent
messages get every intent, the LLM is asked only when the local model is unsure, and the CLI keeps
its JSON-lines contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from agent.classify import INTENTS, SENSITIVE_INTENTS, IntentClassifier
from agent.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "evals" / "datasets" / "intents.jsonl"
EXEMPLARS = ROOT / "agent" / "classify_exemplars.jsonl"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("classify") / "data"


@pytest.fixture(scope="session")
def classifier(data_dir) -> IntentClassifier:
    """Fitted once per session; the fit is cached where `from_settings` and the CLI look for it."""
    return IntentClassifier(cache_dir=data_dir / "models")


@pytest.fixture(scope="session")
def rows() -> list[dict]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def predictions(classifier, rows) -> list:
    """The whole dataset classified once per session (one batch)."""
    return classifier.classify_many([r["text"] for r in rows])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can we move thursday to next week?", "schedule_change"),
        ("what time is my appt tomorrow", "appointment_info"),
        ("why was I charged $150", "billing"),
        ("can you send me a superbill for my insurance", "billing"),
        ("where do I sign the consent form", "forms"),
        ("I'm running low on my sertraline, can Dr. K send a refill to CVS", "medication"),
        ("do you take Aetna", "practice_info"),
        ("where do I park", "practice_info"),
        ("thanks!", "other"),
        ("I don't want to be alive anymore", "crisis"),
    ],
)
def test_routine_messages_get_the_front_desk_intent(classifier, text, intent):
    prediction = classifier.classify(text)
    assert prediction.intent == intent
    assert prediction.intents[0] == intent
    assert prediction.source == "local"


def test_two_requests_in_one_message_are_both_handled(classifier):
    prediction = classifier.classify("move Thursday and also send a superbill")
    assert prediction.intents == ["schedule_change", "billing"]


def test_medication_change_with_worse_mood_goes_to_both_prescriber_and_clinician(classifier):
    prediction = classifier.classify("I've been feeling much worse since we lowered my meds")
    assert {"clinical", "medication"} <= set(prediction.intents)


def test_crisis_buried_after_a_routine_request_comes_first(classifier):
    prediction = classifier.classify(
        "Can you send me a receipt for May? Also honestly I've been thinking about ending my life"
    )
    assert prediction.intent == "crisis"
    assert "billing" in prediction.intents


@pytest.mark.parametrize(
    "text",
    [
        "so sorry, my car got towed this morning. can we do thursday instead?",
        "cant come in today, my little one has strep. could we move to next week",
        "I have to cancel tomorrow, there was a death in the family and I'm flying out",
    ],
)
def test_a_reason_given_for_rescheduling_is_not_read_as_a_crisis(classifier, text):
    """The reason clause read alone sounds alarming; in context it is a routine reschedule."""
    prediction = classifier.classify(text)
    assert prediction.intent == "schedule_change"
    assert "crisis" not in prediction.intents


def test_misspelt_requests_still_get_their_intent(classifier):
    assert classifier.classify("can i reschedual my apointment to friday").intent == (
        "schedule_change"
    )
    assert classifier.classify("need a refil of my zolof sent to cvs").intent == "medication"


def test_thanks_tacked_on_a_request_does_not_add_other(classifier):
    prediction = classifier.classify("I need to cancel Friday's session, thanks so much!")
    assert prediction.intents == ["schedule_change"]


def test_scores_are_probabilities_and_confidence_is_the_primary_score(classifier):
    prediction = classifier.classify("can you resend my statement from March")
    assert set(prediction.scores) == set(INTENTS)
    assert all(0.0 <= p <= 1.0 for p in prediction.scores.values())
    assert prediction.confidence == prediction.scores[prediction.intent]


def test_heldout_accuracy_does_not_regress(predictions, rows):
    """The issue's target: >= 0.95 on held-out (measured 0.967, `python -m benchmarks.classify`)."""
    heldout = [
        p.intent == r["intents"][0]
        for p, r in zip(predictions, rows, strict=True)
        if r["split"] == "heldout"
    ]
    assert sum(heldout) / len(heldout) >= 0.95


def test_no_human_routing_intent_is_lost_on_the_dataset(predictions, rows):
    """Crisis / medication / clinical labels must survive: missing one risks an AI draft."""
    labelled = [
        (intent, p)
        for p, r in zip(predictions, rows, strict=True)
        for intent in r["intents"]
        if intent in SENSITIVE_INTENTS
    ]
    kept = sum(intent in p.intents for intent, p in labelled)
    assert kept / len(labelled) >= 0.97


def test_confidence_is_calibrated_enough_to_mean_something(predictions, rows):
    sure = [
        p.intent == r["intents"][0] for p, r in zip(predictions, rows, strict=True) if not p.unsure
    ]
    unsure = [
        p.intent == r["intents"][0] for p, r in zip(predictions, rows, strict=True) if p.unsure
    ]
    assert unsure, "the dataset should contain some messages the classifier is unsure about"
    assert sum(sure) / len(sure) > sum(unsure) / len(unsure)


def test_eval_messages_are_never_training_exemplars(rows):
    exemplars = {
        json.loads(line)["text"].lower().strip()
        for line in EXEMPLARS.read_text(encoding="utf-8").splitlines()
    }
    assert not [r["text"] for r in rows if r["text"].lower().strip() in exemplars]


def test_dataset_has_the_promised_shape(rows):
    assert len(rows) >= 400
    assert len({r["id"] for r in rows}) == len(rows)
    heldout = sum(r["split"] == "heldout" for r in rows) / len(rows)
    assert 0.25 <= heldout <= 0.35
    assert all(r["intents"] and set(r["intents"]) <= set(INTENTS) for r in rows)
    assert sum(len(r["intents"]) > 1 for r in rows) >= 30


def test_cached_model_gives_identical_predictions(classifier, data_dir):
    texts = ["can I pay my balance in two parts", "is parking free on weekends"]
    reloaded = IntentClassifier(cache_dir=data_dir / "models")
    assert reloaded.classify_many(texts) == classifier.classify_many(texts)


def test_unreadable_cache_is_refitted_not_fatal(tmp_path):
    exemplars = tmp_path / "exemplars.jsonl"  # small, so the two fits stay cheap
    lines = [json.loads(line) for line in EXEMPLARS.read_text(encoding="utf-8").splitlines()]
    small = [e for intent in INTENTS for e in [x for x in lines if x["intent"] == intent][:6]]
    exemplars.write_text("\n".join(json.dumps(e) for e in small), encoding="utf-8")
    cache = tmp_path / "models"
    fitted = IntentClassifier(exemplars_path=exemplars, cache_dir=cache)
    cached = next(cache.glob("intent-*.npz"))
    cached.write_bytes(b"not an npz")
    rebuilt = IntentClassifier(exemplars_path=exemplars, cache_dir=cache)
    texts = ["please refill my sertraline", "what are your office hours"]
    assert rebuilt.classify_many(texts) == fitted.classify_many(texts)
    assert cached.read_bytes() != b"not an npz"


def test_blank_or_non_text_messages_are_rejected_with_a_reason(classifier):
    with pytest.raises(ValueError, match="position 0"):
        classifier.classify("   ")
    with pytest.raises(ValueError, match="position 1"):
        classifier.classify_many(["hi", None])  # type: ignore[list-item]
    assert classifier.classify_many([]) == []


def test_bad_exemplar_file_names_the_line(tmp_path):
    bad = tmp_path / "exemplars.jsonl"
    bad.write_text(
        '{"text": "refill please", "intent": "medication"}\n{"text": "x", "intent": "weather"}\n'
    )
    with pytest.raises(ValueError, match=r"exemplars.jsonl:2"):
        IntentClassifier(exemplars_path=bad)


def test_very_long_message_is_classified_without_dropping_its_end(classifier):
    routine = "I wanted to ask about the schedule for next month and the holidays. " * 60
    prediction = classifier.classify(routine + "Also I need a refill of my Lexapro sent to CVS.")
    assert "medication" in prediction.intents


# --- LLM second opinion, through the real ChatOpenAI client -----------------------------------


def _chat_completion(content: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class _StubModel:
    """Records every request the real OpenAI client sends and answers with a fixed reply."""

    def __init__(self, status: int = 200, content: str = '{"intents": ["billing"]}') -> None:
        self.requests: list[dict] = []
        self.status, self.content = status, content

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if self.status != 200:
            return httpx.Response(self.status, json={"error": {"message": "down"}})
        return httpx.Response(200, json=_chat_completion(self.content))


def _with_llm(stub: _StubModel, data_dir: Path) -> IntentClassifier:
    settings = Settings(
        data_dir=data_dir,
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key="test-key",
        llm_max_retries=0,
        llm_timeout_s=5,
    )
    http_client = httpx.Client(transport=httpx.MockTransport(stub))
    return IntentClassifier.from_settings(settings, http_client=http_client)


UNSURE_TEXT = "wondering about tuesday and the other thing"


def test_llm_is_not_called_when_the_local_classifier_is_sure(classifier, data_dir):
    stub = _StubModel()
    with_llm = _with_llm(stub, data_dir)
    prediction = with_llm.classify("can you send me a superbill for my insurance")
    assert not prediction.unsure
    assert prediction.source == "local"
    assert stub.requests == []


def test_llm_settles_an_unsure_message_with_one_structured_call(classifier, data_dir):
    assert classifier.classify(UNSURE_TEXT).unsure, "precondition: local model unsure"
    stub = _StubModel(content='{"intents": ["billing", "forms"]}')
    prediction = _with_llm(stub, data_dir).classify(UNSURE_TEXT)
    assert prediction.source == "llm"
    assert prediction.intents[:2] == ["billing", "forms"]
    assert not prediction.unsure
    assert len(stub.requests) == 1
    request = stub.requests[0]
    assert request["response_format"]["type"] == "json_schema"
    assert f"<message>{UNSURE_TEXT}</message>" in json.dumps(request["messages"])


def test_text_reaches_the_llm_only_through_the_redactor(classifier, data_dir):
    assert classifier.classify(UNSURE_TEXT).unsure, "precondition: local model unsure"
    stub = _StubModel()
    with_llm = _with_llm(stub, data_dir)
    with_llm.classify(UNSURE_TEXT, redact=lambda text: "<CLIENT_NAME> asks about <DATE_1>")
    assert len(stub.requests) == 1
    sent = json.dumps(stub.requests)
    assert "<message><CLIENT_NAME> asks about <DATE_1></message>" in sent
    assert UNSURE_TEXT not in sent

    def refuse(_text):
        raise ValueError("identifiers unavailable")

    assert with_llm.classify(UNSURE_TEXT, redact=refuse).source == "local"
    assert len(stub.requests) == 1, "a failed redaction must keep the text in the process"


@pytest.mark.parametrize(
    "stub",
    [
        _StubModel(status=500),
        _StubModel(content="I think it's about billing"),
        _StubModel(content='{"intents": ["weather"]}'),
        _StubModel(content='{"intents": []}'),
    ],
    ids=["server-error", "not-json", "unknown-intent", "empty"],
)
def test_llm_failure_keeps_the_local_prediction(classifier, data_dir, stub):
    local = classifier.classify(UNSURE_TEXT)
    prediction = _with_llm(stub, data_dir).classify(UNSURE_TEXT)
    assert prediction == local
    assert prediction.unsure and prediction.source == "local"


# --- CLI contract ---------------------------------------------------------------------------


def test_cli_reads_and_writes_json_lines_and_names_bad_fields(classifier, data_dir):
    del classifier  # ensures the fitted model is cached in data_dir/models for the subprocess
    stdin = "\n".join(
        [
            json.dumps({"id": "a1", "text": "can we move thursday to next week?"}),
            json.dumps({"id": "a2"}),
            "not json",
            json.dumps({"id": 3, "text": "do you take Aetna"}),
        ]
    )
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data_dir), "PRACTICE_LLM_PROVIDER": "none"}
    result = subprocess.run(
        [sys.executable, "-m", "agent.classify"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=240,
    )
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a1", 3]
    assert lines[0]["intent"] == "schedule_change" and lines[0]["intents"][0] == "schedule_change"
    assert lines[1]["intent"] == "practice_info"
    assert all(0.0 <= line["confidence"] <= 1.0 for line in lines)
    assert "line 2: invalid text" in result.stderr
    assert "line 3: invalid" in result.stderr
