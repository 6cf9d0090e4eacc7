"""The word layer's rule filter may skip only rules that cannot match: it never changes a hit."""

import json
import re
from pathlib import Path

import pytest

from agent.safety import crisis_lexicon, rule_triggers

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(?:kill|end|take) (?:my )?life\b", {"kil", "end", "tak"}),
        (r"\b(?:just )?(?:die|dying)\b", {"jus", "die", "dyi"}),  # an optional start: both
        (r"\b(?:|a)b\w+", {"ab", "b"}),  # so is an empty alternative
        (r"\bkms+\b|\bk\.m\.s\b|\bctb\b", {"kms", "k", "ctb"}),  # letters stop at a dot
        (r"\b[sS]ui\w*", {"s", "S"}),
        (r"\bno (?i:PILLS)", {"no"}),
    ],
)
def test_triggers_are_the_possible_first_letters(pattern, expected):
    assert rule_triggers.triggers(re.compile(pattern)) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"kill",  # no word boundary: it may start inside a word ("skill")
        r"^\W*help",  # anchored to the start of the text
        r"\b\w+ing pills",  # starts with any word
        r"\b(?:a|b)?",  # can match nothing at all
        r"(?i)\bkill",  # case-folded
        r"(?a)\bkill",  # ASCII word boundaries: "ékill" has one before the k
        r"\b(?=kill)\w+",  # a lookahead
    ],
)
def test_unprovable_starts_always_run(pattern):
    compiled = re.compile(pattern)
    assert rule_triggers.triggers(compiled) is None

    class Rule:
        pass

    rule = Rule()
    rule.pattern = compiled
    assert rule_triggers.RuleIndex([rule]).candidates("nothing alike here") == [rule]


def test_a_rule_runs_only_where_its_word_begins():
    class Rule:
        def __init__(self, pattern):
            self.pattern = re.compile(pattern)

    kill, pills = Rule(r"\bkill(?:ing)? myself\b"), Rule(r"\b(?:the|our) pills\b")
    index = rule_triggers.RuleIndex([kill, pills])
    assert index.candidates("our skills are rusty") == [pills]  # "skills" does not begin with kil
    assert index.candidates("thinking about killing myself") == [kill]
    assert index.candidates("killed it at the gym, took our pills") == [kill, pills]


def _segments() -> list[str]:
    """Every crisis dataset message as the word layer sees it: folded and idiom-masked, plus the
    spelling-corrected copy it also screens."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATASETS.glob("crisis*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    segments = []
    for text in texts:
        folded = crisis_lexicon.normalise(text)
        segments.append(crisis_lexicon.mask_idioms(folded.text))
        fixed = crisis_lexicon.corrected(folded)
        if fixed is not None:
            segments.append(crisis_lexicon.mask_idioms(fixed.text))
    return segments


def test_the_filter_never_drops_a_rule_that_matches_a_dataset_message():
    index = rule_triggers.RuleIndex(crisis_lexicon.RULES)
    segments = _segments()
    assert len(segments) > 1000
    skipped_a_match = [
        (segment[:60], rule.pattern.pattern[:60])
        for segment in segments
        for rule in set(crisis_lexicon.RULES) - set(index.candidates(segment))
        if rule.pattern.search(segment)
    ]
    assert skipped_a_match == []
    ran = sum(len(index.candidates(segment)) for segment in segments) / len(segments)
    assert ran < len(crisis_lexicon.RULES) / 2  # and it does skip most rules
