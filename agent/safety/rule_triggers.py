"""Which word-layer rules can possibly match a text, decided from the text's words in one pass.

Why: the word layer runs some 400 rule patterns over every message, and Python's regex engine
tries each one at every position of the text (a pattern that begins with `\\b` gets none of the
engine's first-character skipping). Nearly every rule begins with a word boundary and a choice
of literal words ("\\b(?:kill|end|take) ..."), so it can only match where a word with one of
those beginnings starts. Each pattern's possible first letters (its "triggers", prefixes of up
to `PREFIX` characters) are read once from its parsed form; for a text, the prefixes of its
words are collected once, and only rules whose triggers meet them are run.

The filter may only skip a rule that provably cannot match: a pattern whose start it cannot
prove (a class like `\\w`, a start-of-text anchor, a lookahead, case folding, ASCII-only word
boundaries, anything unusual) has no triggers and always runs. So it never changes what the
screen finds; `tests/test_rule_triggers.py` checks that on every message of the crisis datasets.
"""

from __future__ import annotations

import re
import re._constants as sre  # noqa: PLC2701 - the parsed form is the only exact source of a pattern's start
import re._parser as sre_parse  # noqa: PLC2701
from collections.abc import Sequence
from typing import Protocol

PREFIX = 3  # letters per trigger: enough to tell "kil" from "kin", few enough to stay exact
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
# Case folding matches letters the literal does not show; ASCII-only `\b` can fall inside a word.
_UNPROVABLE_FLAGS = re.IGNORECASE | re.ASCII


class _Rule(Protocol):
    pattern: re.Pattern[str]


class _Unprovable(Exception):
    """The start of a (sub)pattern cannot be proven: its rule always runs."""


def triggers(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The word beginnings every match of `pattern` starts with, or None when unprovable."""
    if pattern.flags & _UNPROVABLE_FLAGS:
        return None
    try:
        return frozenset(_starts(list(sre_parse.parse(pattern.pattern, pattern.flags)), False))
    except (_Unprovable, re.error, RecursionError):
        return None


def _starts(path: list, at_boundary: bool, letters: str = "") -> set[str]:
    """Possible first letters of a match of the token sequence `path` (`letters`: those read so
    far). Only a path that passed a word boundary before its first letter counts. Groups,
    alternatives and optional parts are followed into what comes after them, so an alternative
    or a repeat that can match nothing is looked through, never guessed; once a word has begun,
    anything else simply ends its letters (a shorter beginning is still a true one)."""
    if len(letters) == PREFIX or (letters and not path):
        return {letters}
    if not path:
        raise _Unprovable  # the match can end here: nothing is known about where it starts
    (op, av), rest = path[0], path[1:]
    if op is sre.LITERAL and (at_boundary or letters) and _WORD_CHAR.match(chr(av)):
        return _starts(rest, at_boundary, letters + chr(av))
    if op is sre.SUBPATTERN and not av[1] & _UNPROVABLE_FLAGS:
        return _starts(list(av[-1]) + rest, at_boundary, letters)
    if op is sre.BRANCH:
        options = (list(option) + rest for option in av[1])
        return set().union(*(_starts(option, at_boundary, letters) for option in options))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, _high, body = av
        found = _starts(list(body) + rest, at_boundary, letters)
        return found | _starts(rest, at_boundary, letters) if low == 0 else found
    if letters:
        return {letters}
    if op is sre.AT and av is sre.AT_BOUNDARY:
        return _starts(rest, True)
    if op is sre.IN and at_boundary:
        chars = [chr(value) for kind, value in av if kind is sre.LITERAL]
        if len(chars) == len(av) and all(_WORD_CHAR.match(c) for c in chars):
            return set(chars)
    raise _Unprovable


def word_beginnings(text: str) -> set[str]:
    """Every 1..PREFIX-letter beginning of every word of `text`."""
    return {word[:size] for word in _WORD.findall(text) for size in range(1, PREFIX + 1)}


class RuleIndex:
    """The rules of one list by the word beginnings that can start them (built once)."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.rules = list(rules)
        self.always: list[int] = []
        self.by_beginning: dict[str, list[int]] = {}
        for position, rule in enumerate(self.rules):
            needed = triggers(rule.pattern)
            if needed is None:
                self.always.append(position)
            for beginning in needed or ():
                self.by_beginning.setdefault(beginning, []).append(position)

    def candidates(self, text: str) -> list[_Rule]:
        """The rules that could match `text`, in their original order."""
        positions = set(self.always)
        for beginning in word_beginnings(text):
            positions.update(self.by_beginning.get(beginning, ()))
        return [self.rules[position] for position in sorted(positions)]
