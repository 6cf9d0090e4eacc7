"""Graph workers: drain the inbox through the assistant; what needs a human goes to review.

Each worker thread claims one event under a lease, runs `Assistant.handle_message`, records the
outcome (a draft or hand-off becomes a review item; a crisis already has its alert) and marks the
event done. A failure is retried with backoff; after `worker_max_attempts` the event is parked
for an admin AND handed to the client's clinician as a "reply yourself" item, so a message the
assistant cannot process still reaches a human (fail closed). Workers run inside the server
process (threads) and as separate processes (`python -m agent.server.workers`) against one
PostgreSQL for scale-out; the inbox's claim guarantees each event is processed by one of them.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from agent.server.metrics import Metrics
from agent.server.outreach import handle_outreach_event
from agent.settings import Settings
from agent.state import InboundMessage, TurnOutcome
from agent.store.inbox import Inbox, InboxEvent, error_summary
from agent.store.review import (
    PRIORITY_HIGH,
    PRIORITY_NORMAL,
    PRIORITY_URGENT,
    ReviewItemIn,
    ReviewQueue,
)

log = logging.getLogger("practice.worker")

TIME_SENSITIVE_INTENTS = frozenset({"schedule_change"})


def inbound_message(event: InboxEvent) -> InboundMessage:
    """The graph's input for a `message.created` event."""
    data = event.payload["data"]
    sent = data.get("sent_at") or event.payload.get("occurred_at")
    return InboundMessage(
        event_id=event.event_id, client_id=data["client_id"], thread_id=data["thread_id"],
        message_id=data["message_id"], text=data["text"],
        received_at=datetime.fromisoformat(sent) if sent else datetime.now(UTC),
        in_reply_to=data.get("in_reply_to"),
    )


def priority_of(outcome: TurnOutcome) -> int:
    if outcome.handoff is not None and outcome.handoff.queue == "safety":
        return PRIORITY_URGENT
    if TIME_SENSITIVE_INTENTS & set(outcome.intents) or outcome.guard_findings:
        return PRIORITY_HIGH
    return PRIORITY_NORMAL


class Processed(NamedTuple):
    """An event's outcome summary (stored on the inbox row) and its review item, if any."""

    outcome: str
    review: ReviewItemIn | None = None


class EventProcessor:
    """Runs one inbox event through the assistant and records what a human must do next."""

    def __init__(self, db, *, assistant: Callable[[], Any], ehr: Any, metrics: Metrics,
                 outreach: Callable[[], Any] | None = None):
        self.queue = ReviewQueue(db)
        self._assistant = assistant
        self._outreach = outreach
        self.ehr = ehr
        self.metrics = metrics

    def process(self, event: InboxEvent) -> Processed:
        """Run the event; what a human must do next is returned, not yet queued: the worker
        queues it in the same transaction that marks the event done."""
        if event.kind != "message.created":  # an outreach trigger (client_created, ...)
            if self._outreach is None:
                raise RuntimeError(f"no outreach scheduler for {event.kind} events")
            return Processed(handle_outreach_event(self._outreach(), event, self.ehr.now()))
        message = inbound_message(event)
        outcome = self._assistant().handle_message(message)
        self.metrics.turns.labels(route=outcome.route, status=outcome.status).inc()
        summary = f"{outcome.route}:{outcome.status}"
        flagged_at_intake = event.crisis not in (None, "none")
        if flagged_at_intake and outcome.route != "crisis":
            # Fail closed: intake's screen saw risk, so no AI draft is offered for this message,
            # whatever the graph concluded; a clinician answers it (its alert is pinned).
            return Processed(summary, self._crisis_item(message, outcome))
        if outcome.status == "awaiting_review" or outcome.route == "handoff":
            return Processed(summary, self._review_item(message, outcome))
        return Processed(summary)

    def _crisis_item(self, message: InboundMessage, outcome: TurnOutcome) -> ReviewItemIn:
        return ReviewItemIn(
            turn_id=outcome.thread_id, source="inbound", kind="handoff",
            client_id=message.client_id, clinician_id=self._clinician_of(message.client_id),
            thread_id=message.thread_id, message_id=message.message_id, route="handoff",
            intents=sorted({*outcome.intents, "crisis"}), priority=PRIORITY_URGENT,
            client_message=message.text, notes=outcome.notes,
            routed_because="The crisis screen flagged this message when it arrived (see the "
            "pinned alert); no draft is offered. Please reply yourself.",
        )

    def _review_item(self, message: InboundMessage, outcome: TurnOutcome) -> ReviewItemIn:
        handoff = outcome.handoff
        if outcome.route == "handoff":
            because = handoff.reason if handoff else "the assistant may not draft for this message"
        else:
            because = "routine message on the practice's allowlist: a draft awaits approval"
        return ReviewItemIn(
            turn_id=outcome.thread_id, source="inbound",
            kind="draft" if outcome.draft and outcome.interrupt else "handoff",
            client_id=message.client_id, clinician_id=self._clinician_of(message.client_id),
            thread_id=message.thread_id, message_id=message.message_id, route=outcome.route,
            intents=outcome.intents, priority=priority_of(outcome),
            client_message=message.text, draft=outcome.draft,
            metadata=outcome.metadata.model_dump(mode="json") if outcome.metadata else None,
            guard_findings=[f.model_dump() for f in outcome.guard_findings],
            sources=outcome.metadata.sources if outcome.metadata else [],
            handoff=handoff.model_dump(mode="json") if handoff else None,
            interrupt=outcome.interrupt, notes=outcome.notes, routed_because=because,
        )

    def hand_to_human(self, event: InboxEvent, error: str) -> None:
        """The assistant gave up on this message: a clinician gets it to answer themselves.
        (A parked outreach trigger carries no client message: the admin's parked list has it.)"""
        if event.kind != "message.created":
            return
        message = inbound_message(event)
        self.queue.enqueue(ReviewItemIn(
            turn_id=f"{message.thread_id}:{message.message_id}", source="inbound",
            kind="handoff", client_id=message.client_id,
            clinician_id=self._clinician_of(message.client_id), thread_id=message.thread_id,
            message_id=message.message_id, route="handoff", intents=[],
            priority=PRIORITY_HIGH, client_message=message.text,
            routed_because="The assistant could not process this message; please read and "
            f"reply yourself. ({error})",
        ))

    def _clinician_of(self, client_id: str) -> str | None:
        try:
            return self.ehr.get_client(client_id).clinician_id
        except Exception as exc:  # noqa: BLE001 - the item is still queued, scoped by client id
            log.warning("client lookup failed client=%s error=%s", client_id, type(exc).__name__)
            return None


class WorkerPool:
    """N threads claiming inbox events; `wake()` cuts the idle wait when a webhook lands."""

    def __init__(
        self,
        inbox: Inbox,
        processor: EventProcessor,
        *,
        settings: Settings,
        metrics: Metrics,
        threads: int | None = None,
        poll_s: float = 1.0,
    ):
        self.inbox = inbox
        self.processor = processor
        self.metrics = metrics
        self.threads = settings.worker_threads if threads is None else threads
        self.lease_s = settings.worker_lease_s
        self.max_attempts = settings.worker_max_attempts
        self.poll_s = poll_s
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.threads):
            thread = threading.Thread(target=self._loop, args=(f"{self.worker_id}:{n}",),
                                      name=f"graph-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads.clear()

    def alive(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def wake(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def run_once(self, worker_id: str | None = None) -> str | None:
        """Claim and process one event; its event id, or None when nothing was due."""
        worker_id = worker_id or f"{self.worker_id}:once"
        event = self.inbox.claim(worker_id, lease_s=self.lease_s)
        if event is None:
            return None
        try:
            processed = self.processor.process(event)
            completed = self._record(event, processed, worker_id)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
            error = error_summary(exc)
            status = self.inbox.fail(event.event_id, worker_id, error=error,
                                     max_attempts=self.max_attempts)
            self.metrics.event_failures.labels(result=status).inc()
            log.error("event failed event=%s attempt=%s status=%s error=%s", event.event_id,
                      event.attempts, status, error)
            if status == "parked":
                self.processor.hand_to_human(event, error)
            return event.event_id
        if not completed:
            log.warning("lease lost before completion event=%s", event.event_id)
        log.info("event processed event=%s outcome=%s", event.event_id, processed.outcome)
        return event.event_id

    def _record(self, event: InboxEvent, processed: Processed, worker_id: str) -> bool:
        """The review item and "done" in one transaction: a crash cannot leave one without the
        other, and the write lock (SQLite has one) is taken once, not twice. False if the lease
        was lost (the item is still queued: it is unique per turn, so the new owner's is the
        same one)."""
        with self.inbox.db.write() as conn:
            if processed.review is not None:
                self.processor.queue.enqueue(processed.review, conn=conn)
            return self.inbox.complete(event.event_id, worker_id, outcome=processed.outcome,
                                       conn=conn)

    def _loop(self, worker_id: str) -> None:
        while not self._stop.is_set():
            try:
                if self.run_once(worker_id) is not None:
                    continue
            except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away
                log.error("worker loop error worker=%s error=%s", worker_id, type(exc).__name__)
            with self._wake:
                self._wake.wait(self.poll_s)


def main() -> None:
    """A worker-only process: `python -m agent.server.workers` (scale-out; see OPERATIONS.md)."""
    from agent.server.app import Services
    from agent.server.logs import configure_logging
    from agent.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    # Graph turns can wait; webhook ingress and its inline crisis screen must not. On a shared
    # machine the worker process yields the CPU to the server process.
    os.nice(settings.worker_nice)
    services = Services.build(settings)
    services.assistant()  # load the models now, then keep the collector off them (see cli.serve)
    gc.collect()
    gc.freeze()
    pool = services.worker_pool(threads=max(settings.worker_threads, 1))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    pool.start()
    log.info("worker process started worker=%s threads=%s", pool.worker_id, pool.threads)
    done.wait()
    pool.stop()


if __name__ == "__main__":
    main()
