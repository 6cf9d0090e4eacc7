"""Clinic-side events the EHR protocol has no write for yet — a client finishing a form, a clinician
closing an episode of care — laid over any EHR for the outreach simulation and its tests.

The protocol reads these records (`outstanding_forms`, `episodes`) but offers no way to change
them; in a real practice they change in the EHR's own UI. `PracticeEvents` wraps an EHR, passes
every call through, and overlays those changes so a month of practice life can be simulated.
It is never used by the product's own runtime path.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.ehr.base import EHR
from tools.ehr.models import Episode, OutstandingForm


class PracticeEvents:
    def __init__(self, ehr: EHR):
        self._ehr = ehr
        self._completed_forms: set[str] = set()
        self._closed_episodes: dict[str, date] = {}
        self._extra_forms: dict[str, list[OutstandingForm]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ehr, name)

    # --- events ------------------------------------------------------------------------------
    def complete_form(self, form_id: str) -> None:
        self._completed_forms.add(form_id)

    def close_episode(self, episode_id: str, on: date) -> None:
        self._closed_episodes[episode_id] = on

    def add_form(self, form: OutstandingForm) -> None:
        self._extra_forms.setdefault(form.client_id, []).append(form)

    # --- overlaid reads ----------------------------------------------------------------------
    def outstanding_forms(self, client_id: str) -> list[OutstandingForm]:
        forms = [*self._ehr.outstanding_forms(client_id), *self._extra_forms.get(client_id, [])]
        return [
            f.model_copy(update={"status": "completed"}) if f.id in self._completed_forms else f
            for f in forms
        ]

    def episodes(self, client_id: str) -> list[Episode]:
        return [
            e.model_copy(update={"status": "closed", "end": self._closed_episodes[e.id]})
            if e.id in self._closed_episodes
            else e
            for e in self._ehr.episodes(client_id)
        ]
