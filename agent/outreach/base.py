"""What every outreach workflow is: it plans sends (deterministic keys) from EHR state, and at
send time composes the message from fresh EHR state, or says why it must be skipped or wait.

Planning only decides *that* and *when*; composing re-reads the record, so a reminder for an
appointment cancelled since planning, or a nudge for a form completed since, is never sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from agent.outreach.config import OutreachConfig
from agent.outreach.noshow import NoShowModel
from agent.policy import PracticePolicy
from agent.store.alerts import AlertStore
from agent.store.outreach import OutreachStore, PlannedSend, SendRecord
from agent.store.review import ReviewQueue
from tools.ehr.base import EHR
from tools.ehr.models import Client


class Compose(BaseModel):
    """A message to send: template + structured values, and whether a clinician must approve."""

    template: str
    values: dict[str, str]
    subject: str
    force_review: bool = False
    review_reason: str | None = None
    clinical: bool = False
    links: list[str] = Field(default_factory=list)


class Skip(BaseModel):
    """The trigger no longer holds (appointment cancelled, form done...): never send this one."""

    reason: str


class Defer(BaseModel):
    """Not now (e.g. an open crisis pauses a program): look again at `until`."""

    until: datetime
    reason: str


@dataclass
class OutreachContext:
    """Everything a workflow may read, for one scheduler pass at one moment."""

    ehr: EHR
    store: OutreachStore
    alerts: AlertStore
    review: ReviewQueue
    config: OutreachConfig
    policy: PracticePolicy
    now: datetime
    noshow: NoShowModel | None = None
    bulk: bool = False
    _sends: dict[tuple[str, str], list[SendRecord]] | None = field(default=None, repr=False)
    _forms: dict[tuple[str, str], list[dict[str, Any]]] | None = field(default=None, repr=False)

    def sends(self, client_id: str, workflow: str) -> list[SendRecord]:
        """This client's sends of one workflow. A planning pass (`bulk`) reads every send once
        as of the pass's start instead of once per client; a delivery pass reads fresh rows."""
        if not self.bulk:
            return self.store.sends(client_id=client_id, workflow=workflow)
        if self._sends is None:
            self._sends = {}
            for send in self.store.sends():
                self._sends.setdefault((send.client_id, send.workflow), []).append(send)
        return self._sends.get((client_id, workflow), [])

    def forms(self, client_id: str, instrument: str) -> list[dict[str, Any]]:
        """Assessment forms issued to the client (read once per pass when `bulk`)."""
        if not self.bulk:
            return self.store.forms_for(client_id, instrument)
        if self._forms is None:
            self._forms = {}
            for form in self.store.all_forms():
                self._forms.setdefault((form["client_id"], form["instrument"]), []).append(form)
        return self._forms.get((client_id, instrument), [])


class Workflow(Protocol):
    name: str
    priority: int

    def plan(self, client: Client, ctx: OutreachContext) -> list[PlannedSend]: ...

    def compose(
        self, send: SendRecord, client: Client, ctx: OutreachContext
    ) -> Compose | Skip | Defer: ...


def greeting(client: Client) -> dict[str, str]:
    """Who the message addresses: the client, or a minor's guardian about the client."""
    if client.is_minor and client.guardian is not None:
        return {"name": client.guardian.name.split()[0], "whose": f"{client.display_name}'s"}
    return {"name": client.display_name, "whose": "your"}


def local_when(moment: datetime, timezone: str) -> str:
    """'Tuesday, March 3 at 2:00 PM EST' in the client's own zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%A, %B} {local.day} at {hour}:{local:%M %p} {local.tzname()}"


def at_risk(client_id: str, ctx: OutreachContext) -> bool:
    """An open crisis alert (product alert or EHR Flag) for the client. Errors count as at risk."""
    try:
        if ctx.alerts.list_open(client_ids={client_id}, limit=1):
            return True
        return bool(ctx.ehr.active_alerts(client_id))
    except Exception:  # noqa: BLE001 - fail closed: unknown risk is treated as risk
        return True
