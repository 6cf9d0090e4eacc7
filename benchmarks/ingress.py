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
import os
import random
import socket
import statistics
import tempfile
import threading
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


def _drive(url: str, bodies: list[tuple[bytes, dict[str, str]] | None], concurrency: int,
           max_seconds: float) -> tuple[list[tuple[int, float, bytes]], float]:
    """Closed loop, the most the server can take: each of `concurrency` threads POSTs (or GETs
    when body is None) its next request as soon as the last is answered. Returns
    (status, sent-at wall time, body) per request and the elapsed seconds."""
    results: list[tuple[int, float, bytes]] = []
    lock, cursor = threading.Lock(), iter(range(len(bodies)))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < deadline:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                request = bodies[index]
                sent = time.time()
                try:
                    if request is None:
                        status = http.get(url).status_code
                    else:
                        body, headers = request
                        status = http.post(url, content=body, headers=headers).status_code
                except httpx.TransportError:
                    status = 0
                with lock:
                    results.append((status, sent, request[0] if request else b""))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def _drive_paced(url: str, bodies: list[tuple[bytes, dict[str, str]]], rate: float,
                 max_seconds: float) -> tuple[list[tuple[int, float, bytes]], float]:
    """Open loop, an EHR's steady stream: request i is sent at start + i/rate whether or not the
    earlier ones were answered, and its latency counts from that due time. A closed pool of
    sender threads would stop sending while the server is slow and hide the queue that builds
    (coordinated omission); a pool that fills up would instead add its own wait to every
    request behind it."""
    import asyncio

    async def run() -> list[tuple[int, float, bytes]]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            start_wall, start_loop = time.time(), asyncio.get_running_loop().time()

            async def one(index: int) -> tuple[int, float, bytes]:
                await asyncio.sleep(max(0.0, start_loop + index / rate
                                        - asyncio.get_running_loop().time()))
                body, headers = bodies[index]
                try:
                    status = (await http.post(url, content=body, headers=headers)).status_code
                except httpx.TransportError:
                    status = 0
                return status, start_wall + index / rate, body

            count = min(len(bodies), int(max_seconds * rate))
            return list(await asyncio.gather(*(one(i) for i in range(count))))

    started = time.perf_counter()
    results = asyncio.run(run())
    return results, time.perf_counter() - started


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

    baseline, baseline_s = _drive(f"{base}/healthz", [None] * args.requests, args.concurrency,
                                  args.max_seconds)
    baseline_rate = sum(1 for s, _t, _b in baseline if s == 200) / baseline_s
    requests: list[tuple[bytes, dict[str, str]] | None] = []
    for n in range(args.requests):
        text = rng.choice(CRISIS) if rng.random() < args.crisis_share else rng.choice(ROUTINE)
        requests.append(signed(n, text))
    cpu_before = {name: _cpu_seconds(p.pid) for name, p in (("server", server), ("worker", worker))}
    if args.rate:
        results, elapsed = _drive_paced(f"{base}/webhooks/ehr", requests, args.rate,
                                        args.max_seconds)
    else:
        results, elapsed = _drive(f"{base}/webhooks/ehr", requests, args.concurrency,
                                  args.max_seconds)
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
