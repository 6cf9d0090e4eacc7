"""Ingress: turn one signed EHR webhook into a durable inbox row and, for a crisis, an alert row,
before the EHR gets its answer.

Order matters for safety: (1) authenticate, (2) validate, (3) screen for crisis inline, (4) commit
the event and its alert in one transaction, (5) answer 202. Nothing is acknowledged before it is
durable, and no acknowledged crisis lacks its alert row. The graph runs later on a worker. A
redelivered event is answered from the inbox row without side effects. Every failure a sender can
cause is a 4xx with a reason; a failure of ours answers 503 so the EHR redelivers.

Two lanes, so an alert never waits behind routine traffic: the crisis screen's word layer (a few
milliseconds, `CrisisScreen.read`) runs first on the request's own thread, and a message it
already flags goes straight to the commit. The rest get the embedding layer
(`CrisisScreen.finish`) in batches on one screening thread, which keeps throughput up under load.

Both lanes end at one committer thread that writes whatever deliveries are waiting in a single
transaction (group commit). SQLite has one write lock: when each request committed on its own,
a crisis waited behind a queue of small transactions, each stretched by the other threads'
turns at the interpreter lock, so one transaction cost about as much as a group does.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from agent.server import signing
from agent.server.metrics import Metrics
from agent.settings import Settings
from agent.store.alerts import AlertStore
from agent.store.audit import AuditLog
from agent.store.db import Database
from agent.store.inbox import Inbox
from tools.ehr.errors import ClientNotFound, EHRError

log = logging.getLogger("practice.ingress")

CLINICIAN_TTL_S = 30.0
CLINICIAN_CACHE_SIZE = 50_000  # more clients than any one practice has; cleared when reached


class MessageCreatedData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=80)
    thread_id: str = Field(min_length=1, max_length=200)
    message_id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    sent_at: AwareDatetime | None = None
    in_reply_to: str | None = Field(None, max_length=200)


class MessageCreatedEvent(BaseModel):
    """`message.created`: a client posted a portal message."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    type: Literal["message.created"]
    occurred_at: AwareDatetime
    data: MessageCreatedData


class OutreachEventData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=80)
    appointment_id: str | None = Field(None, min_length=1, max_length=200)
    episode_id: str | None = Field(None, min_length=1, max_length=200)


class OutreachEvent(BaseModel):
    """An EHR change that starts, advances or stops outreach for one client:
    `client_created` (onboarding), `session_completed` (check-in; needs `data.appointment_id`),
    `episode_closed` (discharge; needs `data.episode_id`), `appointment_changed` (reminders
    re-planned; needs `data.appointment_id`). The scheduler re-reads the client's record, so the
    event only says *who* and *why now*."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    type: Literal["client_created", "session_completed", "episode_closed", "appointment_changed"]
    occurred_at: AwareDatetime
    data: OutreachEventData

    @model_validator(mode="after")
    def _names_its_subject(self) -> OutreachEvent:
        needed = {"session_completed": "appointment_id", "appointment_changed": "appointment_id",
                  "episode_closed": "episode_id"}.get(self.type)
        if needed and getattr(self.data, needed) is None:
            raise PydanticCustomError("missing", "data.{field} is required for {type} events",
                                      {"field": needed, "type": self.type})
        return self


OUTREACH_EVENT_TYPES = ("client_created", "session_completed", "episode_closed",
                        "appointment_changed")
EhrEvent = TypeAdapter(
    Annotated[MessageCreatedEvent | OutreachEvent, Field(discriminator="type")]
)


def parse_event(body: bytes) -> MessageCreatedEvent | OutreachEvent:
    """The event in `body`; IngressError 422 naming every bad field (`type` if unknown)."""
    try:
        return EhrEvent.validate_json(body)
    except ValidationError as exc:
        fields = validation_fields(exc)
        named = ", ".join(f["field"] for f in fields[:5])
        raise IngressError(422, f"invalid event: {named}", fields) from None


class IngressError(Exception):
    """A request the server refuses; `status` is the HTTP code, `reason` names the problem."""

    def __init__(self, status: int, reason: str, fields: list[dict[str, str]] | None = None):
        super().__init__(reason)
        self.status, self.reason, self.fields = status, reason, fields or []


class IngressReceipt(BaseModel):
    event_id: str
    status: Literal["accepted", "duplicate"]
    crisis: bool
    alert_id: str | None = None


def validation_fields(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as [{field, error}] with dotted field paths (no input values echoed).

    The event type that chose the schema is dropped from the path ("data.text", not
    "message.created.data.text"); an unknown or missing type is reported as `type`; an event
    rule names its own field (`data.episode_id`)."""
    fields = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = list(err["loc"])
        if loc and loc[0] in ("message.created", *OUTREACH_EVENT_TYPES):
            loc = loc[1:]
        if err["type"].startswith("union_tag"):
            loc = ["type"]
        elif not loc and "field" in (err.get("ctx") or {}):
            loc = ["data", err["ctx"]["field"]]
        fields.append({"field": ".".join(str(p) for p in loc) or "body", "error": err["msg"]})
    return fields


class Ingress:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        ehr: Any,
        crisis_screen: Any,
        metrics: Metrics,
        on_accepted=None,
    ):
        self.settings = settings
        self.db = db
        self.inbox = Inbox(db)
        self.alerts = AlertStore(db)
        self.audit = AuditLog(db)
        self.ehr = ehr
        self.crisis_screen = crisis_screen
        self.metrics = metrics
        self.secrets = signing.webhook_secrets(settings)
        self.on_accepted = on_accepted or (lambda: None)
        self._screening = _Batcher(self._finish_all, name="ingress-screening")
        self._commits = _Batcher(self._commit, name="ingress-commit")
        self._clinicians: dict[str, tuple[float, str]] = {}

    def receive(self, body: bytes, headers: dict[str, str], started: float) -> IngressReceipt:
        """Handle one delivery (`headers` with lower-case names); raise IngressError to refuse."""
        if len(body) > self.settings.webhook_max_body_bytes:
            raise IngressError(413, f"body exceeds {self.settings.webhook_max_body_bytes} bytes")
        try:
            signing.verify(
                self.secrets,
                timestamp=headers.get(signing.TIMESTAMP_HEADER.lower()),
                signature=headers.get(signing.SIGNATURE_HEADER.lower()),
                body=body,
                window_s=self.settings.webhook_replay_window_s,
            )
        except signing.SignatureError as exc:
            raise IngressError(401, str(exc)) from None
        event = parse_event(body)
        # A redelivery is not looked up first (that read was a quarter of a webhook's cost):
        # the commit's insert-once finds it and answers from the stored row, writing nothing.
        clinician_id = self._clinician_of(event.data.client_id)
        if isinstance(event, OutreachEvent):
            receipt = self._store_outreach(event)
        else:
            receipt = self._store(event, clinician_id, started)
        self.metrics.webhooks.labels(result=receipt.status).inc()
        if receipt.status == "accepted":
            self.on_accepted()
        log.info("webhook event=%s client=%s status=%s crisis=%s alert=%s", event.event_id,
                 event.data.client_id, receipt.status, receipt.crisis, receipt.alert_id)
        return receipt

    def _clinician_of(self, client_id: str) -> str | None:
        """The client's clinician; an unknown client is the sender's error (422). An EHR outage
        must not lose the message, so it is accepted without the clinician (the graph finds it).

        A known client's clinician is remembered for CLINICIAN_TTL_S: reading the record was a
        third of a webhook's cost, and a reassignment reaches alerts within that time (the
        graph's crisis branch reads the record fresh and pages the on-call contact too)."""
        now = time.monotonic()
        known = self._clinicians.get(client_id)
        if known is not None and now - known[0] < CLINICIAN_TTL_S:
            return known[1]
        try:
            clinician_id = self.ehr.get_client(client_id).clinician_id
        except ClientNotFound:
            raise IngressError(422, "data.client_id: unknown client",
                               [{"field": "data.client_id", "error": "unknown client"}]) from None
        except EHRError as exc:
            log.warning("client lookup failed client=%s error=%s", client_id, type(exc).__name__)
            return None
        if len(self._clinicians) >= CLINICIAN_CACHE_SIZE:
            self._clinicians.clear()
        self._clinicians[client_id] = (now, clinician_id)
        return clinician_id

    def close(self) -> None:
        self._screening.close()
        self._commits.close()

    def _store(
        self, event: MessageCreatedEvent, clinician_id: str | None, started: float
    ) -> IngressReceipt:
        pending = _Pending(event, clinician_id, self.crisis_screen.read(event.data.text))
        if pending.reading.result.crisis:  # the wording alone says so (or the read failed closed)
            result = pending.reading.result
        else:
            result = self._screening.submit(pending.reading)
        receipt = self._commits.submit((pending, result))
        if receipt.crisis and receipt.status == "accepted":
            self.metrics.alert_latency.observe(time.perf_counter() - started)
        return receipt

    def _store_outreach(self, event: OutreachEvent) -> IngressReceipt:
        """An outreach trigger carries no client text, so nothing to screen: it is made durable
        and a worker hands it to the outreach scheduler (`agent.server.outreach`)."""
        try:
            acceptance = self.inbox.accept(
                event_id=event.event_id, kind=event.type, client_id=event.data.client_id,
                payload=event.model_dump(mode="json"), crisis="none",
            )
        except Exception as exc:  # noqa: BLE001 - ours, not the sender's: they redeliver
            log.error("outreach event store failed event=%s error=%s", event.event_id,
                      type(exc).__name__)
            raise IngressError(503, "the event could not be stored; retry") from None
        return IngressReceipt(event_id=event.event_id,
                              status="duplicate" if acceptance.duplicate else "accepted",
                              crisis=False)

    def _commit(self, batch: list[tuple[_Pending, Any]]) -> list[IngressReceipt]:
        """Screened deliveries with their alerts in ONE transaction, before any of their 202s.

        The screen ran before this: if the process dies while screening, nothing was acknowledged
        and the EHR redelivers; once a 202 is sent, its event and alert are durable."""
        receipts = []
        with self.db.write() as conn:
            for pending, result in batch:
                event, data = pending.event, pending.event.data
                severity = (result.severity or "elevated") if result.crisis else None
                alert_id = None
                if severity:
                    alert_id = self.alerts.create(
                        message_id=data.message_id, client_id=data.client_id,
                        clinician_id=pending.clinician_id, severity=severity,
                        categories=list(result.categories), evidence=list(result.evidence),
                        thread_id=data.thread_id, actor="system:ingress", conn=conn,
                    )
                acceptance = self.inbox.accept(
                    event_id=event.event_id, kind=event.type, client_id=data.client_id,
                    thread_id=data.thread_id, message_id=data.message_id,
                    payload=event.model_dump(mode="json"), crisis=severity or "none",
                    alert_id=alert_id, conn=conn,
                )
                if severity and not acceptance.duplicate:
                    self.metrics.alerts.labels(severity=severity).inc()
                receipts.append(IngressReceipt(
                    event_id=event.event_id,
                    status="duplicate" if acceptance.duplicate else "accepted",
                    crisis=acceptance.alert_id is not None, alert_id=acceptance.alert_id,
                ))
        return receipts

    def _finish_all(self, readings: list[Any]) -> list[Any]:
        """The screen's embedding layer for the deliveries that arrived together, falling back to
        `screen` per text (which never raises: fail closed). One `finish` (one embedding call) for
        a batch is what keeps the screen inline under load: 8 texts embed much faster together."""
        try:
            results = self.crisis_screen.finish(readings)
            if len(results) == len(readings):
                return list(results)
        except Exception as exc:  # noqa: BLE001
            log.error("batch crisis screen failed error=%s; screening singly",
                      type(exc).__name__)
        return [self.crisis_screen.screen(reading.text) for reading in readings]


@dataclass
class _Pending:
    event: MessageCreatedEvent
    clinician_id: str | None
    reading: Any  # the crisis screen's word layer (`CrisisScreen.read`), done on arrival


class _Batcher:
    """Coalesces concurrent deliveries into batches handled by one thread (`handle` maps a batch
    to one result per item).

    `submit` blocks its (request) thread until its batch is handled. There is no waiting to
    fill a batch: the thread takes whatever has arrived, so a lone request goes alone at once.
    """

    def __init__(self, handle: Callable[[list[Any]], list[Any]], *, name: str,
                 max_batch: int = 32):
        self._handle = handle
        self._max = max_batch
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: Any) -> Any:
        future: Future = Future()
        self._queue.put((item, future))
        try:
            return future.result()
        except Exception as exc:
            log.error("%s failed error=%s", self._thread.name, type(exc).__name__)
            raise IngressError(503, "the event could not be stored; retry") from None

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    self._queue.put(None)
                    break
                batch.append(following)
            self._settle(batch)

    def _settle(self, batch: list[tuple[Any, Future]]) -> None:
        """Handle a batch; if it fails, handle its items one by one, so one bad delivery cannot
        take the others down with it (its own waiter gets the error: 503, redelivery)."""
        try:
            results = self._handle([item for item, _future in batch])
        except Exception as exc:  # noqa: BLE001
            if len(batch) > 1:
                for single in batch:
                    self._settle([single])
                return
            batch[0][1].set_exception(exc)
            return
        for (_item, future), result in zip(batch, results, strict=True):
            future.set_result(result)
