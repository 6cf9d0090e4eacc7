"""The draft guard: the last automatic check on a reply before a clinician reviews it.

One rule per function, each returning findings in plain words for the reviewer. A rule that
raises becomes a `guard_error` finding, so a broken check blocks the draft instead of waving it
through (fail closed). Runs on the re-identified draft, before review.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import pyphen
import textstat
from pydantic import BaseModel

log = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 1200
#: Clients read at a 6th-8th grade level; easier is never a problem, so the floor is 0.
DEFAULT_GRADE_RANGE: tuple[float, float] = (0.0, 8.0)
#: Below this many words a grade formula is noise ("See you Tuesday!" is not grade 9).
MIN_WORDS_FOR_GRADE = 30
#: Intents whose replies may discuss clinical matters (the clinician writes or edits them).
CLINICAL_INTENTS = frozenset({"clinical"})


class GuardFinding(BaseModel):
    rule: str
    message: str
    span: str | None = None


class GuardResult(BaseModel):
    passed: bool
    findings: list[GuardFinding]


_MEDICATIONS = (
    r"sertraline|zoloft|fluoxetine|prozac|escitalopram|lexapro|citalopram|celexa|paroxetine|paxil|"
    r"venlafaxine|effexor|duloxetine|cymbalta|desvenlafaxine|pristiq|bupropion|wellbutrin|"
    r"mirtazapine|remeron|trazodone|vortioxetine|trintellix|vilazodone|viibryd|amitriptyline|"
    r"nortriptyline|alprazolam|xanax|clonazepam|klonopin|lorazepam|ativan|diazepam|valium|"
    r"buspirone|buspar|hydroxyzine|vistaril|atarax|propranolol|prazosin|gabapentin|neurontin|"
    r"pregabalin|lyrica|lithium|lamotrigine|lamictal|valproate|depakote|divalproex|"
    r"carbamazepine|tegretol|oxcarbazepine|quetiapine|seroquel|aripiprazole|abilify|risperidone|"
    r"risperdal|olanzapine|zyprexa|lurasidone|latuda|ziprasidone|geodon|haloperidol|haldol|"
    r"clozapine|clozaril|cariprazine|vraylar|methylphenidate|ritalin|concerta|amphetamine|"
    r"adderall|lisdexamfetamine|vyvanse|atomoxetine|strattera|guanfacine|intuniv|clonidine|"
    r"zolpidem|ambien|melatonin|naltrexone|vivitrol|buprenorphine|suboxone|methadone|"
    r"disulfiram|antabuse|acamprosate|ibuprofen|advil|tylenol|acetaminophen|benadryl|"
    r"antidepressants?|ssris?|snris?|benzos?|benzodiazepines?|stimulants?|antipsychotics?|"
    r"mood stabili[sz]ers?|sleeping pills?|medications?|medicine|meds|pills?|tablets?|doses?|"
    r"dosages?|prescriptions?|refills?"
)
_MED = re.compile(rf"(?i)\b(?:{_MEDICATIONS})\b")
_DOSE_AMOUNT = re.compile(
    r"(?i)\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|milligrams?|micrograms?|ml|cc|units?|iu)\b"
    r"|\b(?:half|double|twice|extra|another|one|two|three|1|2|3)\s+(?:a\s+)?"
    r"(?:pills?|tablets?|doses?|capsules?)\b"
)
_MED_ADVICE = re.compile(
    r"(?i)\b(?:take|taking|took|stop|stopping|quit|start|starting|increase|increasing|decrease|"
    r"decreasing|reduce|lower|raise|double|halve|skip|skipping|cut back|cut down|taper|tapering|"
    r"wean|switch|switching|resume|restart|combine|mix|pause|hold off|come off|go off|split|"
    r"crush|safe to|okay to|ok to|fine to|shouldn't hurt|won't hurt)\b"
)
# A sentence that hands the medication question to the prescriber is not itself advice.
_DEFERS = re.compile(
    r"(?i)\b(?:prescriber|psychiatrist|doctor|dr\.?|nurse practitioner|np|pharmacist|provider|"
    r"clinician|care team|our team)\b[^.?!]{0,80}\b(?:will|can|would|is able to|wants to)\s+"
    r"(?:talk|discuss|review|call|go over|answer|help|reach out|follow up|get back)"
    r"|\b(?:please )?(?:ask|ask(?:ing)?|talk(?:ing)? (?:to|with)|check(?:ing)? with|"
    r"speak(?:ing)? (?:to|with)|call|contact|message)\s+"
    r"(?:your|the|our|dr\.?)\b[^.?!]{0,80}\b(?:prescriber|psychiatrist|doctor|pharmacist|provider|"
    r"clinician|office)\b"
)
# "the medications you take" describes, it does not advise: removed before the advice check.
_MED_DESCRIBED = re.compile(
    r"(?i)\b(?:medications?|meds|medicines?|pills|prescriptions?)\s+(?:that\s+)?"
    r"(?:you|they|he|she|your child)\s+(?:currently\s+)?(?:take|takes|are taking|is taking)\b"
)
_DIAGNOSES = (
    r"depression|depressive|bipolar|mania|manic|hypomani[ac]|anxiety disorder|"
    r"generali[sz]ed anxiety|gad|panic disorder|panic attacks?|ptsd|c-?ptsd|post-?traumatic|"
    r"ocd|obsessive[- ]compulsive|adhd|add|autism|autistic|asperger'?s?|borderline|bpd|"
    r"personality disorder|narcissis\w*|schizo\w*|psychosis|psychotic|eating disorder|anorexia|"
    r"bulimia|binge eating|insomnia|substance use disorder|addiction|alcoholism|alcoholic|"
    r"dissociative|dissociation|trauma response|disorder|syndrome"
)
_CLINICAL_JUDGEMENT = re.compile(
    rf"(?i)\b(?:you (?:have|may have|might have|probably have|likely have|seem to have|"
    rf"are experiencing|may be experiencing|might be experiencing|are suffering from|"
    rf"are showing|show signs of|meet criteria for)|sounds like (?:you(?:'re| are)? "
    rf"(?:have|having|experiencing|dealing with))?|(?:this|that|it|these) "
    rf"(?:is|are|sounds like|seems like|could be|might be|may be) (?:a |an )?(?:sign|signs|"
    rf"symptoms?) of|signs of|symptoms of|diagnos\w+|consistent with)\b[^.?!]{{0,60}}?\b"
    rf"(?:{_DIAGNOSES})\b"
    r"|\b(?:you(?:'re| are) (?:depressed|manic|bipolar|psychotic|traumati[sz]ed|"
    r"catastrophi[sz]ing|dissociating|codependent|an addict|an alcoholic))\b"
    r"|\b(?:you should|try to|i recommend|i suggest|i'd recommend|i would recommend|"
    r"it would help to|the best thing is to|you need to)\s+(?:try\s+)?(?:some\s+)?"
    r"(?:breathing exercises|deep breathing|journal(?:ing)?|meditat\w+|mindfulness|grounding|"
    r"exposure|cbt|dbt|therapy techniques?|coping skills?|self-?care|challenge (?:those|your) "
    r"thoughts|reframe)"
    r"|\b(?:it(?:'s| is) (?:normal|common|natural|healthy|unhealthy) (?:to|for you to) feel)"
    r"|\b(?:your (?:diagnosis|prognosis|condition|disorder|symptoms (?:are|mean|suggest)))"
)
_URL = re.compile(
    r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:javascript|data|file|vbscript):[^\s<>\"']+"
    r"|(?<![@\w.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:com|org|net|edu|gov|io|co|us|me|"
    r"info|biz|health|app|ly|tv|ca|uk|link|site|xyz|online|care|clinic|ai)\b(?:/[^\s<>\"')\]]*)?"
)
_PLACEHOLDER = re.compile(
    r"<\s*[A-Z][A-Z0-9]*(?:[_ \-][A-Z0-9]+)*\s*>"  # <CLIENT_NAME>, <PERSON_1>
    r"|\{\{[^{}]{0,200}\}\}|\{%[^%]{0,200}%\}|\$\{[^{}]{0,100}\}"  # jinja, ${var}
    r"|\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}"  # {first_name}
    r"|\[\s*(?:[A-Z][A-Za-z]*[ _])*(?:NAME|Name|name|DATE|Date|date|TIME|Time|time|PHONE|Phone|"
    r"LINK|Link|link|ADDRESS|Address|CLINICIAN|Clinician|CLIENT|Client|DAY|Day|AMOUNT|Amount)"
    r"(?:[ _][A-Za-z]+)*\s*\]"  # [Client Name], [DATE]
    r"|\[\s*(?i:insert|your|add|fill in|placeholder|tbd|todo)[^\[\]]{0,100}\]"
    r"|<<[^<>]{1,100}>>|%\([a-z_]+\)s|\bTODO\b|\bTBD\b|\bXX+\b|lorem ipsum"
)
_PROMPT_LEAK = re.compile(
    r"(?i)\b(?:system prompt|system message|my instructions|i (?:was|am|have been) "
    r"(?:instructed|told|programmed|prompted)|as an ai\b|as a language model|language model|"
    r"large language model|\bllm\b|openai|chatgpt|gpt-?\d|prompt id|prompt version|"
    r"internal notes?|staff notes?|(?:per|according to|based on|from|in) (?:the|my|our|your "
    r"(?:therapist|clinician)'s) (?:progress|session|clinical|therapy|intake) notes?|"
    r"do not share with (?:the )?client|not for (?:the )?client|for staff only|internal use only|"
    r"retrieved (?:passages?|documents?|context)|according to the (?:context|passages?|documents?) "
    r"(?:provided|above|below)|tool calls?|function calls?|chain of thought|"
    r"pseudonymi[sz]\w*|placeholder)\b"
    r"|<\|[a-z_]+\|>|\[/?(?:INST|SYS)\]|</?s>|###\s*(?:instruction|system|response)"
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def check_medication_advice(draft: str) -> list[GuardFinding]:
    """Dosing amounts, or a sentence telling the client what to do with a medication."""
    findings = []
    for sentence in _sentences(draft):
        dose = _DOSE_AMOUNT.search(sentence)
        undescribed = _MED_DESCRIBED.sub(" ", sentence)
        med, advice = _MED.search(undescribed), _MED_ADVICE.search(undescribed)
        if dose:
            findings.append(GuardFinding(
                rule="medication_advice",
                message="The draft states a medication dose. Only the prescriber may advise on "
                "dosing; remove it or ask the prescriber to reply.",
                span=sentence.strip(),
            ))
        elif med and advice and not _DEFERS.search(sentence):
            findings.append(GuardFinding(
                rule="medication_advice",
                message=f"The draft tells the client what to do with a medication "
                f"(\"{advice.group(0)}\" ... \"{med.group(0)}\"). Medication decisions belong to "
                "the prescriber; remove it or route the question to them.",
                span=sentence.strip(),
            ))
    return findings


def check_clinical_judgement(draft: str, intents: Sequence[str]) -> list[GuardFinding]:
    """No diagnosis, symptom interpretation or therapy advice in an administrative reply."""
    if CLINICAL_INTENTS & set(intents):
        return []
    return [
        GuardFinding(
            rule="clinical_judgement",
            message="The draft offers a diagnosis or clinical advice in a non-clinical reply "
            f"(\"{match.group(0).strip()}\"). Leave clinical judgement to the clinician.",
            span=match.group(0).strip(),
        )
        for match in _CLINICAL_JUDGEMENT.finditer(draft)
    ]


_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]{7,}")
# A phone as written: digits with the separators people use, at least 7 digits long.
_NUMBER_RUN = re.compile(r"(?<![\w])\+?\d[\d\s().\-]{5,22}\d(?![\w])")


def _phone_digits(value: str) -> str:
    """Digits of a phone without the optional US country code: '+1-555-0303' -> '5550303'."""
    digits = re.sub(r"\D", "", value)
    return digits[1:] if len(digits) in (8, 11) and digits.startswith("1") else digits


@lru_cache(maxsize=16384)
def _identifier_matcher(identifier: str) -> tuple[str, re.Pattern[str] | None] | None:
    """How to find one other client's identifier in a draft, prepared once per identifier
    (a draft is checked against every other client's; the per-draft list differs by client):
    a phone as its digits, however it is formatted; a name or email as its lower-cased first
    word (a cheap pre-check) and the whole value as a pattern. None: too short to check."""
    value = identifier.strip()
    if len(value) < 3:
        return None
    if _PHONE_LIKE.fullmatch(value):
        return _phone_digits(value), None
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    return value.split()[0].lower(), re.compile(rf"(?i)(?<![\w@.]){pattern}(?![\w@])")


def check_foreign_identifiers(draft: str, foreign: Sequence[str]) -> list[GuardFinding]:
    """Another client's name, phone or email in this client's draft is a privacy breach."""
    draft_phones = {_phone_digits(m.group(0)) for m in _NUMBER_RUN.finditer(draft)}
    lowered = draft.lower()
    findings = []
    for identifier in foreign:
        matcher = _identifier_matcher(identifier or "")
        if matcher is None:
            continue
        key, pattern = matcher
        hit = key in draft_phones if pattern is None else (
            key in lowered and pattern.search(draft) is not None)
        if hit:
            findings.append(GuardFinding(
                rule="foreign_identifier",
                message="The draft contains an identifier that belongs to another client. "
                "Remove it before this reply can be sent.",
                span=None,  # never echo another client's PHI into this client's review screen
            ))
    return findings


def _allowed(host: str, allowed_domains: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    for domain in allowed_domains:
        domain = domain.lower().strip().lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def check_links(draft: str, allowed_domains: Sequence[str]) -> list[GuardFinding]:
    """Every link must point to a domain the practice allowlisted (no phishing, no lookalikes)."""
    findings = []
    for match in _URL.finditer(draft):
        link = match.group(0).rstrip(".,;:!?")
        scheme = link.split(":", 1)[0].lower()
        if scheme in ("javascript", "data", "file", "vbscript"):
            host = ""
        else:
            parsed = urlsplit(link if "://" in link else f"https://{link}")
            host = parsed.hostname or ""
        if not host or not _allowed(host, allowed_domains):
            findings.append(GuardFinding(
                rule="link_not_allowed",
                message=f"The link to \"{host or scheme}\" is not on the practice's allowed "
                "domains. Remove it or ask an admin to allow the domain.",
                span=link,
            ))
    return findings


def check_placeholders(draft: str) -> list[GuardFinding]:
    """Template syntax or a placeholder left unfilled must never reach a client."""
    return [
        GuardFinding(
            rule="unfilled_placeholder",
            message=f"The draft still contains a placeholder or template syntax "
            f"(\"{match.group(0)}\"). Fill it in or remove it.",
            span=match.group(0),
        )
        for match in _PLACEHOLDER.finditer(draft)
    ]


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def check_prompt_leak(draft: str, protected_texts: Sequence[str]) -> list[GuardFinding]:
    """No system-prompt wording, model talk or internal (staff-only) notes in a client reply."""
    findings = [
        GuardFinding(
            rule="prompt_leak",
            message=f"The draft mentions internal material (\"{match.group(0)}\"). Clients must "
            "not see prompts, model details or staff notes.",
            span=match.group(0),
        )
        for match in _PROMPT_LEAK.finditer(draft)
    ]
    draft_shingles = _shingles(draft)
    for text in protected_texts:
        if text and draft_shingles & _shingles(text):
            findings.append(GuardFinding(
                rule="prompt_leak",
                message="The draft repeats eight or more words verbatim from the system prompt or "
                "an internal note. Rewrite it in your own words.",
            ))
    return findings


def check_length(draft: str, max_chars: int) -> list[GuardFinding]:
    if not draft.strip():
        return [GuardFinding(rule="empty_draft", message="The draft is empty.")]
    if len(draft) > max_chars:
        return [GuardFinding(
            rule="too_long",
            message=f"The draft is {len(draft)} characters; the limit is {max_chars}. Portal "
            "replies should be short: shorten it or split it.",
        )]
    return []


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _flesch_kincaid_grade(prose: str) -> float:
    """Flesch-Kincaid with pyphen syllables: textstat's own English syllable count loads NLTK's
    cmudict, which it tries to download at run time (no network here)."""
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", prose)
    sentences = max(1, textstat.sentence_count(prose))
    syllables = sum(len(_hyphenator().positions(w.lower())) + 1 for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / max(1, len(words)) - 15.59


def reading_grade(draft: str) -> float | None:
    """US school grade needed to read the draft, or None when it is too short to measure.

    The median of three formulas (Flesch-Kincaid, Coleman-Liau, ARI) is steadier on short text
    than any one of them; links and placeholders are removed first, they are not prose.
    """
    prose = _PLACEHOLDER.sub("it", _URL.sub("the link", draft))
    prose = re.sub(r"[*_#`>]+", "", prose)  # Markdown emphasis and headings are not words
    # A list item or line without end punctuation is still a sentence to a reader.
    prose = re.sub(r"(?m)^\s*(?:[-•]|\d+[.)])\s+", "", prose)
    prose = re.sub(r"(?<![.!?:;])\s*\n+", ". ", prose.strip())
    if textstat.lexicon_count(prose) < MIN_WORDS_FOR_GRADE:
        return None
    grades = sorted([
        _flesch_kincaid_grade(prose),
        textstat.coleman_liau_index(prose),
        textstat.automated_readability_index(prose),
    ])
    return max(0.0, float(grades[1]))  # the formulas go below zero on very plain text


def check_reading_grade(draft: str, grade_range: tuple[float, float]) -> list[GuardFinding]:
    grade = reading_grade(draft)
    low, high = grade_range
    if grade is None or low <= grade <= high:
        return []
    return [GuardFinding(
        rule="reading_grade",
        message=f"The draft reads at about grade {grade:.1f}; clients need grade {low:g}-{high:g}. "
        "Use shorter sentences and everyday words.",
    )]


def check_draft(
    draft: str,
    *,
    intents: Sequence[str],
    allowed_domains: Sequence[str],
    foreign_identifiers: Sequence[str] = (),
    protected_texts: Sequence[str] = (),
    max_chars: int = DEFAULT_MAX_CHARS,
    grade_range: tuple[float, float] = DEFAULT_GRADE_RANGE,
) -> GuardResult:
    """Run every rule on `draft`; `passed` only when no rule found anything and none failed.

    `foreign_identifiers`: other clients' names/phones/emails; `protected_texts`: the system
    prompt and internal notes the draft must not quote.
    """
    if not isinstance(draft, str):
        return GuardResult(passed=False, findings=[GuardFinding(
            rule="guard_error", message=f"The draft is not text ({type(draft).__name__}).")])
    rules: list[tuple[str, Callable[[], list[GuardFinding]]]] = [
        ("medication_advice", lambda: check_medication_advice(draft)),
        ("clinical_judgement", lambda: check_clinical_judgement(draft, intents)),
        ("foreign_identifier", lambda: check_foreign_identifiers(draft, foreign_identifiers)),
        ("link_not_allowed", lambda: check_links(draft, allowed_domains)),
        ("unfilled_placeholder", lambda: check_placeholders(draft)),
        ("prompt_leak", lambda: check_prompt_leak(draft, protected_texts)),
        ("too_long", lambda: check_length(draft, max_chars)),
        ("reading_grade", lambda: check_reading_grade(draft, grade_range)),
    ]
    findings: list[GuardFinding] = []
    for name, rule in rules:
        try:
            findings.extend(rule())
        except Exception as exc:  # fail closed: a broken check blocks the draft
            log.warning("guard rule %s failed: %s", name, type(exc).__name__)
            findings.append(GuardFinding(
                rule="guard_error",
                message=f"The {name} check could not run ({type(exc).__name__}); a person must "
                "review this draft.",
            ))
    return GuardResult(passed=not findings, findings=findings)
