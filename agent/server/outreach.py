"""The outreach scheduler inside the server: a timer that runs `OutreachScheduler.tick` every
`outreach_tick_s` seconds, and the worker step that hands the EHR's outreach events
(`client_created`, `session_completed`, `episode_closed`, `appointment_changed`) to
`OutreachScheduler.on_event`.

Every server process may run the timer against the one database: a send is claimed with a
conditional UPDATE (a lease) before anything is composed or posted, planning inserts only unknown
send keys, a digest is one row per supervisor and day, and the EHR post carries the send key as
its request id. Whichever process wins the claim delivers the message; the others skip it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.store.inbox import InboxEvent

log = logging.getLogger("practice.outreach")


def handle_outreach_event(scheduler: Any, event: InboxEvent, now: datetime) -> str:
    """Plan and deliver what this client's event makes due; the inbox outcome (counts only)."""
    report = scheduler.on_event(event.client_id, now)
    return (f"outreach:{event.kind}:planned={report.planned}:sent={sum(report.sent.values())}"
            f":in_review={sum(report.in_review.values())}")


class OutreachTimer:
    """Runs one scheduler pass every `interval_s` on a daemon thread.

    The first pass comes one interval after start (`python -m agent.server.cli demo`, which
    `make run` calls, runs one at once); a failing pass is logged and the next one tries again,
    since every send's state is in the database.
    """

    def __init__(self, scheduler: Callable[[], Any], clock: Callable[[], datetime],
                 interval_s: float):
        if interval_s <= 0:
            raise ValueError("interval_s must be positive (0 disables the timer: do not build it)")
        self._scheduler = scheduler
        self._clock = clock
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outreach-timer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_once(self) -> Any:
        """One pass (the scheduler's PassReport), or None if it failed."""
        try:
            report = self._scheduler().tick(self._clock())
        except Exception as exc:  # noqa: BLE001 - the next pass retries; state is durable
            log.error("outreach pass failed error=%s", type(exc).__name__)
            return None
        log.info("outreach pass planned=%s sent=%s in_review=%s expired=%s deferred=%s",
                 report.planned, sum(report.sent.values()), sum(report.in_review.values()),
                 sum(report.expired.values()), sum(report.deferred.values()))
        return report

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.run_once()
