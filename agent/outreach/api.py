"""HTTP endpoints of the portal's one-time assessment forms, for the server to mount:
`app.include_router(forms_router(collector, policy=..., clock=...))`.

GET /forms/{token} returns the questionnaire to render; POST /forms/{token} takes the answers.
Bad input is a 4xx naming the field; a used or expired link is 410. The client never sees
scores; if the answers raise a crisis alert the reply carries the practice's static safety
message so the portal can show it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from agent.outreach.assessments import AssessmentCollector, FormUnavailable, Submission
from agent.outreach.instruments import INSTRUMENTS, InvalidAnswers
from agent.policy import PracticePolicy
from tools.ehr.errors import EHRError


class FormItem(BaseModel):
    number: int
    text: str


class FormView(BaseModel):
    title: str
    stem: str
    choices: list[str]
    items: list[FormItem]


class Receipt(BaseModel):
    status: str = "received"
    safety_message: str | None = None


def forms_router(
    collector: AssessmentCollector,
    *,
    policy: Callable[[], PracticePolicy],
    clock: Callable[[], datetime],
) -> APIRouter:
    router = APIRouter(prefix="/forms", tags=["assessments"])

    def open_form(token: str) -> dict:
        form = collector.store.form(token)
        if form is None:
            raise HTTPException(404, "form: unknown link")
        if form["status"] != "open" or datetime.fromisoformat(form["expires_at"]) <= clock():
            raise HTTPException(410, "form: this link was already used or has expired")
        return form

    @router.get("/{token}", response_model=FormView, responses={404: {}, 410: {}},
                summary="The questionnaire behind a one-time portal link")
    def show(token: str) -> FormView:
        instrument = INSTRUMENTS[open_form(token)["instrument"]]
        return FormView(
            title=instrument.title,
            stem=instrument.stem,
            choices=instrument.choices,
            items=[FormItem(number=i.number, text=i.text) for i in instrument.items],
        )

    @router.post("/{token}", response_model=Receipt,
                 responses={404: {}, 410: {}, 422: {}, 503: {}},
                 summary="Submit answers (item number -> 0..3); safety message on a crisis")
    def submit(token: str, submission: Submission) -> Receipt:
        open_form(token)
        try:
            outcome = collector.submit(token, submission, now=clock())
        except InvalidAnswers as exc:
            raise HTTPException(422, str(exc)) from None
        except FormUnavailable as exc:
            raise HTTPException(410, str(exc)) from None
        except EHRError:
            # Any crisis alert was raised before the chart write; the form stays open for a retry.
            raise HTTPException(
                503, "the practice's records system is unavailable; please submit again shortly"
            ) from None
        current = policy()
        if outcome.alert_id and current.safety_message_enabled:
            return Receipt(safety_message=current.safety_message)
        return Receipt()

    return router
