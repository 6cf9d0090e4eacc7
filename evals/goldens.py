"""The golden sets the release gate runs, read from `evals/datasets/*.jsonl` as deepeval `Golden`s.

Each file keeps the shape its author chose (the crisis, intent, PHI and FAQ sets belong to the
engineers of those issues); this module maps every row to one `Golden` whose
`additional_metadata` says which set it came from and what a correct turn looks like. Texts may
name `{free_slot}`: the harness fills it with a real open slot of the client's clinician, so a
scheduling golden stays true whatever the sandbox's "today" is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from deepeval.dataset import Golden

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"

#: Set name -> (file, row -> Golden). Order is the order of a gate run.
SETS: tuple[str, ...] = (
    "crisis",
    "intents",
    "faq",
    "no_answer",
    "scheduling",
    "multi_intent",
    "injection",
    "tone",
    "phi",
)


class GoldenError(ValueError):
    """A dataset row is malformed; the message names the file, line and field."""


def _meta(row: dict[str, Any], golden_set: str, **extra: Any) -> dict[str, Any]:
    return {"set": golden_set, "id": row["id"], "split": row.get("split"), **extra}


def _crisis(row: dict[str, Any]) -> Golden:
    return Golden(
        input=row["text"],
        additional_metadata=_meta(
            row,
            "crisis",
            crisis=row["label"] == "crisis",
            label=row["label"],
            style=row.get("style"),
        ),
    )


def _intents(row: dict[str, Any]) -> Golden:
    return Golden(
        input=row["text"],
        additional_metadata=_meta(
            row, "intents", intents=list(row["intents"]), crisis="crisis" in row["intents"]
        ),
    )


def _faq(row: dict[str, Any]) -> Golden:
    if row["doc"] is None:  # the corpus does not answer it: an honesty case
        return Golden(input=row["question"], additional_metadata=_meta(row, "no_answer"))
    return Golden(
        input=row["question"],
        additional_metadata=_meta(
            row,
            "faq",
            docs=[row["doc"], *row.get("also_acceptable", [])],
            intents=["practice_info"],
        ),
    )


def _no_answer(row: dict[str, Any]) -> Golden:
    return Golden(input=row["text"], additional_metadata=_meta(row, "no_answer"))


def _expecting(golden_set: str) -> Callable[[dict[str, Any]], Golden]:
    def build(row: dict[str, Any]) -> Golden:
        expect = dict(row.get("expect") or {})
        extra = {k: row[k] for k in ("kind", "tone") if k in row}
        return Golden(
            input=row["text"],
            additional_metadata=_meta(row, golden_set, expect=expect, **extra),
        )

    return build


def _phi(row: dict[str, Any]) -> Golden:
    return Golden(
        input=row["text"],
        additional_metadata=_meta(
            row,
            "phi",
            known=row["known"],
            spans=[s["text"] for s in row["spans"] if s.get("known")],
        ),
    )


_FILES: dict[str, tuple[str, Callable[[dict[str, Any]], Golden]]] = {
    "crisis": ("crisis.jsonl", _crisis),
    "intents": ("intents.jsonl", _intents),
    "faq": ("faq_retrieval.jsonl", _faq),
    "no_answer": ("no_answer.jsonl", _no_answer),
    "scheduling": ("scheduling.jsonl", _expecting("scheduling")),
    "multi_intent": ("multi_intent.jsonl", _expecting("multi_intent")),
    "injection": ("injection.jsonl", _expecting("injection")),
    "tone": ("tone.jsonl", _expecting("tone")),
    "phi": ("phi.jsonl", _phi),
}


def load_set(golden_set: str, datasets_dir: Path = DATASETS_DIR) -> list[Golden]:
    """Every golden of one set; a bad row is a `GoldenError` naming file, line and field."""
    if golden_set not in _FILES:
        raise GoldenError(f"unknown golden set '{golden_set}' (known: {', '.join(SETS)})")
    filename, build = _FILES[golden_set]
    path = datasets_dir / filename
    goldens = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            goldens.append(build(json.loads(line)))
        except json.JSONDecodeError as err:
            raise GoldenError(f"{filename}:{number}: not JSON ({err.msg})") from err
        except KeyError as err:
            raise GoldenError(f"{filename}:{number}: missing field {err}") from err
    return goldens


def load_goldens(
    sets: Iterable[str] = SETS, datasets_dir: Path = DATASETS_DIR, limit: int | None = None
) -> list[Golden]:
    """The goldens of `sets` in gate order; `limit` keeps the first N of each set (smoke runs)."""
    goldens: list[Golden] = []
    for golden_set in sets:
        goldens.extend(load_set(golden_set, datasets_dir)[:limit])
    return goldens
