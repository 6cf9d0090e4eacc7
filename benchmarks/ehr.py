"""EHR layer speed: the FHIR adapter over loopback HTTP against the in-process sandbox (baseline).

Run: `python -m benchmarks.ehr [--rounds N]`. Both adapters serve the same seeded practice; for each
operation the graph uses per message (client context, slot search, a booking and its cancel, an
idempotent replay of a booking) it prints the median latency of each adapter and the ratio
FHIR / sandbox, all measured in this process. Bounded: N rounds per operation (default 15).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tools.ehr.base import EHR
from tools.ehr.clock import SimulatedClock
from tools.ehr.fhir import FhirEHR, SmartAuth
from tools.ehr.fhir_facade import FacadeAuth, FacadeServer
from tools.ehr.sandbox import SandboxEHR

ANCHOR = date(2026, 11, 25)


def _median_ms(action: Callable[[int], object], rounds: int) -> float:
    samples = []
    for i in range(rounds):
        started = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _operations(ehr: EHR, tag: str) -> dict[str, Callable[[int], object]]:
    client = next(
        c for c in ehr.list_clients(clinician_id="clin-chen") if ehr.upcoming_appointments(c.id)
    )
    now = ehr.now()
    slots = ehr.open_slots("clin-chen", now + timedelta(days=1), now + timedelta(days=28))

    def book_and_cancel(i: int) -> None:
        booked = ehr.book(client.id, slots[i % len(slots)].id, request_id=f"{tag}-book-{i}")
        ehr.cancel(client.id, booked.id, request_id=f"{tag}-cancel-{i}")

    replay_slot = slots[-1].id
    ehr.book(client.id, replay_slot, request_id=f"{tag}-replay")
    return {
        "client_context": lambda i: ehr.client_context(client.id),
        "open_slots_14d": lambda i: ehr.open_slots("clin-chen", now, now + timedelta(days=14)),
        "book_then_cancel": book_and_cancel,
        "idempotent_replay": lambda i: ehr.book(client.id, replay_slot, request_id=f"{tag}-replay"),
    }


def main(rounds: int) -> None:
    clock = SimulatedClock(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with tempfile.TemporaryDirectory() as tmp:
        baseline = SandboxEHR(Path(tmp) / "a.db", anchor=ANCHOR, clock=clock)
        served = SandboxEHR(Path(tmp) / "b.db", anchor=ANCHOR, clock=clock)
        server = FacadeServer(served, FacadeAuth({"bench": public}))
        base = server.start()
        http = httpx.Client(timeout=10)
        auth = SmartAuth(
            f"{base}/auth/token", "bench", private, "system/*.read system/*.write", http=http
        )
        fhir = FhirEHR(f"{base}/fhir", auth=auth, http=http, clock=clock)
        try:
            local_ops = _operations(baseline, "local")
            fhir_ops = _operations(fhir, "fhir")
            header = f"{'operation':<20}{'sandbox ms':>12}{'fhir ms':>12}{'ratio':>8}"
            print(f"{header}   (median of {rounds})")
            for name in local_ops:
                local = _median_ms(local_ops[name], rounds)
                remote = _median_ms(fhir_ops[name], rounds)
                print(f"{name:<20}{local:>12.2f}{remote:>12.2f}{remote / local:>8.1f}x")
        finally:
            http.close()
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    main(max(1, min(parser.parse_args().rounds, 200)))
