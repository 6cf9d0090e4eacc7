"""Ingress under load: sustained accepted webhooks/s and crisis-alert latency (request sent -> alert
row committed) while the graph workers drain the queue; and a check that no accepted event is lost.

    python -m benchmarks.ingress [--requests 600] [--concurrency 8] [--max-seconds 60]
                                 [--crisis-share 0.1] [--rate 100]
                                 [--database-url postgresql+psycopg://...]

Starts the real server (`agent.server.cli serve`, the real crisis screen inline) on a free
loopback port and one worker process (`agent.server.workers`, 2 threads, the real Assistant:
graph, classifier, no LLM) on a fresh data dir and the sandbox EHR; this process generates the
load, on the same 2 cores. Two modes: as fast as answered (`--concurrency` senders, closed loop:
the most the server takes) and `--rate R` (open loop: request i is sent at start + i/R whatever
the server is doing, latency counted from then: what a steady EHR stream meets). Baseline for
the ratio: the closed-loop generator against GET /healthz of the same server (the HTTP stack's
ceiling on this machine). Also printed: the server's CPU time per accepted webhook, which
depends less on what else the machine is doing than latency does.
Targets from issue 6: >= 100 accepted/s, crisis-alert p99 <= 50 ms, 0 lost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROUTINE = (
    "Can I move my Thursday appointment to the afternoon?",
    "How do I pay my balance online?",
    "Where do I find the intake paperwork?",
    "What is your cancellation policy?",
    "Do you offer telehealth sessions on Fridays?",
)
CRISIS = (
    "I can't do this anymore, I'm going to kill myself tonight.",
    "I have been thinking about ending my life and I have pills saved up.",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class _Connections:
    """Keep-alive HTTP/1.1 connections to the server, spoken by hand over asyncio streams.

    The generator shares the 2 cores with what it measures, so it must cost little: httpx's
    async client took about 6.7 ms of CPU per request here (two thirds of a core at 100/s); a
    pre-encoded request on a raw stream costs a small fraction of that."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    @staticmethod
    def encode(path: str, request: tuple[bytes, dict[str, str]] | None) -> bytes:
        """The bytes of a POST of (body, headers), or of a GET when request is None."""
        if request is None:
            return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        body, headers = request
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
                f"{lines}\r\n").encode() + body

    async def send(self, raw: bytes) -> int:
        """The response's status code; 0 if the connection failed. A kept-alive connection the
        server closed while idle (uvicorn does after 5 s) answers nothing: the request is sent
        again on a new connection, as HTTP clients do (the server never read it)."""
        reused = bool(self._idle)
        try:
            reader, writer = (self._idle.pop() if reused
                              else await asyncio.open_connection("127.0.0.1", self.port))
            writer.write(raw)
            status_line = await reader.readline()
            if not status_line and reused:
                writer.close()
                return await self.send(raw)  # the next idle one may be stale too
            status = int(status_line.split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            return 0
        self._idle.append((reader, writer))
        return status


def _drive(port: int, path: str, bodies: list[tuple[bytes, dict[str, str]] | None], *,
           concurrency: int, rate: float | None, max_seconds: float,
           ) -> tuple[list[tuple[int, float, bytes]], float]:
    """Send every request (a GET where the body is None); returns (status, sent-at wall time,
    body) per request and the elapsed seconds.

    Closed loop (no `rate`): `concurrency` senders, each sending its next request as soon as the
    last is answered: the most the server takes. Open loop (`rate`): request i is sent at
    start + i/rate whether or not the earlier ones were answered, and its latency counts from that
    due time; a closed pool would stop sending while the server is slow and hide the queue that
    builds (coordinated omission)."""
    connections = _Connections(port)
    raws = [_Connections.encode(path, request) for request in bodies]
    results: list[tuple[int, float, bytes]] = []
    lags: list[float] = []

    async def one(index: int, due_wall: float | None = None) -> None:
        sent = due_wall if due_wall is not None else time.time()
        status = await connections.send(raws[index])
        results.append((status, sent, bodies[index][0] if bodies[index] else b""))

    async def closed_loop() -> None:
        cursor, deadline = iter(range(len(raws))), time.monotonic() + max_seconds

        async def sender() -> None:
            while time.monotonic() < deadline and (index := next(cursor, None)) is not None:
                await one(index)

        await asyncio.gather(*(sender() for _ in range(concurrency)))

    async def open_loop() -> None:
        loop = asyncio.get_running_loop()
        start_wall, start_loop = time.time(), loop.time()

        async def paced(index: int) -> None:
            due = start_loop + index / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            lags.append(loop.time() - due)
            await one(index, start_wall + index / rate)

        count = min(len(raws), int(max_seconds * rate))
        await asyncio.gather(*(paced(i) for i in range(count)))

    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(open_loop() if rate else closed_loop())
    elapsed = time.perf_counter() - started
    late = f"; sent late by p99 {_percentile(lags, 99) * 1000:.1f} ms" if lags else ""
    print(f"load generator ({path}): {(time.process_time() - cpu) / len(results) * 1000:.2f} ms "
          f"CPU per request{late}")
    return results, elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=None,
                        help="send at this steady rate (requests/s) instead of as fast as possible")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--crisis-share", type=float, default=0.1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    import json
    import subprocess
    import sys

    from agent.server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, webhook_secrets
    from agent.settings import Settings
    from agent.store.alerts import AlertStore
    from agent.store.db import Database
    from agent.store.inbox import Inbox
    from tools.ehr import open_ehr

    data_dir = Path(tempfile.mkdtemp(prefix="bench-ingress-"))
    port = _free_port()
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data_dir), "PRACTICE_LOG_LEVEL": "WARNING",
           "PRACTICE_SERVER_PORT": str(port), "PRACTICE_WORKER_THREADS": "0"}
    if args.database_url:
        env["PRACTICE_DATABASE_URL"] = args.database_url
    settings = Settings(data_dir=data_dir, database_url=args.database_url)
    db = Database.from_settings(settings)
    db.create_all()
    ehr = open_ehr(settings)  # seeds the sandbox before the processes start
    print("starting the server and a worker process (models load first) ...", flush=True)
    server = subprocess.Popen([sys.executable, "-m", "agent.server.cli", "serve"], env=env,
                              stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "agent.server.workers"],
                              env={**env, "PRACTICE_WORKER_THREADS": "2"},
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    else:
        raise SystemExit("server did not start within 600 s")

    rng = random.Random(11)
    clients = list(ehr.caseload("clin-reyes").client_ids)
    secret = webhook_secrets(settings)[0]

    def signed(n: int, text: str) -> tuple[bytes, dict[str, str]]:
        event_id = f"evt-bench-{n}-{uuid.uuid4().hex[:6]}"
        body = json.dumps({
            "event_id": event_id, "type": "message.created",
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": {"client_id": rng.choice(clients), "thread_id": f"th-bench-{n % 50}",
                     "message_id": f"msg-{event_id}", "text": text},
        }).encode()
        stamp = int(time.time())
        return body, {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body),
                      "Content-Type": "application/json"}

    # The load must meet a worker that is already draining: wait until it finished one event.
    inbox = Inbox(db)
    warm_body, warm_headers = signed(-1, ROUTINE[0])
    httpx.post(f"{base}/webhooks/ehr", content=warm_body, headers=warm_headers, timeout=60)
    while time.monotonic() < deadline and inbox.counts().get("done", 0) < 1:
        time.sleep(0.5)

    baseline, baseline_s = _drive(port, "/healthz", [None] * args.requests,
                                  concurrency=args.concurrency, rate=None,
                                  max_seconds=args.max_seconds)
    baseline_rate = sum(1 for s, _t, _b in baseline if s == 200) / baseline_s
    requests: list[tuple[bytes, dict[str, str]] | None] = []
    for n in range(args.requests):
        text = rng.choice(CRISIS) if rng.random() < args.crisis_share else rng.choice(ROUTINE)
        requests.append(signed(n, text))
    cpu_before = {name: _cpu_seconds(p.pid) for name, p in (("server", server), ("worker", worker))}
    results, elapsed = _drive(port, "/webhooks/ehr", requests, concurrency=args.concurrency,
                              rate=args.rate, max_seconds=args.max_seconds)
    cpu = {name: _cpu_seconds(p.pid) - cpu_before[name]
           for name, p in (("server", server), ("worker", worker))}
    accepted = [(sent, json.loads(body)) for status, sent, body in results if status == 202]
    rejected = [status for status, _s, _b in results if status != 202]
    rate = len(accepted) / elapsed

    sent_at = {event["data"]["message_id"]: sent for sent, event in accepted}
    latencies = []
    for alert in AlertStore(db).list_open(limit=100_000):
        if alert.message_id in sent_at:
            latencies.append((alert.created_at.timestamp() - sent_at[alert.message_id]) * 1000)
    lost = [event["event_id"] for _s, event in accepted if inbox.get(event["event_id"]) is None]
    crisis_sent = sum(1 for _s, e in accepted if e["data"]["text"] in CRISIS)
    counts = inbox.counts()

    for process in (server, worker):
        process.terminate()
        process.wait(timeout=60)
    pacing = (f"steady {args.rate:g}/s, open loop" if args.rate
              else f"as fast as answered, concurrency {args.concurrency}")
    print(f"\nrequests sent: {len(results)} of {args.requests} in {elapsed:.2f} s "
          f"({pacing}; a worker process with 2 threads draining)")
    print(f"baseline GET /healthz: {baseline_rate:.1f} req/s")
    print(f"accepted webhooks: {len(accepted)}  -> {rate:.1f} accepted/s  "
          f"(ratio to baseline {rate / baseline_rate:.2f})")
    print(f"non-202 answers: {len(rejected)} {sorted(set(rejected))}")
    per_webhook_ms = cpu["server"] / max(1, len(accepted)) * 1000
    print(f"server CPU per accepted webhook: {per_webhook_ms:.2f} ms; "
          f"worker CPU during the load: {cpu['worker']:.1f} s")
    if latencies:
        print(f"crisis alerts: {len(latencies)} of {crisis_sent} crisis messages; latency "
              f"request->alert row p50 {statistics.median(latencies):.1f} ms, "
              f"p99 {_percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")
    print(f"inbox after the run: {counts} (drained during the run, warm-up excluded: "
          f"{counts.get('done', 0) - 1})")
    print(f"lost accepted events: {len(lost)}")
    # Paced, the rate is the offered one: it counts as sustained if the run kept to the schedule.
    kept_pace = args.rate and len(accepted) == args.requests and (
        elapsed <= args.requests / args.rate + 1.0)
    sustained = rate >= 100 or (kept_pace and args.rate >= 100)
    print(f"targets: >=100 accepted/s {'MET' if sustained else 'MISSED'}; crisis p99 <= 50 ms "
          f"{'MET' if latencies and _percentile(latencies, 99) <= 50 else 'MISSED'}; "
          f"no loss {'MET' if not lost else 'MISSED'}")
    db.dispose()
    if os.environ.get("BENCH_KEEP_DATA") != "1":
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
