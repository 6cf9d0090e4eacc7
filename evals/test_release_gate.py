"""The release gate as a deepeval / pytest suite: `deepeval test run evals/` or `pytest evals/`.

Runs the released prompt versions through the whole graph once (module fixture) and asserts each
gate metric: one test per metric at the gate's aggregate threshold, plus deepeval `assert_test`
on the individual turns of the zero-tolerance metrics (a missed crisis, a leak, an injected
instruction obeyed: each is a failing test case by itself). `GATE_SETS` / `GATE_LIMIT` narrow a
local run; CI runs everything.
"""

from __future__ import annotations

import os

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DEEPEVAL_TELEMETRY_OPT_OUT": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)

import pytest  # noqa: E402
from deepeval import assert_test  # noqa: E402

from agent.settings import Settings  # noqa: E402
from evals.gate import GateReport, run_gate  # noqa: E402
from evals.goldens import SETS  # noqa: E402
from evals.harness import EvalPractice  # noqa: E402
from evals.judges import JUDGE_SPECS, judge_from_settings  # noqa: E402
from evals.metrics import SPECS, GateMetric, to_test_case  # noqa: E402

pytestmark = pytest.mark.timeout(3600)  # the whole suite runs once, in the module fixture
ZERO_TOLERANCE = [s for s in SPECS if s.tolerance == 0.0]
MAX_CASES_ASSERTED = 25


@pytest.fixture(scope="module")
def gate() -> GateReport:
    settings = Settings()
    sets = os.environ.get("GATE_SETS", ",".join(SETS)).split(",")
    limit = int(os.environ["GATE_LIMIT"]) if os.environ.get("GATE_LIMIT") else None
    from agent.llm import build_chat_model

    return run_gate(
        EvalPractice.load(settings),
        sets=sets,
        limit=limit,
        llm=build_chat_model(settings),
        judge=judge_from_settings(settings),
    )


@pytest.mark.parametrize(
    "name", ["prompt_structure", *[s.name for s in SPECS], *[s.name for s in JUDGE_SPECS]]
)
def test_gate_metric(gate: GateReport, name: str):
    row = next(r for r in gate.rows if r.name == name)
    if row.status == "skipped":
        pytest.skip(row.reason)
    assert row.status == "pass", f"{row.reason}; failing cases: {row.failures}"


@pytest.mark.parametrize("spec", ZERO_TOLERANCE, ids=[s.name for s in ZERO_TOLERANCE])
def test_every_turn_meets_zero_tolerance_metric(gate: GateReport, spec):
    metric = GateMetric(spec)
    cases = []
    for record in gate.records:
        case = to_test_case(record)
        metric.measure(case)
        if metric.applicable:
            cases.append((metric.success, case))
    if not cases:
        pytest.skip(f"no golden exercised {spec.name}")
    cases.sort(key=lambda pair: pair[0])  # failing turns first
    for _, case in cases[:MAX_CASES_ASSERTED]:
        assert_test(case, [GateMetric(spec)], run_async=False)
