"""Judge metrics wired through the real ChatOpenAI (agent.llm) against a stub OpenAI endpoint."""

from __future__ import annotations

import json

import httpx
from deepeval.test_case import LLMTestCase

from agent.settings import Settings
from evals.judges import JUDGE_SPECS, NO_JUDGE, judge_from_settings, run_judges

COLD = "Whatever. Read the policy."


def _completion(content: dict) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "judge",
            "object": "chat.completion",
            "created": 0,
            "model": "judge-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": json.dumps(content)},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    )


class StubJudge:
    """Answers every deepeval judge prompt with valid JSON; scores a cold reply low."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        prompt = json.loads(request.content)["messages"][-1]["content"]
        self.prompts.append(prompt)
        cold = COLD in prompt
        return _completion(
            {
                "score": 2 if cold else 9,
                "reason": "cold" if cold else "warm and plain",
                "truths": ["Sessions are 50 minutes."],
                "claims": ["Sessions are 50 minutes."],
                "statements": ["Sessions are 50 minutes."],
                "verdicts": [{"verdict": "yes", "reason": "supported"}],
            }
        )


def _case(name: str, golden_set: str, output: str) -> LLMTestCase:
    record = {"golden_set": golden_set, "golden_id": name, "draft": output}
    return LLMTestCase(
        input="How long is a session? I'm so frustrated.",
        actual_output=output,
        retrieval_context=["Sessions are 50 minutes."],
        additional_metadata={"record": record},
        name=f"{golden_set}:{name}",
    )


def test_judge_metrics_run_through_the_configured_endpoint_and_report_a_cold_reply():
    stub = StubJudge()
    settings = Settings(
        judge_provider="openai",
        judge_base_url="http://judge.test/v1",
        judge_api_key="k",
        judge_model="judge-model",
    )
    judge = judge_from_settings(
        settings, http_client=httpx.Client(transport=httpx.MockTransport(stub))
    )
    cases = [
        _case("warm", "tone", "I'm sorry this has been frustrating. Sessions are 50 minutes."),
        _case("cold", "tone", COLD),
        _case("faq", "faq", "Sessions are 50 minutes."),
    ]
    scores = {s.name: s for s in run_judges(judge, cases)}

    assert set(scores) == {spec.name for spec in JUDGE_SPECS}
    empathy = scores["empathy"]
    assert empathy.cases == 2 and abs(empathy.score - (0.9 + 0.2) / 2) < 1e-6
    assert empathy.failures == ["tone:cold: cold"]  # the cold reply is named
    assert scores["faithfulness"].cases == 1 and scores["faithfulness"].score == 1.0
    assert scores["answer_relevancy"].score == 1.0
    assert any("Sessions are 50 minutes." in p for p in stub.prompts)  # the draft was judged


def test_without_a_judge_every_judge_metric_is_skipped_with_the_reason():
    assert judge_from_settings(Settings()) is None
    scores = run_judges(None, [_case("warm", "tone", "Hello")])
    assert all(s.score is None and s.skipped_reason == NO_JUDGE for s in scores)


def test_a_judge_that_answers_garbage_fails_the_case_instead_of_passing_it():
    settings = Settings(
        judge_provider="openai",
        judge_base_url="http://judge.test/v1",
        judge_api_key="k",
        judge_model="judge-model",
    )
    garbage = httpx.MockTransport(
        lambda r: httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": "I cannot do that"},
                    }
                ],
            },
        )
    )
    judge = judge_from_settings(settings, http_client=httpx.Client(transport=garbage))
    empathy = next(
        s for s in run_judges(judge, [_case("warm", "tone", "Hi")]) if s.name == "empathy"
    )
    assert empathy.score == 0.0 and "judge error" in empathy.failures[0]
