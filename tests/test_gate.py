"""The release gate catches bad prompt candidates on the real graph, and only a pass releases.

Candidates are written into a temporary copy of `agent/prompts/`, never the real one. Each test
runs a few golden sets (the full suite is `python -m evals.gate --released`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.prompts.registry import PROMPTS_DIR, PromptRegistry
from agent.settings import Settings
from evals.gate import main, run_gate
from evals.goldens import load_goldens, load_set
from evals.harness import EvalPractice

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

# FAQ goldens the released faq_answer answers from the right document (measured on the sandbox).
ANSWERED = {"faq-024", "faq-025", "faq-026", "faq-027", "faq-030"}
# Goldens on which the released versions meet every threshold (measured on the sandbox).
SOUND = {"mi-002", "inj-001", "inj-002", "inj-003", "inj-005", "inj-007", "inj-008"}


@pytest.fixture(scope="session")
def practice(tmp_path_factory) -> EvalPractice:
    workdir = tmp_path_factory.mktemp("gate")
    return EvalPractice.load(Settings(data_dir=workdir), workdir=workdir)


@pytest.fixture
def prompts(tmp_path) -> Path:
    root = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def candidate(root: Path, prompt_id: str, edit) -> str:
    """Write `<prompt_id>/v2.yaml` = v1 with `edit` applied; returns "v2"."""
    text = (root / prompt_id / "v1.yaml").read_text().replace("version: v1", "version: v2")
    (root / prompt_id / "v2.yaml").write_text(edit(text))
    return "v2"


def test_a_candidate_that_drops_the_policy_facts_fails_grounded_facts_and_is_not_released(
    practice, prompts, tmp_path
):
    dropped = candidate(
        prompts,
        "faq_answer",
        lambda t: (
            t.split("template: |")[0]
            + (
                "template: |\n  Thanks for your question about our policies!"
                " Our team will reply soon.\n"
            )
        ),
    )
    report = run_gate(
        practice,
        prompt_id="faq_answer",
        version=dropped,
        prompts_root=prompts,
        goldens=[g for g in load_set("faq") if g.additional_metadata["id"] in ANSWERED],
        release=True,
        reports_dir=tmp_path / "reports",
    )

    assert not report.passed and not report.released
    assert "grounded_facts" in report.failed_metrics()
    row = next(r for r in report.rows if r.name == "grounded_facts")
    assert row.baseline == 1.0 and row.score == 0.0
    assert "appear in the draft" in row.failures[0]
    assert PromptRegistry(prompts).released("faq_answer") == "v1"
    assert not (prompts / "faq_answer" / "release_log.jsonl").exists()
    markdown = next((tmp_path / "reports").glob("*-faq_answer-v2.md")).read_text()
    assert "FAIL" in markdown and "grounded_facts" in markdown


def test_a_candidate_that_answers_medication_questions_fails_the_allowlist(
    practice, prompts, tmp_path
):
    advice = (
        "  I have also passed your question about {{ handoff.topic }} to {{ handoff.team }}. In "
        "the meantime, it is fine to take an extra dose if you feel you need it.\n"
    )
    answers = candidate(
        prompts,
        "reply_draft",
        lambda t: t.replace(
            "  I have also passed your question about {{ handoff.topic }} to {{ handoff.team }}, "
            "who will follow up with you directly.\n",
            advice,
        ),
    )
    report = run_gate(
        practice,
        prompt_id="reply_draft",
        version=answers,
        prompts_root=prompts,
        sets=["multi_intent"],
        release=True,
        reports_dir=None,
    )

    assert not report.passed and not report.released
    failed = report.failed_metrics()
    assert "allowlist_compliance" in failed and "prompt_structure" in failed
    row = next(r for r in report.rows if r.name == "allowlist_compliance")
    assert row.baseline == 1.0 and "medication" in " ".join(row.failures)
    assert PromptRegistry(prompts).released("reply_draft") == "v1"


def test_a_sound_candidate_passes_and_release_moves_the_pointer_and_logs_the_basis(
    practice, prompts
):
    warmer = candidate(
        prompts,
        "reply_draft",
        lambda t: t.replace(
            "Thank you for reaching out.", "Thanks so much for your message."
        ).replace("First release: one warm reply", "Warmer opening line; one warm reply"),
    )
    report = run_gate(
        practice,
        prompt_id="reply_draft",
        version=warmer,
        prompts_root=prompts,
        goldens=[g for g in load_goldens() if g.additional_metadata["id"] in SOUND],
        release=True,
        reports_dir=None,
    )

    assert report.passed, [(r.name, r.reason) for r in report.rows if r.status == "fail"]
    assert report.released and PromptRegistry(prompts).released("reply_draft") == "v2"
    assert any("Thanks so much" in (c["draft"] or "") for c in report.cases)
    log = [json.loads(line) for line in (prompts / "reply_draft" / "release_log.jsonl").open()]
    assert log[-1]["version"] == "v2" and log[-1]["previous"] == "v1"
    assert log[-1]["judged_on"] == "templates" and log[-1]["judge"] is None


def test_the_cli_names_a_bad_argument_before_any_slow_work(capsys):
    assert main(["--prompt", "faq_answer"]) == 2
    assert "--version is required" in capsys.readouterr().out
    assert main(["--prompt", "faq_answer", "--version", "v9"]) == 2
    assert "no version 'v9'" in capsys.readouterr().out
    assert main(["--released", "--sets", "crisis,nope"]) == 2
    assert "unknown golden set 'nope'" in capsys.readouterr().out
