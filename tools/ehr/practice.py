"""The practice itself: name, address, phone, time zone, opening hours and cancellation terms.

One record, so every part of the product speaks for the same practice: the sandbox seeds its
calendar inside these hours and prints this address on in-person visits, the FHIR facade serves it
as Organization + Location, and drafts quote it. The sandbox practice IS the practice the knowledge
base corpus describes (`knowledge/corpus/*.md`: Harborview Counseling Group, Portland, ME); a test
reads the corpus and fails if the two drift apart.
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field


class OpeningHours(BaseModel):
    """One weekday's appointment hours in the practice's zone (weekday: Monday=0)."""

    model_config = ConfigDict(frozen=True)

    weekday: int = Field(ge=0, le=6)
    opens: time
    closes: time
    telehealth_only: bool = False


class Practice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    street: str
    suite: str
    city: str
    region: str
    postal_code: str
    phone: str
    website: str
    timezone: str
    hours: tuple[OpeningHours, ...]
    late_cancel_hours: float
    #: What a reviewer and the client see when a change falls inside the cancellation window
    #: (the corpus's cancellation policy, in one sentence each).
    late_cancel_fee_notice: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.suite}, {self.city}, {self.region} {self.postal_code}"

    @property
    def office_location(self) -> str:
        """How an in-person appointment names its place."""
        return f"{self.name}, {self.address}"

    def hours_on(self, weekday: int) -> OpeningHours | None:
        return next((h for h in self.hours if h.weekday == weekday), None)


HARBORVIEW = Practice(
    name="Harborview Counseling Group",
    street="418 Harbor Street",
    suite="Suite 300",
    city="Portland",
    region="ME",
    postal_code="04101",
    phone="(207) 555-0142",
    website="harborviewcounseling.com",
    timezone="America/New_York",
    hours=(
        *(OpeningHours(weekday=d, opens=time(8), closes=time(20)) for d in range(4)),
        OpeningHours(weekday=4, opens=time(8), closes=time(17)),
        OpeningHours(weekday=5, opens=time(9), closes=time(13), telehealth_only=True),
    ),
    late_cancel_hours=48.0,
    late_cancel_fee_notice=(
        "Harborview Counseling Group asks for 48 hours' notice. A late cancellation fee of $100 "
        "for a therapy session ($150 for a psychiatric or medication-management visit) may "
        "apply. We waive it once per calendar year, and MaineCare members are never charged."
    ),
)
