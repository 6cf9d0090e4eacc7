"""PHI pseudonymization: identifiers out before text reaches an LLM, back in after, locally.

Known identifiers come from the client's record and are matched exhaustively (every spelling of the
date of birth, every formatting of the phone); unknown ones (third parties, other phones, emails,
URLs, SSNs, addresses, ids) come from the Presidio recognizers in `agent.safety.recognizers`.
Both run on the text with its accents folded away (`fold`), so spelling variants meet.
One `Pseudonymizer` serves one graph turn, so the same person keeps the same placeholder across the
message, the client context and the retrieved passages. Anything unexpected raises `PHIError`: the
caller then makes no LLM call (template draft or staff handoff); raw text never goes out.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nicknames import NickNamer
from pydantic import BaseModel, ConfigDict, Field

from agent.safety.recognizers import (
    ENTITIES,
    FUNCTION_WORDS,
    analyzer,
    everyday_words,
    first_names,
)

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
def _word_pattern(word: str) -> str:
    """A word and its common abbreviation ('Street' / 'St.'), case-insensitive."""
    lower = word.lower().rstrip(".")
    for long, short in _STREET_WORDS.items():
        if lower in (long, short):
            return rf"(?:{long}|{short}\.?)"
    return re.escape(word)


def _phrase_pattern(phrase: str) -> str:
    """'Oak Harbor Marina, C Dock' matches with or without its commas."""
    return r"[\s,]+".join(_word_pattern(w) for w in re.split(r"[\s,]+", phrase.strip(" ,")))


def _digits_pattern(digits: str) -> str:
    """Every formatting of a number: '5552013344' matches '(555) 201-3344', '555.201.3344'."""
    return r"(?<!\d)(?:\+?1[\s.\-]?)?\(?" + r"[\s().\-]{0,2}".join(digits) + r"(?!\d)"


_EMAIL_SPOKEN = {
    "@": r"\s*(?:@|\bat\b)\s*", ".": r"\s*(?:\.|\bdot\b|\bperiod\b)\s*",
    "+": r"\s*(?:\+|\bplus\b)\s*", "_": r"\s*(?:_|\bunderscore\b)\s*",
    "-": r"\s*(?:-|\bdash\b|\bhyphen\b)\s*",
}  # fmt: skip


def _email_pattern(email: str) -> str:
    """The record's email as typed or as dictated: "g ekstrom plus e a p at mail dot example
    dot net" for gekstrom+eap@mail.example.net (a space may fall between any two letters;
    digits said in words are read by `spoken_digits`)."""
    pieces: list[str] = []
    for char in email:
        if char in _EMAIL_SPOKEN:
            pieces.append(_EMAIL_SPOKEN[char])
        else:
            if pieces and not pieces[-1].endswith(r"\s*"):
                pieces.append(r"\s?")
            pieces.append(re.escape(char))
    return rf"(?i)(?<![\w.+\-]){''.join(pieces)}(?![\w\-])"


_UNIT = re.compile(r"[\s,]+(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*[\w\-]+$", re.IGNORECASE)


def _street_forms(part: str) -> list[str]:
    """A street line as people also say it: without its unit ('4420 Lakeshore Ave Apt 3' ->
    '4420 Lakeshore Ave') and without its house number ('13877 Road 28' -> 'Road 28'): "the
    dairy on Road 28" names where the client lives. The street alone counts from two words
    ('Main' alone is not the client's)."""
    line = _UNIT.sub("", part.strip()).strip(" ,")
    match = re.fullmatch(r"\d+[A-Za-z]?\s+(.+)", line)
    if not match:
        return []
    forms = [line] if line != part.strip() else []
    return forms + ([match.group(1)] if len(match.group(1).split()) >= 2 else [])


def _id_pattern(identifier: str) -> str:
    chars = [re.escape(c) for c in re.sub(r"[\s\-]", "", identifier)]
    return r"(?<![A-Za-z0-9])" + r"[\s\-]?".join(chars) + r"(?![A-Za-z0-9])"


# Month spellings after folding accents (see `fold`): English, Spanish, Portuguese, French, with
# their usual abbreviations. Clients write their child's birthday in the language they think in.
_MONTH_WORDS = {
    1: "january jan enero ene janeiro janvier janv",
    2: "february feb febrero fevereiro fev fevrier fevr",
    3: "march mar marzo marco mars",
    4: "april apr abril abr avril avr",
    5: "may mayo maio mai",
    6: "june jun junio junho juin",
    7: "july jul julio julho juillet juil",
    8: "august aug agosto ago aout",
    9: "september sept sep septiembre setiembre set setembro septembre",
    10: "october oct octubre outubro out octobre",
    11: "november nov noviembre novembro novembre",
    12: "december dec diciembre dic dezembro dez decembre",
}
_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth",
]  # fmt: skip


def _ordinal_word(day: int) -> str:
    """5 -> 'fifth', 23 -> 'twenty[- ]third', 1 -> 'first|primero|primeiro|premier'."""
    if day <= 20:
        word = _ORDINAL_WORDS[day - 1]
    elif day == 30:
        word = "thirtieth"
    else:
        word = rf"{'twenty' if day < 30 else 'thirty'}[\s\-]?{_ORDINAL_WORDS[day % 10 - 1]}"
    return f"{word}|primero|primeiro|premier" if day == 1 else word


def _dob_pattern(dob: date) -> str:
    """Every spelling of the date of birth, with and without the year (Safe Harbor: all elements
    of a date but the year are identifiers): numeric in both day/month orders, ISO, compact
    digits, 2-digit years, month words in four languages, ordinals ('5th', '5º', 'fifth'), and
    the connectors people put between the parts ('the 5th of November', '5 de noviembre de 2014').
    Matched on folded text (`fold`), so 'março' is 'marco' here."""
    m, d, y = dob.month, dob.day, dob.year
    month_word = rf"(?:{'|'.join(_MONTH_WORDS[m].split())})\.?"
    day_word = rf"(?:(?<!\d)0?{d}(?:st|nd|rd|th|\.?(?:o|a|°)|ro|er)?|{_ordinal_word(d)})"
    year = rf"(?:{y}|'?{y % 100:02d})(?!\d)"
    year_sep = r"(?:\s*[,/.\-]\s*|\s+)(?:(?:de|del|of|in)\s+)?"
    sep = r"\s*[/.\-]\s*"
    numeric_md = rf"0?{m}{sep}0?{d}"
    numeric_dm = rf"0?{d}{sep}0?{m}"
    mm, dd, yy = f"{m:02d}", f"{d:02d}", f"{y % 100:02d}"
    compact = "|".join(
        [f"{mm}{dd}{y}", f"{dd}{mm}{y}", f"{y}{mm}{dd}", f"{mm}{dd}{yy}", f"{dd}{mm}{yy}"]
    )
    # Any other language ("5 tháng 9 năm 2012", "2011년 7월 22일", "12 desanm 1975", "Hunyo 5,
    # 1985"): the day and the full year a few non-digits apart, the month's number optional
    # between them, with the word before the day (a month name) or the day's sign after it. A
    # stray match ("it's 5 times since 1985") only hides a little more text.
    gap = r"[^\d\n]{1,15}?"
    month_number = rf"(?:0?{m}(?!\d){gap})?"
    return "|".join(
        [
            rf"(?:\b[^\W\d_]{{3,12}}\.?\s+)?(?<!\d)0?{d}(?!\d){gap}{month_number}{y}(?!\d)",
            rf"(?<!\d){y}(?!\d){gap}{month_number}0?{d}(?!\d)(?:\s?(?:{_DAY_SIGNS}))?",
            rf"(?<![\d/])(?:{numeric_md}|{numeric_dm})(?:{sep}{year})?(?![\d/])",
            rf"(?<!\d){y}{sep}0?{m}{sep}0?{d}(?!\d)",
            rf"(?<!\d)(?:{compact})(?!\d)",
            rf"\b{month_word}[\s\-/.,]*(?:the\s+)?{day_word}\b(?:{year_sep}{year})?",
            # The month and year of birth without the day ("born in January 2010", "01/2010").
            rf"\b{month_word},?\s+(?:(?:of|de|del)\s+)?{y}(?!\d)",
            rf"(?<![\d/.\-])0?{m}\s*[/.\-]\s*{y}(?!\d)",
            rf"\b(?:the\s+)?{day_word}(?:[\s\-/.]*|\s+(?:of|de|do)\s+){month_word}"
            rf"(?![a-z])(?:{year_sep}{year})?",
        ]
    )


_FOLD_EXTRA = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "ı": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'",
}  # fmt: skip
# Cyrillic in the Ukrainian national romanisation, the one passports and records use: the
# record's "Mariia" or "Dmytro" then catches "Марія", "Дмитро" typed by a relative.
_UKRAINIAN_LATIN = (
    "a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch sh shch _ iu ia _ y e io"
)
_CYRILLIC = dict(
    zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяъыэё", _UKRAINIAN_LATIN.split(), strict=True)
)
for _lower, _latin in _CYRILLIC.items():
    _latin = _latin.strip("_")
    _FOLD_EXTRA[_lower] = _latin
    _FOLD_EXTRA[_lower.upper()] = _latin[:1].upper() + _latin[1:]
# At the start of a word (a capital, in a name) these four are written with a Y: Yuliia, Yevhen.
_FOLD_EXTRA.update({"Є": "Ye", "Ї": "Yi", "Й": "Y", "Ю": "Yu", "Я": "Ya"})


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` without diacritics ('Gómez' -> 'Gomez', 'março' -> 'marco', curly apostrophes
    straightened), plus for each folded character the index of the original one it came from
    (None when nothing changed); digits of any script become 0-9 ('۱۹۹۲' -> '1992'). Every
    matcher runs on the folded text, so the record's 'Gómez' catches a typed 'Gomez' and the
    reverse, the census names and ASCII patterns apply to names written with accents, and a
    birthday or phone number typed in Persian digits is still the client's."""
    if text.isascii():
        return text, None
    chars: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        if char.isascii():
            chars.append(char)
            index.append(i)
            continue
        replacement = _FOLD_EXTRA.get(char)
        if replacement is None and char.isdecimal():  # Arabic-Indic, Persian, Devanagari digits
            replacement = str(unicodedata.decimal(char))
        if replacement is None:
            decomposed = unicodedata.normalize("NFKD", char)
            replacement = "".join(c for c in decomposed if not unicodedata.combining(c))
        chars.extend(replacement)
        index.extend([i] * len(replacement))
    return "".join(chars), index


# Number words as a voice-to-text app writes them. "oh" and "o" are zero only inside a run.
_DIGIT_WORDS = {
    w: str(i)
    for i, words in enumerate(
        ["zero oh o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    for w in words.split()
}
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")  # fmt: skip
_TEEN_WORDS = {word: 10 + i for i, word in enumerate(_TEENS)}
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS_WORDS = {word: 20 + 10 * i for i, word in enumerate(_TENS)}
_NONZERO = {w for w, d in _DIGIT_WORDS.items() if d != "0"}
_REPEAT_WORDS = {"double": 2, "triple": 3}
_NUMBER_WORDS = {*_DIGIT_WORDS, *_TEEN_WORDS, *_TENS_WORDS, *_REPEAT_WORDS, "hundred"}
_SPOKEN_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")
_NUMBER_ALTERNATION = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
# Two number words in a row: most messages have none, and skip the token walk.
_DICTATED = re.compile(rf"(?i)\b(?:{_NUMBER_ALTERNATION})[ \t\-,]+(?:{_NUMBER_ALTERNATION})\b")
_RUN_GAP = re.compile(r"[ \t\-,]+")
# Spelled letters of an id ("w c two four ..."), joined to the digits beside them; not "a" or
# "i", which are words.
_SPELLED_BESIDE_DIGITS = re.compile(
    r"(?<![\w@.'])(?:[b-hj-z]\s+)+(?=\d)|(?<=\d)(?:\s+[b-hj-z](?=\s|$))+(?:\s+(?=\d))?",
    re.IGNORECASE,
)


def _run_digits(words: list[str]) -> str:
    """'forty four twenty' -> '4420', 'nineteen seventy' -> '1970', 'double five' -> '55',
    'two oh three' -> '203', 'four hundred twelve' -> '412': the digits a speaker meant, read
    group by group as people dictate numbers (not as arithmetic: 'forty four twenty' is a
    street number, not 64)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        if word in _REPEAT_WORDS and after in _DIGIT_WORDS:
            out.append(_DIGIT_WORDS[after] * _REPEAT_WORDS[word])
            i += 2
        elif word in _TENS_WORDS:
            unit = int(_DIGIT_WORDS[after]) if after in _NONZERO else 0
            out.append(str(_TENS_WORDS[word] + unit))
            i += 2 if unit else 1
        elif word in _TEEN_WORDS:
            out.append(str(_TEEN_WORDS[word]))
            i += 1
        elif word == "hundred":  # "four hundred twelve", "nineteen hundred"
            rest = words[i + 1 : i + 2] if after in _TEEN_WORDS or after in _NONZERO else []
            if after in _TENS_WORDS:
                rest = words[i + 1 : i + 3] if words[i + 2 : i + 3] and words[i + 2] in _NONZERO \
                    else [after]
            out.append(_run_digits(rest).zfill(2) if rest else "00")
            i += 1 + len(rest)
        else:
            out.append(_DIGIT_WORDS.get(word, ""))
            i += 1
    return "".join(out)


def spoken_digits(folded: str) -> tuple[str, list[tuple[int, int]]] | None:
    """`folded` with dictated numbers read as digits ("call me at six five one five five five
    zero one four two" -> "call me at 6515550142"), and for each character of the result the
    span of `folded` it stands for; None when nothing was dictated. Voice-to-text writes phone
    numbers, ZIPs, street numbers, birthdays and claim numbers in words, and every matcher of
    digits reads this view as well as the text. Only runs of two number words or more are
    read, so "one of the five of us" and "I'm forty" stay words; spelled letters beside a run
    join it ("w c two four" -> "wc24"), as ids are dictated."""
    if not _DICTATED.search(folded):
        return None
    tokens = [(m.start(), m.end(), m.group()) for m in _SPOKEN_TOKEN.finditer(folded)]
    view: list[str] = []
    spans: list[tuple[int, int]] = []
    changed = False
    i = 0
    while i < len(tokens):
        start, end, token = tokens[i]
        run = [i]
        j = i
        while (
            tokens[run[-1]][2].lower() in _NUMBER_WORDS
            and j + 2 < len(tokens)
            and _RUN_GAP.fullmatch(tokens[j + 1][2])
            and tokens[j + 2][2].lower() in _NUMBER_WORDS
        ):
            j += 2
            run.append(j)
        words = [tokens[k][2].lower() for k in run]
        while words and words[0] in ("oh", "o"):  # "oh, two things": an exclamation
            words, run = words[1:], run[1:]
        if token.lower() not in _NUMBER_WORDS or len(words) < 2:
            view.append(token)
            spans.extend((start + k, start + k + 1) for k in range(len(token)))
            i += 1
            continue
        for k in range(i, run[0]):  # a leading "oh" stays as written
            s, e, t = tokens[k]
            view.append(t)
            spans.extend((s + n, s + n + 1) for n in range(len(t)))
        digits = _run_digits(words)
        first, last = tokens[run[0]][0], tokens[run[-1]][1]
        view.append(digits)
        spans.extend([(first, last)] * len(digits))
        changed = True
        i = j + 1
    if not changed:
        return None
    return _join_spelled_letters("".join(view), spans)


def _join_spelled_letters(
    view: str, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """'claim wc 2400 8813' style: single letters next to a dictated run lose the spaces
    between them and the digits, so id patterns read one token."""
    pattern = _SPELLED_BESIDE_DIGITS
    out: list[str] = []
    out_spans: list[tuple[int, int]] = []
    cursor = 0
    for match in pattern.finditer(view):
        out.append(view[cursor : match.start()])
        out_spans.extend(spans[cursor : match.start()])
        for k in range(match.start(), match.end()):
            if not view[k].isspace():
                out.append(view[k])
                out_spans.append(spans[k])
        cursor = match.end()
    out.append(view[cursor:])
    out_spans.extend(spans[cursor:])
    return "".join(out), out_spans


_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")


def _uncapitalised(folded: str) -> str:
    """A message typed in capitals ("I NEED A LETTER FROM DR. HALVORSEN") read in lower case,
    letter for letter, by the recognizers of unknown identifiers: where every word is capitalised,
    capitals say nothing about names, and read as capitals every word looked like one ("THE
    LADY") while a title's name looked like none. Lower case is read by position instead
    (titles, relation words, verbs), as in texting. The record's own identifiers are matched on
    the text as typed. A message with fewer than three words in capitals, or with most letters
    in lower case, is returned as it is."""
    letters = [c for c in folded if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if upper < 0.7 * len(letters) or len(_CAPS_WORD.findall(folded)) < 3:
        return folded
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


# The sign after a day number in Korean and Chinese/Japanese dates, as `fold` writes them (it
# decomposes Hangul into its letters).
_DAY_SIGNS = "|".join(re.escape(fold(sign)[0]) for sign in ("일", "日"))


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


#: Endings that make a pet name of a clipped given name: Grace -> Gracie, Kat -> Katie, Ana ->
#: Anita, Joao -> Joaozinho.
_PET_SUFFIXES = ("", "ie", "y", "i", "ita", "ito", "cita", "cito", "inha", "inho", "zinho", "zinha")


def _nickname_patterns(given: str) -> list[str]:
    """Names a client may sign with that the record does not hold: the curated English nicknames
    (Katherine -> Kate, Kathy) and the clipped forms most languages use (Sofia -> Sofi, Santiago ->
    Santi, Guadalupe -> Lupe, Valentina -> Tina). Guesses, so the caller matches them capitalised
    or in a name position only."""
    lower = given.lower()
    stems = {lower[:k] for k in range(3, len(lower))} | {lower.rstrip("aeiouy")}
    # A name the client's name extends has pet names of its own: Francesca -> Frances -> Frankie.
    bases = {lower} | {stem for stem in stems if len(stem) >= 4 and stem in first_names()}
    found = {n for base in bases for n in _nicknamer().nicknames_of(base) if len(n) > 2}
    clipped = {stem + suffix for stem in stems if len(stem) >= 3 for suffix in _PET_SUFFIXES}
    if len(lower) >= 6:
        clipped.update(lower[-k:] for k in range(4, len(lower) - 1))
    # Not 'car' for Carmen or 'you' for Youssef; and not the name of the other gender ('Daniel'
    # for Daniela, 'Paul' for Paula), which is more often a brother than the client.
    twins = {n for n in clipped if len(n) >= len(lower) - 1 and n in first_names()}
    found.update(clipped - everyday_words() - twins)
    found -= FUNCTION_WORDS
    found.discard(lower)
    return sorted(found, key=len, reverse=True)


# Two-letter forms that are words, states or clinic shorthand ("MA", "OK", "ER"): a client's
# initials in these letters count only when dotted ("M.A.").
_PAIRS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR US UK TV AM PM ER OT PT DR MR "
    "NP RN HR IT AI GP AS AT TO UP WE MY AN BY OF SO DO GO BE IF IS NO ON OX IQ EU"
)
_LETTER_PAIRS_IN_USE = frozenset(_PAIRS.split())


def _initials_pattern(given_parts: list[str], last: str | None) -> str | None:
    """The client signing with initials: 'J.R.' for Jerome Robinson, 'M-C' for Marie-Claude, 'JP'
    for João Pedro. Upper case only, so 'jr' and 'mc' in running text are left alone; a pair
    that is also a word or state ('MR', 'OK') only dotted, or where the client names
    themself ('MR here')."""
    firsts = [fold(p)[0][:1].upper() for p in given_parts if p]
    last_initial = fold(last)[0][:1].upper() if last else ""
    forms = {"".join(firsts[:2])} if len(firsts) > 1 else set()
    if firsts and last_initial:
        forms |= {firsts[0] + last_initial, "".join(firsts) + last_initial}
    alternatives = []
    for form in sorted(f for f in forms if len(f) > 1 and f.isalpha()):
        alternatives += [r"\.\s?".join(form) + r"\.", "-".join(form)]
        if form not in _LETTER_PAIRS_IN_USE:
            alternatives.append(form)
        else:  # "MR here", "... thanks - MR": where the client introduces or signs
            alternatives += [
                rf"(?:^|(?<=\n)){form}(?=\s+(?:here|aqui|again|checking in)\b)",
                rf"(?<=[-\u2014] ){form}(?=[\s.!]*$)",
            ]
    if not alternatives:
        return None
    return rf"(?<![\w@.\-])(?:{'|'.join(alternatives)})(?![\w@\-])"


@lru_cache(maxsize=1)
def _everyday_variants() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Everyday and function words, and an index from each word with one letter blanked
    ("gr\0de") or dropped ("grde") to the words it came from: which words a name one letter
    off would hit is then a few dictionary look-ups, not a regex tried on 3,000 words."""
    words = everyday_words() | FUNCTION_WORDS
    index: dict[str, set[str]] = {}
    for word in words:
        for i in range(len(word)):
            index.setdefault(word[:i] + "\0" + word[i + 1 :], set()).add(word)
            index.setdefault(word[:i] + word[i + 1 :], set()).add(word)
    return frozenset(words), {key: frozenset(found) for key, found in index.items()}


@lru_cache(maxsize=4096)
def _misspelling_pattern(names: tuple[str, ...]) -> str | None:
    """The client's names one letter off ('Oluwasuen' for Oluwaseun, 'brooke' for Brook): a
    letter dropped, added, changed (names of five letters or more) or two swapped. Any case;
    never an everyday or function word ('grade' is not Grace). Cached: the same client's
    `Pseudonymizer` is built again on every turn."""
    words, index = _everyday_variants()
    variants: set[str] = set()
    avoid: set[str] = set()
    for name in names:
        for word in fold(name)[0].lower().split():
            word = re.sub(r"[^a-z'\-]", "", word)
            if len(word) < 4:
                continue
            cut = [word[:i] + word[i + 1 :] for i in range(len(word))]
            swap = [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]
            add = [
                re.escape(word[:i]) + "[a-z]" + re.escape(word[i:]) for i in range(len(word) + 1)
            ]
            literal = [v for v in cut + swap if len(v) >= 4]
            variants.update(re.escape(v) for v in literal)
            variants.update(add)
            avoid.update(v for v in literal if v in words)
            avoid.update(index.get(word, ()))  # one letter added
            if len(word) >= 5:
                variants.update(
                    re.escape(word[:i]) + "[a-z]" + re.escape(word[i + 1 :])
                    for i in range(len(word))
                )
                for i in range(len(word)):
                    avoid.update(index.get(word[:i] + "\0" + word[i + 1 :], ()))
    if not variants:
        return None
    body = "|".join(sorted(variants, key=lambda v: (-len(v), v)))
    probe = re.compile(rf"(?:{body})")
    avoid = {w for w in avoid if probe.fullmatch(w)}  # the variants allow [a-z] only
    guard = rf"(?!(?:{'|'.join(map(re.escape, sorted(avoid)))})(?![\w@]))" if avoid else ""
    return rf"(?i)(?<![\w@]){guard}(?:{body})(?![\w@])"


def _name_parts(name: str | None) -> list[str]:
    """'Delacroix-Martin' -> ['Delacroix', 'Martin']; 'José Luis' -> ['José', 'Luis']."""
    if not name:
        return []
    parts = [p for p in re.split(r"[\s\-]+", name) if len(p.strip(".")) > 1]
    return parts if len(parts) > 1 else []


#: Placeholder stem of a nickname guessed from the record; numbered, and re-identified to the
#: spelling the client used ("Sofi"), not to the record's name.
NICKNAME_KEY = "CLIENT_NICKNAME"
# Where a lower-case word is plainly a name: after a self-introduction or sign-off ("this is
# will", "soy dani", "- do") or before a verb a modal or article never precedes ("will is",
# "may said", "do here").
_NAME_LEADS = (
    "this is", "it's", "its", "it is", "im", "i'm", "i am", "-", "love,", "thanks,", "from",
    "signed", "regards,", "best,", "cheers,", "xo", "sorry", "soy", "habla", "me llamo",
    "le escribe", "te escribe", "sou", "aqui e", "aqui es", "de parte de", "call me", "calls me",
    "called me", "me dicen", "me chamam", "goes by", "named",
)  # fmt: skip
_NAME_FOLLOWS = (
    r"here|aqui|again|checking in|writing|is|was|said|says|has|had|texted|called|wants|wanted|"
    r"needs|thinks|feels|felt|got|gets|can't|won't|didn't|doesn't|isn't|wasn't|'s"
)


def _spelled_or_whole(word: str) -> str:
    """A name part as written or fingerspelled letter by letter ("J-A-Y-D-E-N", "j.a.y.d.e.n"),
    as Deaf clients write a name in ASL gloss; from three letters, so initials stay initials."""
    if len(word) < 3 or not word.isalpha():
        return re.escape(word)
    return rf"(?:{re.escape(word)}|{'[.-]'.join(re.escape(c) for c in word)})"


def _positional_pattern(words: Iterable[str], surname: str | None = None) -> str:
    """Capitalised or upper case anywhere; lower case only in a name position, which includes
    right before the client's own `surname` ("tony cheung here": the surname is replaced first,
    and "tony" before its placeholder was left for the leak check to catch)."""
    words = list(words)
    cased = "|".join(
        re.escape(v)
        for w in words
        for v in {w[:1].upper() + w[1:], w[:1].upper() + w[1:].lower(), w.upper()}
    )
    low = "|".join(re.escape(w.lower()) for w in words)
    leads = "|".join(rf"(?<=\b{re.escape(lead)} )" for lead in _NAME_LEADS)
    before_surname = rf"|\b(?:{low})(?=[\s\-]+{re.escape(surname.lower())}\b)" if surname else ""
    return (
        # The lookahead first: the many lookbehinds are tried only where the name starts.
        rf"\b(?:{cased})\b(?!['\w])|(?i:(?=(?:{low})\b)(?:{leads}|(?<=-))(?:{low})\b"
        rf"|\b(?:{low})(?=,?\s*(?:{_NAME_FOLLOWS})\b)"
        rf"|(?:(?<=[\n,.!?\-] )|(?<=[\n\-]))(?:{low})[\s.!]*(?:$|\n){before_surname})"
    )


#: Compiled patterns kept per process: about 13 a client, so about 1,200 clients and about
#: 80 MB (the benchmark's 412 clients, 5,333 patterns, measured 26 MB of RSS).
_COMPILED_PATTERNS = 16_384


@lru_cache(maxsize=_COMPILED_PATTERNS)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled once per process: a client's patterns are the same on every turn, and `re`'s own
    cache (512 patterns) is too small for a caseload. Past the bound, a least-recently-used
    cache cycled through in order misses every time: 4,096 (the bound until round 6) was
    passed by the benchmark's 412 clients (5,333 patterns), and a later turn's build went from
    0.4 to 16 ms."""
    return re.compile(pattern)


class _KnownMatcher:
    """The record's identifiers compiled to regexes over folded text (`fold`), each with its
    fixed placeholder. A rule whose value is None is a guess (a nickname) kept as written."""

    def __init__(self, known: KnownIdentifiers) -> None:
        # pattern, key, entity, value
        self.rules: list[tuple[re.Pattern[str], str, str, str | None]] = []
        full, first, last = known.full_name, known.first_name, known.last_name
        if full and not first and len(full.split()) > 1:
            first, last = full.split()[0], last or full.split()[-1]
        first_value = known.preferred_name or first
        names: list[tuple[str | None, str, str | None]] = [
            (full, "CLIENT_NAME", full),
            *((n, "CLIENT_NAME", full or n) for n in known.other_names),
            # each part of an alias too: "Ethan" alone for a client also called Ethan Chen
            *((p, "CLIENT_NAME", full or n) for n in known.other_names for p in _name_parts(n)),
            (known.preferred_name, "CLIENT_FIRST_NAME", first_value),
            (first, "CLIENT_FIRST_NAME", first_value),
            (last, "CLIENT_LAST_NAME", last),
            *((p, "CLIENT_FIRST_NAME", first_value) for p in _name_parts(first)),
            *((p, "CLIENT_LAST_NAME", last) for p in _name_parts(last)),
            *((p, "CLIENT_NAME", full) for p in _name_parts(full)),  # middle names
        ]
        for i, guardian in enumerate(known.guardian_names, start=1):
            key = f"GUARDIAN_{i}"
            names.append((guardian, key, guardian))
            names += [(part, key, guardian) for part in _name_parts(guardian)]
        for name, key, value in names:
            if name and name.strip():
                self._add_name(name.strip(), key, value or name)
        givens = [known.preferred_name, first, *_name_parts(first), *known.other_names]
        guesses = {
            nick
            for given in givens
            if given and len(given.split()) == 1
            for nick in _nickname_patterns(fold(given)[0])
        }
        if guesses:
            surname = fold(last)[0] if last else None
            self._add(_positional_pattern(sorted(guesses, key=len, reverse=True), surname),
                      NICKNAME_KEY, "PERSON", None)
        given_parts = _name_parts(first) or [first] if first else []
        initials = _initials_pattern(given_parts, last)
        if initials:
            self._add(initials, NICKNAME_KEY, "PERSON", None)
        misspelt = _misspelling_pattern(tuple(sorted(
            {n for n in (known.preferred_name, first, last, *given_parts, *_name_parts(last)) if n}
        )))
        if misspelt:
            self._add(misspelt, NICKNAME_KEY, "PERSON", None)
        for i, phone in enumerate(known.phones, start=1):
            digits = re.sub(r"\D", "", phone)
            if len(digits) in (8, 11) and digits.startswith("1"):
                digits = digits[1:]  # the country code is optional in the text
            digits = digits[-10:]
            if len(digits) >= 7:
                self._add(_digits_pattern(digits), f"CLIENT_PHONE_{i}", "PHONE", phone)
        for i, email in enumerate(known.emails, start=1):
            self._add(_email_pattern(fold(email.strip())[0]), f"CLIENT_EMAIL_{i}", "EMAIL", email)
        if known.date_of_birth:
            self._add(rf"(?i){_dob_pattern(known.date_of_birth)}", "CLIENT_DOB", "DATE",
                      known.date_of_birth.isoformat())
        for i, part in enumerate(known.address_parts, start=1):
            pattern = (
                _digits_pattern(part)
                if part.isdigit()
                else rf"(?i)\b{_phrase_pattern(fold(part)[0])}\b"
            )
            self._add(pattern, f"CLIENT_ADDRESS_{i}", "ADDRESS", part)
            for street in _street_forms(fold(part)[0]):
                self._add(rf"(?i)\b{_phrase_pattern(street)}\b", f"CLIENT_ADDRESS_{i}", "ADDRESS",
                          part)
        if known.record_id:
            self._add(rf"(?i){_id_pattern(known.record_id)}", "CLIENT_RECORD_ID", "ID",
                      known.record_id)
        for i, member_id in enumerate(known.insurance_member_ids, start=1):
            self._add(rf"(?i){_id_pattern(member_id)}", f"CLIENT_INSURANCE_ID_{i}", "ID", member_id)

    def _add(self, pattern: str, key: str, entity: str, value: str | None) -> None:
        self.rules.append((_compiled(pattern), key, entity, value))

    def _add_name(self, name: str, key: str, value: str) -> None:
        """The client's names in any case, with or without accents, possessive or not: 'grace',
        'GRACE', "grace's", 'Gomez' for 'Gómez'. Over-redacting 'grace period' for a client named
        Grace is the accepted price (re-identification restores it). Only a name that is also a
        function word ('Will', 'May', 'Do', 'Le') is matched in lower case just where a name is
        meant, or every 'will' in the message would go."""
        folded = fold(name)[0]
        words = folded.split()
        if len(words) == 1 and (folded.lower() in FUNCTION_WORDS or len(folded) < 2):
            pattern = _positional_pattern(words)
        else:
            body = r"[\s\-]+".join(_spelled_or_whole(w) for w in words)
            # A Latin-letter name ends where Latin letters end: "Zihan的妈妈" in a Chinese
            # message has no \b between the name and the next character.
            edge = r"[A-Za-z0-9_@]" if folded.isascii() else r"[\w@]"
            pattern = rf"(?i)(?<!{edge}){body}(?!{edge})"
        self._add(pattern, key, "PERSON", value)

    def find(self, text: str, names: bool = True) -> list[PHISpan]:
        """Every match of the record's identifiers; without the names when `names` is False
        (the spoken-digit view, where only numbers and spelled emails differ from the text)."""
        return [
            PHISpan(start=m.start(), end=m.end(), entity=entity, known=True, placeholder_key=key)
            for pattern, key, entity, _ in self.rules
            if names or entity != "PERSON"
            for m in pattern.finditer(text)
            if m.end() > m.start()
        ]


def _cover(spans: list[PHISpan]) -> list[PHISpan]:
    """Disjoint spans, in order, covering every character of `spans`: each group of overlapping
    spans becomes one, labelled by its longest member (the record's on a tie)."""
    groups: list[list[PHISpan]] = []
    end = -1
    for span in sorted(spans, key=lambda s: s.start):
        if groups and span.start < end:
            groups[-1].append(span)
            end = max(end, span.end)
        else:
            groups.append([span])
            end = span.end
    covered = []
    for group in groups:
        lead = min(group, key=lambda s: (-(s.end - s.start), not s.known, s.start))
        start, stop = min(s.start for s in group), max(s.end for s in group)
        covered.append(lead if (lead.start, lead.end) == (start, stop)
                       else lead.model_copy(update={"start": start, "end": stop}))
    return covered


def _unfold(spans: list[PHISpan], index: list[int], text: str) -> list[PHISpan]:
    """Spans found in folded text, in `text`'s offsets (a trailing combining accent included)."""
    mapped: list[PHISpan] = []
    cursor = 0
    for span in spans:
        start = max(index[span.start], cursor)
        end = index[span.end - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        if end > start:  # 'ß' folds to 'ss': two folded spans may share one original character
            mapped.append(span.model_copy(update={"start": start, "end": end}))
            cursor = end
    return mapped


#: Our own placeholders, blanked before the final known-identifier check of an output.
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")

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


def _unknown(folded: str) -> list[PHISpan]:
    """Identifiers the record does not name, from the Presidio recognizers."""
    return [
        PHISpan(start=result.start, end=result.end, entity=result.entity_type, known=False,
                placeholder_key="")
        for result in analyzer().analyze(_uncapitalised(folded), language="en")
        if result.score >= MIN_SCORE
    ]


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
            if value is not None:
                self._mapping.setdefault(f"<{key}>", value)

    @property
    def mapping(self) -> dict[str, str]:
        """Placeholder -> original text, for local re-identification only."""
        return dict(self._mapping)

    def detect(self, text: str) -> list[PHISpan]:
        """Every identifier span in `text`; of overlapping spans the longest names the result,
        then the record's ("27 Summer Street" is an address even when the client is called
        Summer), and the result covers them all: a shorter span sticking out of a longer one is
        not left in clear ("HARPER, DESTINY MRN-1277083", read as a name up to "MRN", once
        left the record number's digits). Matching runs on the folded text; spans are returned
        in `text`'s own offsets."""
        folded, index = fold(text)
        if len(folded) > 2 * MAX_TEXT_CHARS:  # ligatures that unfold to many letters
            raise PHIError(f"text unfolds to {len(folded)} characters")
        spans = self._known.find(folded) + _unknown(folded)
        spoken = spoken_digits(folded)
        if spoken is not None:  # the same matchers on dictated numbers read as digits
            view, origin = spoken
            spans += [
                span.model_copy(update={"start": origin[span.start][0],
                                        "end": origin[span.end - 1][1]})
                for span in self._known.find(view, names=False) + _unknown(view)
                if any(stop - begin > 1 for begin, stop in origin[span.start : span.end])
            ]
        chosen = _cover(spans)
        return chosen if index is None else _unfold(chosen, index, text)

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
        remainder = fold(_PLACEHOLDER.sub(" ", result))[0]
        spoken = spoken_digits(remainder)
        leaked = [
            key
            for pattern, key, entity, _ in self._known.rules
            if pattern.search(remainder)
            or (spoken is not None and entity != "PERSON" and pattern.search(spoken[0]))
        ]
        if leaked:  # defence in depth: a known identifier survived replacement
            raise PHIError(f"known identifiers survived pseudonymization: {sorted(set(leaked))}")
        return result

    def pseudonymize_many(self, texts: Iterable[str]) -> list[str]:
        """Several texts of one turn with shared placeholders (message, context, passages)."""
        return [self.pseudonymize(t) for t in texts]

    def _placeholder(self, span: PHISpan, original: str) -> str:
        """A record identifier is its record key (`<CLIENT_PHONE_1>`, re-identified as the
        record holds it) except a date: each spelling of the birth date gets its own placeholder
        (`<CLIENT_DOB_1>`, `<CLIENT_DOB_2>`) and comes back as written. Why: a month and day that
        fall on the birthday ("Thursday, March 5", an opening we offer) are hidden as the birth
        date, and re-identified as the record's "2009-03-05" they would put a wrong date in
        the draft. Anything else gets `<ENTITY_N>`, one per distinct value."""
        if span.known and span.placeholder_key != NICKNAME_KEY and span.entity != "DATE":
            return f"<{span.placeholder_key}>"
        stem = span.placeholder_key or span.entity
        normalised = (
            re.sub(r"\D", "", original)
            if span.entity in ("PHONE", "SSN", "CARD")
            else " ".join(fold(original)[0].lower().split())
        )
        existing = self._by_value.get((stem, normalised))
        if existing:
            return existing
        self._counters[stem] = self._counters.get(stem, 0) + 1
        placeholder = f"<{stem}_{self._counters[stem]}>"
        self._by_value[(stem, normalised)] = placeholder
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
