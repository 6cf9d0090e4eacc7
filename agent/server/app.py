"""The FastAPI application: EHR webhooks in, review inbox and admin pages, health and metrics.

`Services` holds what every route and worker shares (settings, database, EHR, crisis screen,
metrics, the assistant built once on first use); `create_app` wires routes to it. Run it with
`python -m agent.server.cli serve` (or `make run`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from agent.server.ingress import EhrEvent, Ingress, IngressError, IngressReceipt
from agent.server.metrics import Metrics
from agent.server.outreach import OutreachTimer
from agent.server.workers import EventProcessor, WorkerPool
from agent.settings import Settings
from agent.store.db import Database
from agent.store.inbox import Inbox

log = logging.getLogger("practice.server")


@dataclass
class Services:
    """Everything a server or worker process shares; built once per process."""

    settings: Settings
    db: Database
    ehr: Any
    crisis_screen: Any
    metrics: Metrics
    assistant_factory: Callable[[], Any]
    _assistant: Any = None
    _outreach: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        db: Database | None = None,
        ehr: Any = None,
        crisis_screen: Any = None,
        assistant_factory: Callable[[], Any] | None = None,
    ) -> Services:
        db = db or Database.from_settings(settings)
        db.create_all()
        if ehr is None:
            from tools.ehr import open_ehr

            ehr = open_ehr(settings)
        if crisis_screen is None:
            # The inline screen never calls an LLM: an alert must not wait on the network.
            from agent.safety.crisis import CrisisScreen

            crisis_screen = CrisisScreen(llm=None)
        if assistant_factory is None:
            def assistant_factory() -> Any:
                from agent.assistant import Assistant

                return Assistant.from_settings(settings, db)

        return cls(settings=settings, db=db, ehr=ehr, crisis_screen=crisis_screen,
                   metrics=Metrics(db), assistant_factory=assistant_factory)

    def assistant(self) -> Any:
        """The assistant (models, graph, checkpointer), built on first use and then shared."""
        if self._assistant is None:
            with self._lock:
                if self._assistant is None:
                    self._assistant = self.assistant_factory()
        return self._assistant

    def outreach(self) -> Any:
        """The outreach scheduler (no-show model fitted on the EHR's history), built on first
        use and then shared by the timer, the workers and reviewer decisions."""
        if self._outreach is None:
            with self._lock:
                if self._outreach is None:
                    from agent.outreach.scheduler import OutreachScheduler

                    self._outreach = OutreachScheduler.from_settings(
                        self.settings, ehr=self.ehr, db=self.db)
        return self._outreach

    def ingress(self, on_accepted: Callable[[], None] | None = None) -> Ingress:
        return Ingress(self.settings, self.db, ehr=self.ehr, crisis_screen=self.crisis_screen,
                       metrics=self.metrics, on_accepted=on_accepted)

    def worker_pool(self, threads: int | None = None) -> WorkerPool:
        processor = EventProcessor(self.db, assistant=self.assistant, ehr=self.ehr,
                                   metrics=self.metrics, outreach=self.outreach)
        return WorkerPool(Inbox(self.db), processor, settings=self.settings,
                          metrics=self.metrics, threads=threads)


# The webhook body's schema (the events, chosen by `type`) for the OpenAPI spec: the route reads
# the raw body itself, since the signature is computed over the exact bytes.
_EVENT_DEFS = EhrEvent.json_schema(ref_template="#/components/schemas/{model}").pop("$defs")
_EVENT_SCHEMA = {k: v for k, v in EhrEvent.json_schema(
    ref_template="#/components/schemas/{model}").items() if k != "$defs"}


async def _read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it exceeds `limit` without reading the rest."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise IngressError(413, f"body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise IngressError(413, f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(services: Services, *, start_workers: bool = True) -> FastAPI:
    settings = services.settings
    pool = services.worker_pool() if start_workers and settings.worker_threads > 0 else None
    timer = (OutreachTimer(services.outreach, services.ehr.now, settings.outreach_tick_s)
             if start_workers and settings.outreach_tick_s > 0 else None)
    ingress = services.ingress(on_accepted=pool.wake if pool else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if pool is not None:
            pool.start()
        if timer is not None:
            timer.start()
        log.info("server started workers=%s outreach_tick_s=%s", pool.threads if pool else 0,
                 timer.interval_s if timer else 0)
        yield
        if timer is not None:
            await run_in_threadpool(timer.stop)
        if pool is not None:
            await run_in_threadpool(pool.stop)
        await run_in_threadpool(ingress.close)

    app = FastAPI(
        title="Practice Assistant",
        summary="EHR webhooks in; clinician review inbox; governance.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.services = services

    @app.exception_handler(IngressError)
    async def _ingress_error(_request: Request, exc: IngressError) -> JSONResponse:
        if exc.status != 503:
            services.metrics.webhooks.labels(result=f"rejected_{exc.status}").inc()
        body: dict[str, Any] = {"error": exc.reason}
        if exc.fields:
            body["fields"] = exc.fields
        return JSONResponse(body, status_code=exc.status)

    @app.post(
        "/webhooks/ehr",
        status_code=202,
        response_model=IngressReceipt,
        tags=["webhooks"],
        summary="EHR event (message.created, client_created, session_completed, "
        "episode_closed, appointment_changed), HMAC-SHA256 signed",
        description=(
            "Headers: X-Practice-Timestamp (unix seconds) and X-Practice-Signature "
            "(`v1=` + hex HMAC-SHA256 of `timestamp + '.' + body`). Body: one event, chosen by "
            "`type`. `message.created` (data: client_id, thread_id, message_id, text) is "
            "crisis-screened before the answer. `client_created` (onboarding), "
            "`session_completed` (check-in; data.appointment_id), `episode_closed` (discharge; "
            "data.episode_id) and `appointment_changed` (reminders; data.appointment_id) carry "
            "data.client_id and start that client's outreach on a worker. Every event is "
            "idempotent on event_id (a redelivery answers `duplicate` and changes nothing). "
            "202 once the event is durable; 401 bad/missing signature or stale timestamp; 413 "
            "oversized; 422 malformed (the `fields` list names each bad field) or unknown client."
        ),
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": _EVENT_SCHEMA}}}},
        responses={401: {}, 413: {}, 422: {}, 503: {}},
    )
    async def webhook(request: Request) -> IngressReceipt:
        started = time.perf_counter()
        body = await _read_limited(request, settings.webhook_max_body_bytes)
        headers = {k.lower(): v for k, v in request.headers.items()}
        return await run_in_threadpool(ingress.receive, body, headers, started)

    @app.get("/healthz", tags=["ops"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Database reachable and workers alive")
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            services.db.ping()
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = type(exc).__name__
        if pool is not None:
            checks["workers"] = "ok" if pool.alive() else "stopped"
        if timer is not None:
            checks["outreach"] = "ok" if timer.alive() else "stopped"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    def metrics() -> Response:
        return PlainTextResponse(generate_latest(services.metrics.registry),
                                 media_type=CONTENT_TYPE_LATEST)

    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        """The generated spec plus the event schemas the webhook body refers to."""
        if app.openapi_schema is None:
            spec = default_openapi()
            spec.setdefault("components", {}).setdefault("schemas", {}).update(_EVENT_DEFS)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # The portal's one-time PHQ-9 / GAD-7 / DASS-21 links (the outreach assessment workflow):
    # the answers' crisis alert is raised before the reply, with the same inline screen.
    from agent.outreach.api import forms_router
    from agent.outreach.assessments import AssessmentCollector
    from agent.store.policy_store import PolicyStore

    app.include_router(forms_router(
        AssessmentCollector(ehr=services.ehr, db=services.db, crisis=services.crisis_screen),
        policy=PolicyStore(services.db).current, clock=services.ehr.now))

    from agent.server.pages import register_pages

    register_pages(app, services)
    return app
