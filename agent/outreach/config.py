"""The practice's outreach settings: reminder offsets, caps, assessment schedule, the curated
resource library and wellness programs. Safe defaults; a practice overrides them in one place.

Rollout mode per workflow and the approved wording live in `PracticePolicy` (admin page); this
holds the cadence and content lists that workflows read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl

from agent.outreach.consent import FrequencyCap
from tools.ehr.practice import HARBORVIEW, Practice

WORKFLOWS: tuple[str, ...] = (
    "reminders",
    "checkins",
    "assessments",
    "onboarding",
    "discharge",
    "resources",
    "wellness",
    "refills",
)


def practice_site(service: str, practice: Practice = HARBORVIEW) -> str:
    """A service of the practice's own website (`portal`, `telehealth`, `resources`): every link
    outreach sends lives under the domain the practice's record names, so allowlisting that one
    domain (`link_domains`) lets the draft guard pass them and nothing else."""
    return f"https://{service}.{practice.website}"


def link_domains(practice: Practice = HARBORVIEW) -> list[str]:
    """The hosts outreach links point to, for `PracticePolicy.allowed_link_domains`."""
    return [f"{service}.{practice.website}" for service in ("portal", "telehealth", "resources")]


# The sample practice's curated library (Harborview's resources site); an admin replaces it.
RESOURCES = practice_site("resources")


class Resource(BaseModel):
    """A practice-approved worksheet, psychoeducation page or exercise, matched to goals by tags."""

    id: str
    title: str
    url: HttpUrl
    tags: list[str] = Field(min_length=1, description="Words that tie it to treatment goals.")


class WellnessProgram(BaseModel):
    """A practice-approved message series; step k goes out k cadences after enrollment."""

    id: str
    title: str
    cadence: Literal["weekly", "monthly"] = "weekly"
    messages: list[str] = Field(min_length=1)

    @property
    def interval(self) -> timedelta:
        return timedelta(days=7 if self.cadence == "weekly" else 28)


DEFAULT_LIBRARY: list[Resource] = [
    Resource(
        id="res-panic",
        title="Understanding panic attacks (worksheet)",
        url=f"{RESOURCES}/panic-worksheet",
        tags=["panic", "anxiety"],
    ),
    Resource(
        id="res-sleep",
        title="Sleep diary and wind-down routine",
        url=f"{RESOURCES}/sleep-diary",
        tags=["sleep"],
    ),
    Resource(
        id="res-activation",
        title="Planning small enjoyable activities",
        url=f"{RESOURCES}/activity-planner",
        tags=["work", "school", "friends", "family", "re-engage"],
    ),
    Resource(
        id="res-conflict",
        title="Pause-and-plan: coping before reacting",
        url=f"{RESOURCES}/pause-and-plan",
        tags=["conflict", "coping"],
    ),
]

DEFAULT_PROGRAMS: list[WellnessProgram] = [
    WellnessProgram(
        id="wellness-basics",
        title="Weekly wellness basics",
        messages=[
            "this week's small step: take a 10-minute walk outside on two days and notice "
            "how you feel afterwards.",
            "this week's small step: pick one evening to put screens away 30 minutes before bed.",
            "this week's small step: reach out to one person you have not talked to in a while.",
            "this week's small step: write down three things that went okay this week.",
        ],
    )
]


class OutreachConfig(BaseModel):
    practice_timezone: str = "America/New_York"
    digest_hour: int = Field(18, ge=0, le=23, description="Practice-local hour of the digest.")
    portal_base_url: HttpUrl = Field(
        practice_site("portal"),
        description="Where assessment forms and surveys are opened; its domain must be allowed.",
    )
    reminder_offsets: list[timedelta] = Field(
        default_factory=lambda: [timedelta(days=3), timedelta(days=1)]
    )
    cap: FrequencyCap = FrequencyCap()
    checkin_delay: timedelta = timedelta(hours=2)
    assessment_instruments: list[Literal["phq9", "gad7", "dass21"]] = Field(
        default_factory=lambda: ["phq9", "gad7"]
    )
    assessment_interval: timedelta = timedelta(days=28)
    form_valid_for: timedelta = timedelta(days=7)
    onboarding_window: timedelta = Field(
        timedelta(days=30),
        description="A client whose EHR record was created this recently is new: welcomed once.",
    )
    nudge_interval: timedelta = timedelta(days=3)
    max_nudges: int = 3
    refill_notice: timedelta = timedelta(days=7)
    discharge_window: timedelta = timedelta(days=14)
    resource_interval: timedelta = timedelta(days=14)
    library: list[Resource] = Field(default_factory=lambda: list(DEFAULT_LIBRARY))
    programs: list[WellnessProgram] = Field(default_factory=lambda: list(DEFAULT_PROGRAMS))
    lease: timedelta = timedelta(minutes=5)
    retry_after: timedelta = timedelta(minutes=15)
    max_attempts: int = 5
