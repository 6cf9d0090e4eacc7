"""Measurement-based care instruments: PHQ-9, GAD-7 and DASS-21 items, exact scoring, the
published handling of incomplete forms, LOINC coding, and the flags a clinician must see.

Scoring is pure arithmetic on the client's answers (no model), so every band edge is tested.

Incomplete forms (the rule applied, and where it comes from):
- PHQ-9 and GAD-7: the PHQ family's instruction manual (Kroenke, Spitzer, Williams; Pfizer,
  phqscreeners.com) allows prorating when a few items are missing: total = sum of answered items x
  (number of items / number answered), rounded half-up. We prorate PHQ-9 with at most 2 of 9 items
  missing and GAD-7 with at most 1 of 7 missing (the manual's "one or two items" read conservatively
  for the shorter form); with more missing the form is not scored and a clinician reviews it.
- PHQ-9 item 9 (thoughts of being better off dead or of self-harm) is never prorated away: if it is
  unanswered the result is flagged for clinician review whatever the total (a safety rule of ours).
- DASS-21: the DASS manual (Lovibond & Lovibond, 1995; DASS FAQ, UNSW) allows replacing at most one
  missing item per 7-item subscale with the mean of that subscale's answered items; that is the same
  arithmetic as prorating the subscale sum. A subscale with 2+ missing items is not scored.
  Subscale sums are doubled to the DASS-42 metric before banding.

LOINC (verified against the LOINC display names): 44249-1 = PHQ-9 quick depression assessment panel
(the QuestionnaireResponse's questionnaire code), 44261-6 = PHQ-9 total score (the Observation),
69737-5 = GAD-7 panel, 70274-6 = GAD-7 total score. PHQ-9 item 9 is 44260-8. DASS-21: we looked
(documentation and web search, 2026-11) and found no LOINC panel or subscale codes for it; the FHIR
implementation guides that chart DASS-21 (the German MII PRO module, Malaysia's MY Core) each define
their own code system for it. So DASS-21 Observations use this product's own code system
(`LOCAL_CODE_SYSTEM`) instead of an invented LOINC code; map it when LOINC publishes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, Field

LOINC = "http://loinc.org"
LOCAL_CODE_SYSTEM = "urn:practice-assistant:instrument"

InstrumentId = Literal["phq9", "gad7", "dass21"]

FREQUENCY_CHOICES = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
# LOINC answer codes of the PHQ/GAD frequency scale (LL358-3), value = points.
FREQUENCY_ANSWER_LOINC = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
DASS_CHOICES = [
    "Did not apply to me at all",
    "Applied to me to some degree, or some of the time",
    "Applied to me to a considerable degree, or a good part of time",
    "Applied to me very much, or most of the time",
]


class Item(BaseModel):
    number: int
    text: str
    loinc: str | None = None


class Band(BaseModel):
    low: int
    high: int
    label: str
    severe: bool = False


class Scale(BaseModel):
    """A scored (sub)scale: which items it sums, how many may be missing, and its bands."""

    name: str
    items: list[int]
    max_missing: int
    multiplier: int = 1
    bands: list[Band]
    loinc: str | None = None
    local_code: str


class Instrument(BaseModel):
    id: InstrumentId
    title: str
    stem: str
    choices: list[str]
    items: list[Item]
    scales: list[Scale]
    panel_loinc: str | None = None


def _bands(*edges: tuple[int, int, str], severe_from: str | None = None) -> list[Band]:
    bands, severe = [], False
    for low, high, label in edges:
        severe = severe or label == severe_from
        bands.append(Band(low=low, high=high, label=label, severe=severe))
    return bands


PHQ9 = Instrument(
    id="phq9",
    title="PHQ-9",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following "
    "problems?",
    choices=FREQUENCY_CHOICES,
    panel_loinc="44249-1",
    items=[
        Item(number=1, text="Little interest or pleasure in doing things", loinc="44250-9"),
        Item(number=2, text="Feeling down, depressed, or hopeless", loinc="44255-8"),
        Item(
            number=3,
            text="Trouble falling or staying asleep, or sleeping too much",
            loinc="44259-0",
        ),
        Item(number=4, text="Feeling tired or having little energy", loinc="44254-1"),
        Item(number=5, text="Poor appetite or overeating", loinc="44251-7"),
        Item(
            number=6,
            text="Feeling bad about yourself - or that you are a failure or have let yourself "
            "or your family down",
            loinc="44258-2",
        ),
        Item(
            number=7,
            text="Trouble concentrating on things, such as reading the newspaper or watching "
            "television",
            loinc="44252-5",
        ),
        Item(
            number=8,
            text="Moving or speaking so slowly that other people could have noticed? Or the "
            "opposite - being so fidgety or restless that you have been moving around a lot "
            "more than usual",
            loinc="44253-3",
        ),
        Item(
            number=9,
            text="Thoughts that you would be better off dead or of hurting yourself in some way",
            loinc="44260-8",
        ),
    ],
    scales=[
        Scale(
            name="total",
            items=list(range(1, 10)),
            max_missing=2,
            loinc="44261-6",
            local_code="phq9-total",
            bands=_bands(
                (0, 4, "minimal"),
                (5, 9, "mild"),
                (10, 14, "moderate"),
                (15, 19, "moderately severe"),
                (20, 27, "severe"),
                severe_from="severe",
            ),
        )
    ],
)

GAD7 = Instrument(
    id="gad7",
    title="GAD-7",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    choices=FREQUENCY_CHOICES,
    panel_loinc="69737-5",
    items=[
        Item(number=1, text="Feeling nervous, anxious, or on edge", loinc="69725-0"),
        Item(number=2, text="Not being able to stop or control worrying", loinc="68509-9"),
        Item(number=3, text="Worrying too much about different things", loinc="69733-4"),
        Item(number=4, text="Trouble relaxing", loinc="69734-2"),
        Item(number=5, text="Being so restless that it is hard to sit still", loinc="69735-9"),
        Item(number=6, text="Becoming easily annoyed or irritable", loinc="69689-8"),
        Item(number=7, text="Feeling afraid, as if something awful might happen", loinc="69736-7"),
    ],
    scales=[
        Scale(
            name="total",
            items=list(range(1, 8)),
            max_missing=1,
            loinc="70274-6",
            local_code="gad7-total",
            bands=_bands(
                (0, 4, "minimal"),
                (5, 9, "mild"),
                (10, 14, "moderate"),
                (15, 21, "severe"),
                severe_from="severe",
            ),
        )
    ],
)

_DASS_ITEMS = [
    "I found it hard to wind down",
    "I was aware of dryness of my mouth",
    "I couldn't seem to experience any positive feeling at all",
    "I experienced breathing difficulty (e.g. excessively rapid breathing, breathlessness in the "
    "absence of physical exertion)",
    "I found it difficult to work up the initiative to do things",
    "I tended to over-react to situations",
    "I experienced trembling (e.g. in the hands)",
    "I felt that I was using a lot of nervous energy",
    "I was worried about situations in which I might panic and make a fool of myself",
    "I felt that I had nothing to look forward to",
    "I found myself getting agitated",
    "I found it difficult to relax",
    "I felt down-hearted and blue",
    "I was intolerant of anything that kept me from getting on with what I was doing",
    "I felt I was close to panic",
    "I was unable to become enthusiastic about anything",
    "I felt I wasn't worth much as a person",
    "I felt that I was rather touchy",
    "I was aware of the action of my heart in the absence of physical exertion (e.g. sense of "
    "heart rate increase, heart missing a beat)",
    "I felt scared without any good reason",
    "I felt that life was meaningless",
]

DASS21 = Instrument(
    id="dass21",
    title="DASS-21",
    stem="Please read each statement and choose how much it applied to you over the past week.",
    choices=DASS_CHOICES,
    items=[Item(number=i + 1, text=text) for i, text in enumerate(_DASS_ITEMS)],
    scales=[
        Scale(
            name="depression",
            items=[3, 5, 10, 13, 16, 17, 21],
            max_missing=1,
            multiplier=2,
            local_code="dass21-depression",
            bands=_bands(
                (0, 9, "normal"),
                (10, 13, "mild"),
                (14, 20, "moderate"),
                (21, 27, "severe"),
                (28, 42, "extremely severe"),
                severe_from="severe",
            ),
        ),
        Scale(
            name="anxiety",
            items=[2, 4, 7, 9, 15, 19, 20],
            max_missing=1,
            multiplier=2,
            local_code="dass21-anxiety",
            bands=_bands(
                (0, 7, "normal"),
                (8, 9, "mild"),
                (10, 14, "moderate"),
                (15, 19, "severe"),
                (20, 42, "extremely severe"),
                severe_from="severe",
            ),
        ),
        Scale(
            name="stress",
            items=[1, 6, 8, 11, 12, 14, 18],
            max_missing=1,
            multiplier=2,
            local_code="dass21-stress",
            bands=_bands(
                (0, 14, "normal"),
                (15, 18, "mild"),
                (19, 25, "moderate"),
                (26, 33, "severe"),
                (34, 42, "extremely severe"),
                severe_from="severe",
            ),
        ),
    ],
)

INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (PHQ9, GAD7, DASS21)}

# A rise of this many points on a scale since the previous result is flagged for review.
RISE_THRESHOLD = 5


class InvalidAnswers(ValueError):
    """The answers do not fit the instrument (unknown item, value outside 0-3). Names the field."""


class ScaleScore(BaseModel):
    name: str
    score: int | None = Field(description="None when too many items are missing to score.")
    band: str | None
    severe: bool = False
    answered: int
    missing: list[int]
    prorated: bool


class AssessmentScore(BaseModel):
    instrument: InstrumentId
    answers: dict[int, int]
    scales: dict[str, ScaleScore]

    @property
    def scorable(self) -> bool:
        return all(s.score is not None for s in self.scales.values())

    @property
    def total(self) -> int | None:
        """The single total of PHQ-9 / GAD-7 (None for DASS-21, which has subscales only)."""
        scale = self.scales.get("total")
        return scale.score if scale else None


FlagKind = Literal["item9_positive", "item9_unanswered", "severe_band", "rise", "unscorable"]


class AssessmentFlag(BaseModel):
    """Something a clinician must see. `crisis` flags raise an alert at once, not a review item."""

    kind: FlagKind
    crisis: bool
    scale: str | None = None
    reason: str


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _band(scale: Scale, score: int) -> Band:
    for band in scale.bands:
        if band.low <= score <= band.high:
            return band
    raise InvalidAnswers(f"{scale.name} score {score} is outside every band")  # unreachable


def score(instrument_id: str, answers: Mapping[int | str, int | None]) -> AssessmentScore:
    """Score one completed form exactly. `answers` maps item number -> 0..3 (None/absent = skipped).

    Raises InvalidAnswers naming the bad field for an unknown instrument, item or value.
    """
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        raise InvalidAnswers(
            f"instrument: unknown {instrument_id!r}; expected one of {list(INSTRUMENTS)}"
        )
    numbers = {item.number for item in instrument.items}
    clean: dict[int, int] = {}
    for key, value in answers.items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            raise InvalidAnswers(f"item {key!r}: not an item number") from None
        if number not in numbers:
            raise InvalidAnswers(f"item {number}: {instrument.title} has items 1-{len(numbers)}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise InvalidAnswers(f"item {number}: answer must be an integer 0-3, got {value!r}")
        clean[number] = value

    scales: dict[str, ScaleScore] = {}
    for scale in instrument.scales:
        answered = [clean[n] for n in scale.items if n in clean]
        missing = [n for n in scale.items if n not in clean]
        if len(missing) > scale.max_missing:
            scales[scale.name] = ScaleScore(
                name=scale.name,
                score=None,
                band=None,
                answered=len(answered),
                missing=missing,
                prorated=False,
            )
            continue
        raw = Decimal(sum(answered))
        if missing:
            raw = raw * len(scale.items) / len(answered)
        value = _round_half_up(raw) * scale.multiplier
        band = _band(scale, value)
        scales[scale.name] = ScaleScore(
            name=scale.name,
            score=value,
            band=band.label,
            severe=band.severe,
            answered=len(answered),
            missing=missing,
            prorated=bool(missing),
        )
    return AssessmentScore(instrument=instrument.id, answers=clean, scales=scales)


def flags(result: AssessmentScore, previous: AssessmentScore | None = None) -> list[AssessmentFlag]:
    """What a clinician must see about `result` (compared with the client's previous result).

    PHQ-9 item 9 above 0 is a crisis-level flag whatever the total; item 9 skipped, a severe band,
    a rise of RISE_THRESHOLD+ points, or a form too incomplete to score go to review.
    """
    found: list[AssessmentFlag] = []
    if result.instrument == "phq9":
        item9 = result.answers.get(9)
        if item9 is not None and item9 > 0:
            found.append(
                AssessmentFlag(
                    kind="item9_positive",
                    crisis=True,
                    scale="total",
                    reason=f"PHQ-9 item 9 (thoughts of death or self-harm) answered {item9} "
                    f"({FREQUENCY_CHOICES[item9].lower()})",
                )
            )
        elif item9 is None:
            found.append(
                AssessmentFlag(
                    kind="item9_unanswered",
                    crisis=False,
                    scale="total",
                    reason="PHQ-9 item 9 (thoughts of death or self-harm) was left unanswered",
                )
            )
    title = INSTRUMENTS[result.instrument].title
    for name, scale in result.scales.items():
        label = title if name == "total" else f"{title} {name}"
        if scale.score is None:
            found.append(
                AssessmentFlag(
                    kind="unscorable",
                    crisis=False,
                    scale=name,
                    reason=f"{label}: {len(scale.missing)} items unanswered, too many to score",
                )
            )
            continue
        if scale.severe:
            found.append(
                AssessmentFlag(
                    kind="severe_band",
                    crisis=False,
                    scale=name,
                    reason=f"{label} score {scale.score} is in the {scale.band} band",
                )
            )
        before = (
            previous.scales.get(name)
            if previous and previous.instrument == result.instrument
            else None
        )
        if (
            before is not None
            and before.score is not None
            and scale.score - before.score >= RISE_THRESHOLD
        ):
            found.append(
                AssessmentFlag(
                    kind="rise",
                    crisis=False,
                    scale=name,
                    reason=f"{label} rose {scale.score - before.score} points "
                    f"({before.score} -> {scale.score})",
                )
            )
    return found
