"""Shared fixtures for the EHR suites: one seeded practice, reached in-process or over HTTP.

`ehr` is parametrized over both adapters so every behaviour test runs twice: against the
SandboxEHR directly and through FhirEHR -> loopback uvicorn -> FHIR facade -> the same sandbox.
Loaded by test_ehr.py, test_fhir.py and test_scheduling.py through `pytest_plugins`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tools.ehr.clock import SimulatedClock
from tools.ehr.fhir import FhirEHR, SmartAuth
from tools.ehr.fhir_facade import FacadeAuth, FacadeServer
from tools.ehr.sandbox import SandboxEHR

ANCHOR = date(2026, 11, 25)  # a Wednesday
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 in New York
CLIENT_ID = "assistant-test"
SCOPES = "system/*.read system/*.write"


@pytest.fixture(scope="session")
def keypair() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of the test backend client, generated once per session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory) -> Path:
    """The practice seeded once per session; each test works on its own copy of the file."""
    path = tmp_path_factory.mktemp("ehr-seed") / "sandbox_ehr.db"
    SandboxEHR(path, anchor=ANCHOR, clock=SimulatedClock(START))
    return path


@pytest.fixture
def sandbox(tmp_path, clock, seeded_file) -> SandboxEHR:
    for part in seeded_file.parent.glob(seeded_file.name + "*"):
        shutil.copy(part, tmp_path / part.name)
    return SandboxEHR(tmp_path / seeded_file.name, anchor=ANCHOR, clock=clock)


class Facade:
    """A running facade plus what a test needs to build clients against it."""

    def __init__(self, sandbox: SandboxEHR, public_pem: bytes, private_pem: bytes, clock) -> None:
        self.auth = FacadeAuth({CLIENT_ID: public_pem})
        self.server = FacadeServer(sandbox, self.auth)
        self.base = self.server.start()
        self.private_pem = private_pem
        self.clock = clock
        self.sent: list[httpx.Request] = []
        self._clients: list[httpx.Client] = []

    def adapter(self, *, scopes: str = SCOPES, max_retries: int = 2) -> FhirEHR:
        http = httpx.Client(
            timeout=10, event_hooks={"request": [lambda request: self.sent.append(request)]}
        )
        self._clients.append(http)
        auth = SmartAuth(f"{self.base}/auth/token", CLIENT_ID, self.private_pem, scopes, http=http)
        return FhirEHR(
            f"{self.base}/fhir",
            auth=auth,
            http=http,
            max_retries=max_retries,
            backoff_s=0.01,
            clock=self.clock,
        )

    def stop(self) -> None:
        for http in self._clients:  # close keep-alive connections so shutdown is immediate
            http.close()
        self.server.stop()


@pytest.fixture
def facade(sandbox, keypair, clock) -> Iterator[Facade]:
    running = Facade(sandbox, keypair[1], keypair[0], clock)
    yield running
    running.stop()


@pytest.fixture(params=["sandbox", "fhir"])
def ehr(request, sandbox, keypair, clock):
    """The same practice through each adapter."""
    if request.param == "sandbox":
        yield sandbox
        return
    running = Facade(sandbox, keypair[1], keypair[0], clock)
    try:
        yield running.adapter()
    finally:
        running.stop()
