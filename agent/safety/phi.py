"""PHI pseudonymization: identifiers out before text reaches an LLM, back in after, locally.

Known identifiers come from the client's record and are matched exhaustively (every spelling of the
date of birth, every formatting of the phone); unknown ones (third parties, other phones, emails,
URLs, SSNs, addresses, ids) come from the Presidio recognizers in `agent.safety.recognizers`.
One `Pseudonymizer` serves one graph turn, so the same person keeps the same placeholder across the
message, the client context and the retrieved passages. Anything unexpected raises `PHIError`: the
caller then makes no LLM call (template draft or staff handoff); raw text never goes out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from agent.safety.recognizers import ENTITIES, analyzer, common_word_names

if TYPE_CHECKING:
    from tools.ehr.models import Client, ClientIdentifiers

log = logging.getLogger(__name__)

#: Presidio scores below this are ignored (the recognizers' weakest patterns score 0.6).
MIN_SCORE = 0.5
#: Longer texts are refused (PHIError: no LLM call) rather than scanned for seconds; a portal
#: message, a client context or a few retrieved passages are far below it.
MAX_TEXT_CHARS = 20_000


class PHIError(Exception):
    """Pseudonymization could not guarantee PHI-free text: make no LLM call with this text."""


class KnownIdentifiers(BaseModel):
    """What identifies this client in their own record. Every field is optional."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    other_names: list[str] = Field(default_factory=list, description="Aliases, former names.")
    guardian_names: list[str] = Field(default_factory=list)
    date_of_birth: date | None = None
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    address_parts: list[str] = Field(
        default_factory=list, description="Street line, city, ZIP: each matched on its own."
    )
    record_id: str | None = None
    insurance_member_ids: list[str] = Field(default_factory=list)

    @classmethod
    def from_client(cls, client: Client | ClientIdentifiers) -> KnownIdentifiers:
        """From `tools.ehr.models.Client` (full record) or `ClientIdentifiers` (the EHR's view)."""
        if hasattr(client, "given_name"):  # the full Client record
            guardian = client.guardian
            return cls(
                full_name=f"{client.given_name} {client.family_name}",
                first_name=client.given_name,
                last_name=client.family_name,
                preferred_name=client.preferred_name,
                guardian_names=[guardian.name] if guardian else [],
                date_of_birth=client.birth_date,
                phones=[p for p in (client.phone, guardian and guardian.phone) if p],
                emails=[e for e in (client.email, guardian and guardian.email) if e],
                address_parts=_address_parts(client.address),
                record_id=client.record_number,
                insurance_member_ids=[client.insurance_member_id]
                if client.insurance_member_id
                else [],
            )
        # ClientIdentifiers lists the full name first, then its parts, the preferred name and
        # (full view) the guardian's name: a second multi-word name is the guardian's, never
        # the client's, so a reply addressed to a guardian is never re-identified as the client.
        names = [n.strip() for n in client.names if n and n.strip()]
        full = names[0] if names and len(names[0].split()) > 1 else None
        parts = full.split() if full else []
        singles = [n for n in names[1:] if len(n.split()) == 1 and n not in parts]
        return cls(
            full_name=full,
            first_name=parts[0] if parts else None,
            last_name=parts[-1] if parts else None,
            preferred_name=singles[0] if singles else None,
            other_names=[n for n in names if not full and len(n.split()) == 1] + singles[1:],
            guardian_names=[n for n in names[1:] if len(n.split()) > 1],
            date_of_birth=client.birth_date,
            phones=list(client.phones),
            emails=list(client.emails),
            address_parts=[p for a in client.addresses for p in _address_parts(a)],
            record_id=client.record_numbers[0] if client.record_numbers else None,
            insurance_member_ids=[*client.insurance_ids, *client.record_numbers[1:]],
        )


class PHISpan(BaseModel):
    """One identifier found in a text: where, what kind, and whether the record named it."""

    start: int
    end: int
    entity: str
    known: bool
    placeholder_key: str


def _address_parts(address: str | None) -> list[str]:
    """'12 Oak St, Apt 3, Springfield, IL 62704' -> street, unit, city and ZIP, each matchable."""
    if not address:
        return []
    parts = [p.strip() for p in address.split(",") if p.strip()]
    found: list[str] = []
    for part in parts:
        state_zip = re.fullmatch(r"([A-Z]{2})\s+(\d{5}(?:-\d{4})?)", part)
        if state_zip:
            found.append(state_zip.group(2))  # the state alone is not identifying (Safe Harbor)
        elif len(part) > 2:
            found.append(part)
    return found


_STREET_WORDS = {
    "street": "st", "avenue": "ave", "road": "rd", "boulevard": "blvd", "lane": "ln",
    "drive": "dr", "court": "ct", "place": "pl", "apartment": "apt", "suite": "ste",
    "north": "n", "south": "s", "east": "e", "west": "w", "parkway": "pkwy", "highway": "hwy",
}  # fmt: skip
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip


def _word_pattern(word: str) -> str:
    """A word and its common abbreviation ('Street' / 'St.'), case-insensitive."""
    lower = word.lower().rstrip(".")
    for long, short in _STREET_WORDS.items():
        if lower in (long, short):
            return rf"(?:{long}|{short}\.?)"
    return re.escape(word)


def _phrase_pattern(phrase: str) -> str:
    return r"[\s,]+".join(_word_pattern(w) for w in phrase.split())


def _digits_pattern(digits: str) -> str:
    """Every formatting of a number: '5552013344' matches '(555) 201-3344', '555.201.3344'."""
    return r"(?<!\d)(?:\+?1[\s.\-]?)?\(?" + r"[\s().\-]{0,2}".join(digits) + r"(?!\d)"


def _id_pattern(identifier: str) -> str:
    chars = [re.escape(c) for c in re.sub(r"[\s\-]", "", identifier)]
    return r"(?<![A-Za-z0-9])" + r"[\s\-]?".join(chars) + r"(?![A-Za-z0-9])"


def _dob_pattern(dob: date) -> str:
    """Every spelling of the date of birth, with and without the year (Safe Harbor: all elements
    of a date but the year are identifiers)."""
    month = _MONTHS[dob.month - 1]
    m, d, y = dob.month, dob.day, dob.year
    september = r"|sept\.?" if m == 9 else ""
    month_word = rf"(?:{month}|{month[:3]}\.?{september})"
    day_word = rf"0?{d}(?:st|nd|rd|th)?"
    year = rf"(?:{y}|'?{y % 100:02d})"
    numeric_md = rf"0?{m}[/.\-]0?{d}"
    numeric_dm = rf"0?{d}[/.\-]0?{m}"
    return "|".join(
        [
            rf"(?<![\d/])(?:{numeric_md}|{numeric_dm})(?:[/.\-]{year})?(?![\d/])",
            rf"(?<!\d){y}[/.\-]0?{m}[/.\-]0?{d}(?!\d)",
            rf"\b{month_word}\s+{day_word}\b(?:,?\s+{year}\b)?",
            rf"\b{day_word}\s+(?:of\s+)?{month_word}\b(?:,?\s+{year}\b)?",
        ]
    )


class _KnownMatcher:
    """The record's identifiers compiled to regexes, each with its fixed placeholder."""

    def __init__(self, known: KnownIdentifiers) -> None:
        self.rules: list[tuple[re.Pattern[str], str, str, str]] = []  # pattern, key, entity, value
        first_value = known.preferred_name or known.first_name
        names: list[tuple[str | None, str, str | None]] = [
            (known.full_name, "CLIENT_NAME", known.full_name),
            *((n, "CLIENT_NAME", known.full_name or n) for n in known.other_names),
            (known.preferred_name, "CLIENT_FIRST_NAME", first_value),
            (known.first_name, "CLIENT_FIRST_NAME", first_value),
            (known.last_name, "CLIENT_LAST_NAME", known.last_name),
        ]
        if known.full_name and not known.first_name:
            parts = known.full_name.split()
            if len(parts) > 1:
                names += [(parts[0], "CLIENT_FIRST_NAME", first_value or parts[0]),
                          (parts[-1], "CLIENT_LAST_NAME", parts[-1])]
        for i, guardian in enumerate(known.guardian_names, start=1):
            key = f"GUARDIAN_{i}"
            names.append((guardian, key, guardian))
            if len(guardian.split()) > 1:
                names.append((guardian.split()[0], key, guardian))
        for name, key, value in names:
            if name and name.strip():
                self._add_name(name.strip(), key, value or name)
        for i, phone in enumerate(known.phones, start=1):
            digits = re.sub(r"\D", "", phone)
            if len(digits) in (8, 11) and digits.startswith("1"):
                digits = digits[1:]  # the country code is optional in the text
            digits = digits[-10:]
            if len(digits) >= 7:
                self._add(_digits_pattern(digits), f"CLIENT_PHONE_{i}", "PHONE", phone)
        for i, email in enumerate(known.emails, start=1):
            self._add(rf"(?i){re.escape(email.strip())}", f"CLIENT_EMAIL_{i}", "EMAIL", email)
        if known.date_of_birth:
            self._add(rf"(?i){_dob_pattern(known.date_of_birth)}", "CLIENT_DOB", "DATE",
                      known.date_of_birth.isoformat())
        for i, part in enumerate(known.address_parts, start=1):
            pattern = (
                _digits_pattern(part) if part.isdigit() else rf"(?i)\b{_phrase_pattern(part)}\b"
            )
            self._add(pattern, f"CLIENT_ADDRESS_{i}", "ADDRESS", part)
        if known.record_id:
            self._add(rf"(?i){_id_pattern(known.record_id)}", "CLIENT_RECORD_ID", "ID",
                      known.record_id)
        for i, member_id in enumerate(known.insurance_member_ids, start=1):
            self._add(rf"(?i){_id_pattern(member_id)}", f"CLIENT_INSURANCE_ID_{i}", "ID", member_id)

    def _add(self, pattern: str, key: str, entity: str, value: str) -> None:
        self.rules.append((re.compile(pattern), key, entity, value))

    def _add_name(self, name: str, key: str, value: str) -> None:
        words = name.split()
        body = r"\s+".join(re.escape(w) for w in words)
        word_name = len(words) == 1 and (name.lower() in common_word_names() or len(name) <= 2)
        if word_name:
            # "Hope" the client vs "I hope": capitalised anywhere, lower case only where a name
            # is plainly meant ("this is hope", "- hope", "love, hope").
            cased = rf"\b(?:{re.escape(name.capitalize())}|{re.escape(name.upper())})\b"
            low = re.escape(name.lower())
            lowered = (
                r"(?i:(?<=this is )|(?<=it's )|(?<=its )|(?<=it is )|(?<=im )|(?<=i'm )|(?<=- )"
                rf"|(?<=-)|(?<=love, )|(?<=thanks, )|(?<=from )){low}\b"
                rf"|\b{low}(?= here\b|,? (?:checking in|again|writing)\b)"
                rf"|\b{low}[\s.!]*$"
            )
            pattern = f"{cased}|{lowered}"
        else:
            pattern = rf"(?i)(?<![\w@.]){body}(?![\w@])"
        self.rules.append((re.compile(pattern), key, "PERSON", value))

    def find(self, text: str) -> list[PHISpan]:
        return [
            PHISpan(start=m.start(), end=m.end(), entity=entity, known=True, placeholder_key=key)
            for pattern, key, entity, _ in self.rules
            for m in pattern.finditer(text)
            if m.end() > m.start()
        ]


# How a model may echo a placeholder: '<PERSON_1>', '<person 1>', '[PERSON_1]', 'PERSON_1'.
_STEMS = "|".join(
    ["CLIENT_[A-Z]+(?:_[A-Z]+)*(?:_\\d+)?", "GUARDIAN_\\d+", *(f"{e}_\\d+" for e in ENTITIES)]
)
_ECHO = re.compile(
    rf"(?i)(?:<<?|\[|\{{\{{?)\s*(?P<b>[A-Z]+(?:[_\- ][A-Z0-9]+)+)\s*(?:>>?|\]|\}}\}}?)"
    rf"|(?<![\w<\[{{])(?P<u>{_STEMS.replace('_', '[_ -]')})(?![\w>\]}}])"
)


def _echoed_key(match: re.Match[str]) -> str | None:
    """The canonical `<KEY>` a model's echo stands for, or None when it is ordinary prose
    ("person 1", "[click here]")."""
    bracketed = match.group("b") is not None
    raw = match.group("b") if bracketed else match.group("u")
    key = re.sub(r"[\s\-]+", "_", raw.strip()).upper()
    if "_" in raw or raw.isupper() or (bracketed and re.fullmatch(_STEMS, key)):
        return f"<{key}>"
    return None


class Pseudonymizer:
    """Swaps one client's identifiers (and any other PHI found) for stable placeholders.

    `mapping` (placeholder -> original) stays in this object: never log or persist it.
    """

    def __init__(self, known: KnownIdentifiers) -> None:
        if not isinstance(known, KnownIdentifiers):
            raise PHIError("Pseudonymizer needs KnownIdentifiers")
        try:
            self._known = _KnownMatcher(known)
        except re.error as exc:
            raise PHIError(f"client identifiers could not be compiled: {exc.msg}") from exc
        self._mapping: dict[str, str] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}
        for _, key, _, value in self._known.rules:
            self._mapping.setdefault(f"<{key}>", value)

    @property
    def mapping(self) -> dict[str, str]:
        """Placeholder -> original text, for local re-identification only."""
        return dict(self._mapping)

    def detect(self, text: str) -> list[PHISpan]:
        """Every identifier span in `text`; of overlapping spans the longest wins, then the
        record's ("27 Summer Street" is an address even when the client is called Summer)."""
        spans = self._known.find(text)
        for result in analyzer().analyze(text, language="en"):
            if result.score >= MIN_SCORE:
                spans.append(
                    PHISpan(start=result.start, end=result.end, entity=result.entity_type,
                            known=False, placeholder_key="")
                )
        spans.sort(key=lambda s: (-(s.end - s.start), not s.known, s.start))
        taken = bytearray(len(text))
        chosen: list[PHISpan] = []
        for span in spans:
            if not any(taken[span.start : span.end]):
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
                chosen.append(span)
        return sorted(chosen, key=lambda s: s.start)

    def pseudonymize(self, text: str) -> str:
        """`text` with every identifier replaced; raises `PHIError` rather than leak."""
        if not isinstance(text, str):
            raise PHIError(f"expected text, got {type(text).__name__}")
        if len(text) > MAX_TEXT_CHARS:
            raise PHIError(f"text of {len(text)} characters exceeds {MAX_TEXT_CHARS}")
        try:
            spans = self.detect(text)
            pieces: list[str] = []
            cursor = 0
            for span in spans:
                pieces.append(text[cursor : span.start])
                pieces.append(self._placeholder(span, text[span.start : span.end]))
                cursor = span.end
            pieces.append(text[cursor:])
            result = "".join(pieces)
        except PHIError:
            raise
        except Exception as exc:  # fail closed: no partial text leaves this method
            log.warning("pseudonymization failed: %s", type(exc).__name__)
            raise PHIError(f"pseudonymization failed: {type(exc).__name__}") from exc
        leaked = [key for pattern, key, _, _ in self._known.rules if pattern.search(result)]
        if leaked:  # defence in depth: a known identifier survived replacement
            raise PHIError(f"known identifiers survived pseudonymization: {sorted(set(leaked))}")
        return result

    def pseudonymize_many(self, texts: Iterable[str]) -> list[str]:
        """Several texts of one turn with shared placeholders (message, context, passages)."""
        return [self.pseudonymize(t) for t in texts]

    def _placeholder(self, span: PHISpan, original: str) -> str:
        if span.known:
            return f"<{span.placeholder_key}>"
        normalised = (
            re.sub(r"\D", "", original)
            if span.entity in ("PHONE", "SSN", "CARD")
            else " ".join(original.lower().split())
        )
        existing = self._by_value.get((span.entity, normalised))
        if existing:
            return existing
        self._counters[span.entity] = self._counters.get(span.entity, 0) + 1
        placeholder = f"<{span.entity}_{self._counters[span.entity]}>"
        self._by_value[(span.entity, normalised)] = placeholder
        self._mapping[placeholder] = original
        return placeholder

    def reidentify(self, text: str) -> str:
        """Placeholders back to originals, tolerating case, spacing and missing brackets.

        A placeholder this instance never issued stays in the text in canonical `<KEY>` form, so
        the draft guard's `unfilled_placeholder` rule blocks the draft; see `unmapped()`.
        """
        if not isinstance(text, str):
            raise PHIError(f"expected text, got {type(text).__name__}")

        def swap(match: re.Match[str]) -> str:
            key = _echoed_key(match)
            if key is None:
                return match.group(0)
            return self._mapping.get(key, key)

        return _ECHO.sub(swap, text)

    def unmapped(self, text: str) -> list[str]:
        """Placeholders in `text` (echoed by a model) that this instance cannot map back."""
        keys = (_echoed_key(m) for m in _ECHO.finditer(text))
        return [key for key in keys if key is not None and key not in self._mapping]


def pattern_redactor() -> Callable[[str], str]:
    """Pseudonymization with no client record known (Presidio's recognizers only), for callers
    that send text to a model without a client in hand: the crisis screen's and the intent
    classifier's optional LLM opinions, and their CLIs. Raises PHIError like `pseudonymize`."""
    return Pseudonymizer(KnownIdentifiers()).pseudonymize


def client_redactor(ehr: Any, client_id: str) -> Callable[[str], str]:
    """The client's own pseudonymizer, built on first use (most turns never call a model).

    If the client's identifiers cannot be loaded, the redactor raises PHIError instead of
    falling back to weaker redaction, so the caller skips the model call.
    """
    pseudonymize: Callable[[str], str] | None = None

    def redact(text: str) -> str:
        nonlocal pseudonymize
        if pseudonymize is None:
            try:
                known = KnownIdentifiers.from_client(ehr.client_identifiers(client_id))
            except Exception as err:  # noqa: BLE001 - refuse rather than send identifiers
                raise PHIError("the client's identifiers could not be loaded") from err
            pseudonymize = Pseudonymizer(known).pseudonymize
        return pseudonymize(text)

    return redact
