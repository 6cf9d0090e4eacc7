"""The release gate: `python -m evals.gate --prompt PROMPT_ID --version V [--release]`.

Runs the goldens through the whole graph twice, with the released versions (the baseline) and
with the candidate pinned, scores every deterministic metric (and the judge metrics when a judge
is configured), prints the table, writes `evals/reports/<stamp>-<prompt>-<version>.{json,md}`,
and exits 1 on any threshold miss or regression beyond tolerance. Only `--release` on a pass
moves the RELEASED pointer, and the release is logged with what it was judged on (template
drafts, or LLM drafts when a model is configured). `--released` gates the released versions
themselves (CI / `make test`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from deepeval.dataset import Golden
from pydantic import BaseModel, PrivateAttr
from rich.console import Console
from rich.table import Table

from agent.prompts.registry import PROMPTS_DIR, PromptError, PromptRegistry
from agent.settings import Settings
from evals.goldens import SETS, GoldenError, load_goldens
from evals.harness import CaseRecord, EvalPractice
from evals.judges import judge_from_settings, run_judges
from evals.metrics import SPECS, GateMetric, MetricSpec, to_test_case
from evals.structure import check_prompt

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
RELEASE_LOG = "release_log.jsonl"
MAX_LISTED_FAILURES = 8
JUDGED_ON = {"templates": "template drafts", "llm": "LLM drafts"}


class MetricRow(BaseModel):
    name: str
    description: str
    kind: Literal["deterministic", "judge", "structure"]
    comparison: Literal[">=", "<="]
    threshold: float
    score: float | None
    baseline: float | None
    cases: int
    status: Literal["pass", "fail", "skipped"]
    reason: str | None = None
    failures: list[str] = []


class GateReport(BaseModel):
    prompt_id: str | None
    version: str | None
    released_version: str | None
    prompt_versions: dict[str, str]
    judged_on: Literal["templates", "llm"]
    judge: str | None
    goldens: int
    passed: bool
    released: bool = False
    duration_s: float
    created_at: datetime
    rows: list[MetricRow]
    cases: list[dict[str, Any]] = []
    _records: list[CaseRecord] = PrivateAttr(default_factory=list)  # incl. model requests

    @property
    def records(self) -> list[CaseRecord]:
        """This run's turns in full (what left for the model too); not written to reports."""
        return self._records

    def failed_metrics(self) -> list[str]:
        return [row.name for row in self.rows if row.status == "fail"]


def aggregate(
    spec: MetricSpec, records: Sequence[CaseRecord]
) -> tuple[float | None, int, list[str]]:
    """(mean score over applicable cases, cases, failing cases with reasons)."""
    metric = GateMetric(spec)
    scores, failures = [], []
    for record in records:
        metric.measure(to_test_case(record))
        if not metric.applicable:
            continue
        scores.append(metric.score)
        if not metric.success:
            failures.append(f"{record.golden_set}:{record.golden_id}: {metric.reason}")
    return (sum(scores) / len(scores) if scores else None), len(scores), failures


def _deterministic_rows(
    candidate: Sequence[CaseRecord], baseline: Sequence[CaseRecord] | None
) -> list[MetricRow]:
    rows = []
    for spec in SPECS:
        score, cases, failures = aggregate(spec, candidate)
        base = aggregate(spec, baseline)[0] if baseline is not None else score
        comparison = ">=" if spec.direction == "at_least" else "<="
        if score is None:
            status, reasons = "skipped", ["no golden exercised this metric"]
        else:
            reasons = []
            if not spec.meets(score):
                reasons.append(
                    f"score {score:.3f} misses threshold {comparison} {spec.threshold:g}")
            if base is not None and spec.regressed(score, base):
                reasons.append(f"regressed from {base:.3f} (tolerance {spec.tolerance:g})")
            status = "fail" if reasons else "pass"
        rows.append(
            MetricRow(
                name=spec.name,
                description=spec.description,
                kind="deterministic",
                comparison=comparison,
                threshold=spec.threshold,
                score=score,
                baseline=base,
                cases=cases,
                status=status,
                reason="; ".join(reasons) or None,
                failures=failures[:MAX_LISTED_FAILURES],
            )
        )
    return rows


def _structure_row(registry: PromptRegistry, versions: dict[str, str]) -> MetricRow:
    findings = [
        f"{prompt_id}@{version}: {finding}"
        for prompt_id, version in sorted(versions.items())
        for finding in check_prompt(registry, prompt_id, version)
    ]
    checked = len(versions)
    clean = checked - len({f.split(":", 1)[0] for f in findings})
    return MetricRow(
        name="prompt_structure",
        kind="structure",
        comparison=">=",
        threshold=1.0,
        description="declared variables, renders, safety rules kept, no forbidden instruction",
        score=clean / checked if checked else None,
        baseline=None,
        cases=checked,
        status="fail" if findings else "pass",
        reason=findings[0] if findings else None,
        failures=findings[:MAX_LISTED_FAILURES],
    )


def _judge_rows(judge: Any, candidate: Sequence[CaseRecord]) -> list[MetricRow]:
    cases = [to_test_case(r) for r in candidate]
    rows = []
    for result in run_judges(judge, cases):
        if result.score is None:
            status, reason = "skipped", result.skipped_reason
        elif result.score < result.threshold:
            status, reason = "fail", f"score {result.score:.3f} misses threshold"
        else:
            status, reason = "pass", None
        rows.append(
            MetricRow(
                name=result.name,
                description=result.description,
                kind="judge",
                comparison=">=",
                threshold=result.threshold,
                score=result.score,
                baseline=None,
                cases=result.cases,
                status=status,
                reason=reason,
                failures=result.failures[:MAX_LISTED_FAILURES],
            )
        )
    return rows


def run_gate(
    practice: EvalPractice,
    *,
    prompt_id: str | None = None,
    version: str | None = None,
    prompts_root: Path = PROMPTS_DIR,
    sets: Sequence[str] = SETS,
    limit: int | None = None,
    goldens: list[Golden] | None = None,
    llm: Any = None,
    judge: Any = None,
    release: bool = False,
    reports_dir: Path | None = REPORTS_DIR,
) -> GateReport:
    """Gate one candidate (or, with no prompt_id, the released versions) and maybe release it.

    `goldens` replaces `sets` / `limit` with an explicit list (tests, a focused look).
    """
    started = time.perf_counter()
    released = PromptRegistry(prompts_root)
    released_version = released.released(prompt_id) if prompt_id else None
    candidate = released.with_overrides({prompt_id: version}) if prompt_id and version else released
    versions = {p: candidate.version_for(p) for p in candidate.prompt_ids()}
    goldens = goldens if goldens is not None else load_goldens(sets, limit=limit)

    baseline_records = None
    if prompt_id and version != released_version:
        baseline_records = practice.run(goldens, released, llm)
    records = practice.run(goldens, candidate, llm, reuse=baseline_records)

    rows = [
        _structure_row(candidate, versions),
        *_deterministic_rows(records, baseline_records),
        *_judge_rows(judge, records),
    ]
    report = GateReport(
        prompt_id=prompt_id,
        version=version,
        released_version=released_version,
        prompt_versions=versions,
        judged_on="llm" if llm is not None else "templates",
        judge=judge.get_model_name() if judge is not None else None,
        goldens=len(goldens),
        passed=not any(row.status == "fail" for row in rows),
        duration_s=round(time.perf_counter() - started, 1),
        created_at=datetime.now(UTC),
        rows=rows,
        cases=[r.to_json() for r in records],
    )
    report._records = list(records)
    if release and prompt_id and version and report.passed:
        released.release(prompt_id, version)
        _log_release(prompts_root, report)
        report.released = True
    if reports_dir is not None:
        write_reports(report, reports_dir)
    return report


def _log_release(prompts_root: Path, report: GateReport) -> None:
    entry = {
        "version": report.version,
        "previous": report.released_version,
        "judged_on": report.judged_on,
        "judge": report.judge,
        "released_at": report.created_at.isoformat(),
        "scores": {row.name: row.score for row in report.rows},
    }
    with open(prompts_root / str(report.prompt_id) / RELEASE_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


# --- output -----------------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_table(report: GateReport) -> Table:
    subject = (
        f"{report.prompt_id}@{report.version} (released: {report.released_version})"
        if report.prompt_id
        else "released versions"
    )
    table = Table(title=f"Release gate: {subject} — judged on {JUDGED_ON[report.judged_on]}")
    for column in ("metric", "threshold", "score", "baseline", "cases", "result"):
        table.add_column(column, justify="left" if column in ("metric", "result") else "right")
    style = {"pass": "green", "fail": "bold red", "skipped": "yellow"}
    for row in report.rows:
        result = row.status.upper() + (f": {row.reason}" if row.reason else "")
        table.add_row(
            row.name,
            f"{row.comparison} {row.threshold:g}",
            _fmt(row.score),
            _fmt(row.baseline),
            str(row.cases),
            f"[{style[row.status]}]{result}[/]",
        )
    return table


def markdown(report: GateReport) -> str:
    lines = [
        f"# Release gate — {'PASS' if report.passed else 'FAIL'}",
        "",
        f"- Candidate: `{report.prompt_id}@{report.version}`"
        if report.prompt_id
        else "- Candidate: the released versions",
        f"- Released version before this run: `{report.released_version or 'as listed'}`",
        f"- Prompt versions: {', '.join(f'`{k}@{v}`' for k, v in report.prompt_versions.items())}",
        f"- Judged on: {JUDGED_ON[report.judged_on]}; judge model: {report.judge or 'none'}",
        f"- Goldens: {report.goldens}; duration: {report.duration_s} s",
        f"- Released by this run: {report.released}",
        "",
        "| metric | threshold | score | baseline | cases | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        reason = f" — {row.reason}" if row.reason else ""
        lines.append(
            f"| {row.name} | {row.comparison} {row.threshold:g} | {_fmt(row.score)} | "
            f"{_fmt(row.baseline)} | {row.cases} | {row.status}{reason} |"
        )
    failing = [row for row in report.rows if row.failures]
    if failing:
        lines += ["", "## Failing cases", ""]
        for row in failing:
            lines += [f"### {row.name}", "", *[f"- {f}" for f in row.failures], ""]
    return "\n".join(lines) + "\n"


def write_reports(report: GateReport, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = report.created_at.strftime("%Y%m%dT%H%M%SZ")
    name = (
        f"{stamp}-{report.prompt_id}-{report.version}" if report.prompt_id else f"{stamp}-released"
    )
    (reports_dir / f"{name}.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
    (reports_dir / f"{name}.md").write_text(markdown(report), encoding="utf-8")
    return reports_dir / f"{name}.md"


# --- CLI --------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals.gate", description=__doc__.split("\n")[0]
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--prompt", help="prompt id of the candidate, e.g. faq_answer")
    target.add_argument("--released", action="store_true", help="gate the released versions")
    parser.add_argument("--version", help="candidate version, e.g. v2 (with --prompt)")
    parser.add_argument("--release", action="store_true", help="move RELEASED on a pass")
    parser.add_argument("--prompts-dir", type=Path, default=PROMPTS_DIR)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated golden sets")
    parser.add_argument("--limit", type=int, help="first N goldens of each set (smoke runs)")
    parser.add_argument("--reports-dir", type=Path, default=REPORTS_DIR)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=False)
    if args.prompt and not args.version:
        console.print("error: --version is required with --prompt (e.g. --version v2)")
        return 2
    if args.release and not args.prompt:
        console.print("error: --release needs --prompt and --version")
        return 2
    settings = Settings()
    try:
        registry = PromptRegistry(args.prompts_dir)
        if args.prompt:
            registry.with_overrides({args.prompt: args.version})
        from agent.llm import build_chat_model

        llm = build_chat_model(settings)
        judge = judge_from_settings(settings)
        sets = [s.strip() for s in args.sets.split(",") if s.strip()]
        load_goldens(sets, limit=1)  # bad set names or rows fail before the slow part
    except (PromptError, GoldenError, ValueError) as err:
        console.print(f"error: {err}")
        return 2
    practice = EvalPractice.load(settings)
    report = run_gate(
        practice,
        prompt_id=args.prompt,
        version=args.version,
        prompts_root=args.prompts_dir,
        sets=sets,
        limit=args.limit,
        llm=llm,
        judge=judge,
        release=args.release,
        reports_dir=args.reports_dir,
    )
    console.print(render_table(report))
    verdict = "PASS" if report.passed else f"FAIL ({', '.join(report.failed_metrics())})"
    moved = "; RELEASED pointer moved" if report.released else "; RELEASED pointer unchanged"
    console.print(f"{verdict} in {report.duration_s} s{moved}. Reports in {args.reports_dir}/")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
