"""Inbound graph latency, message -> interrupt, no LLM: `python -m benchmarks.graph_latency`.

Runs the real graph (sandbox EHR, ingested policy index, crisis screen, intent classifier,
encrypted SQLite checkpointer) on routine, handoff and crisis messages, and in the same process a
bare LangGraph graph of the same node count whose nodes do nothing, checkpointed with a plain
SqliteSaver in the product's durability mode (the framework floor). Prints p50 / p99 per route
and the ratio to the floor. Every message is embedded afresh (no vector cached from a round).
Then counts LLM requests per message by route with the real ChatOpenAI client pointed at an
in-process stub endpoint (httpx.MockTransport), with the product's default settings.

Targets (issue 5): draft p50 <= 60 ms, p99 <= 150 ms; LLM calls 0 for crisis and handoffs, at
most 1 for a routine draft.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROUTINE = [
    "What are your office hours?",
    "How much notice do I need to give to cancel?",
    "Something came up at work, can I reschedule my appointment?",
    "Can you send me a superbill for last month?",
    "When is my next appointment?",
    "Could you move my session to later in the week and also send me a superbill?",
    "Is there parking near the office?",
    "Do you take Aetna insurance?",
]
HANDOFF = [
    "I'm almost out of my sertraline, can I get a refill at CVS?",
    "Do you think my depression is getting worse? I feel like the therapy isn't working.",
]
CRISIS = [
    "I can't do this anymore. I'm going to kill myself tonight.",
    "I have pills saved up and I plan to take them all tonight",
]
ANCHOR = date(2026, 3, 2)
FLOOR_NODES = 14


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _settings(root: Path, data: str = "data", **overrides):
    from agent.settings import Settings

    return Settings(
        data_dir=root / data,
        index_dir=root / "index",
        sandbox_anchor_date=ANCHOR,
        **overrides,
    )


def _ingest(settings) -> None:
    from knowledge.collection import open_collection
    from knowledge.ingest import ingest_corpus

    ingest_corpus(
        settings.corpus_dir,
        open_collection(settings),
        max_document_bytes=settings.max_document_bytes,
    )


def _clients(ehr, count: int):
    found = []
    for client in ehr.list_clients():
        threads = ehr.threads(client.id)
        if threads and ehr.upcoming_appointments(client.id) and not client.is_minor:
            found.append((client, threads[0].id))
        if len(found) == count:
            return found
    return found


def run_product(assistant, rounds: int, tag: str) -> dict[str, list[float]]:
    """Seconds from handle_message() call to its return (interrupt or end), by route."""
    from agent.state import InboundMessage
    from knowledge.embeddings import clear_cache

    clients = _clients(assistant.deps.ehr, 8)
    timings: dict[str, list[float]] = defaultdict(list)
    texts = [*ROUTINE, *HANDOFF, *CRISIS]
    n = 0
    for round_ in range(rounds):
        for text in texts:
            client, thread_id = clients[n % len(clients)]
            n += 1
            message = InboundMessage(
                event_id=f"{tag}-e{n}",
                client_id=client.id,
                thread_id=thread_id,
                message_id=f"{tag}-m{n}",
                text=text,
            )
            clear_cache()  # every real message is new text: no vector is cached from a past round
            start = time.perf_counter()
            outcome = assistant.handle_message(message)
            elapsed = time.perf_counter() - start
            if round_ > 0:  # round 0 warms caches (tokenizer, regexes, SQLite pages)
                timings[outcome.route].append(elapsed)
    return timings


def run_floor(root: Path, rounds: int) -> list[float]:
    """A bare graph: FLOOR_NODES no-op nodes (the draft path length, ending in interrupt()),
    checkpointed in the product's durability mode."""
    import sqlite3
    from typing import TypedDict

    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    from agent.assistant import DURABILITY

    class State(TypedDict, total=False):
        text: str

    def noop(state: State) -> dict:
        return {}

    def wait(state: State) -> dict:
        interrupt({"action_request": {"action": "x", "args": {}}})
        return {}

    builder = StateGraph(State)
    names = [f"n{i}" for i in range(FLOOR_NODES - 1)]
    for name in names:
        builder.add_node(name, noop)
    builder.add_node("review", wait)
    builder.add_edge(START, names[0])
    for a, b in zip(names, [*names[1:], "review"], strict=True):
        builder.add_edge(a, b)
    builder.add_edge("review", END)
    for suffix in ("", "-wal", "-shm"):
        (root / f"floor.db{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(str(root / "floor.db"), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(conn)
    graph = builder.compile(checkpointer=saver)
    samples = []
    for i in range(rounds * (len(ROUTINE) + len(HANDOFF) + len(CRISIS))):
        start = time.perf_counter()
        graph.invoke({"text": ROUTINE[i % len(ROUTINE)]}, {"configurable": {"thread_id": f"f{i}"}},
                     durability=DURABILITY)
        if i >= 5:
            samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def count_llm_calls(root: Path) -> dict[str, float]:
    """Mean LLM requests per message by route, with the real ChatOpenAI client on a stub."""
    import httpx

    from agent.assistant import Assistant
    from agent.llm import build_chat_model
    from agent.state import InboundMessage

    requests: list[httpx.Request] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = json.loads(request.content)
        user = body["messages"][-1]["content"]
        facts = user.split("add nothing):", 1)[-1].strip() or "Thank you for your message."
        return httpx.Response(
            200,
            json={
                "id": "stub",
                "object": "chat.completion",
                "created": 0,
                "model": "stub",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": facts},
                    }
                ],  # fmt: skip
            },
        )

    settings = _settings(
        root,
        "llm-data",
        llm_provider="openai",
        llm_base_url="http://llm.stub/v1",
        llm_api_key="stub",
        llm_max_retries=0,
    )
    llm = build_chat_model(
        settings, http_client=httpx.Client(transport=httpx.MockTransport(endpoint))
    )
    from agent.safety.crisis import CrisisScreen

    screen = CrisisScreen(llm=llm if settings.crisis_llm_second_opinion else None)
    from agent.classify import IntentClassifier

    intent = IntentClassifier(llm=llm, cache_dir=root / "data" / "models")  # the fit of run 1
    assistant = Assistant.from_settings(settings, llm=llm, crisis=screen, classifier=intent)
    calls: dict[str, list[int]] = defaultdict(list)
    clients = _clients(assistant.deps.ehr, 4)
    for n, text in enumerate([*ROUTINE, *HANDOFF, *CRISIS]):
        client, thread_id = clients[n % len(clients)]
        before = len(requests)
        outcome = assistant.handle_message(
            InboundMessage(
                event_id=f"llm-e{n}-{time.time_ns()}",
                client_id=client.id,
                thread_id=thread_id,
                message_id=f"llm-m{n}-{time.time_ns()}",
                text=text,
            )
        )
        calls[outcome.route].append(len(requests) - before)
    assistant.close()
    return {route: statistics.mean(values) for route, values in calls.items()} | {
        f"{route}_max": max(values) for route, values in calls.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="passes over the message set")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the index, classifier fit and sandbox here between runs (default: a temp dir)",
    )
    args = parser.parse_args(argv)
    if not 2 <= args.rounds <= 50:
        parser.error("--rounds must be between 2 and 50")

    from agent.assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="graph-latency-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        settings = _settings(root)
        print("setting up (ingest + model load)...", flush=True)
        _ingest(settings)
        assistant = Assistant.from_settings(settings, llm=None)
        tag = f"p{time.time_ns()}"  # fresh turns when a workdir is reused
        product = run_product(assistant, args.rounds, tag)
        floor = run_floor(root, args.rounds)
        assistant.close()

        floor_p50, floor_p99 = percentile(floor, 50), percentile(floor, 99)
        print(f"\nmessage -> interrupt/end latency, no LLM, {args.rounds - 1} measured rounds")
        print(
            f"{'route':<10}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'p50/floor':>11}{'p99/floor':>11}"
        )
        print(f"{'floor':<10}{len(floor):>5}{floor_p50 * 1e3:>10.1f}{floor_p99 * 1e3:>10.1f}"
              f"{1:>11.1f}{1:>11.1f}")  # fmt: skip
        for route in ("draft", "handoff", "crisis"):
            samples = product.get(route, [])
            if not samples:
                continue
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            print(f"{route:<10}{len(samples):>5}{p50 * 1e3:>10.1f}{p99 * 1e3:>10.1f}"
                  f"{p50 / floor_p50:>11.1f}{p99 / floor_p99:>11.1f}")  # fmt: skip
        print("targets: draft p50 <= 60 ms, p99 <= 150 ms")

        calls = count_llm_calls(root)
        print("\nLLM requests per message by route (stub endpoint, default settings):")
        for route in ("draft", "handoff", "crisis"):
            if route in calls:
                print(f"  {route:<8} mean {calls[route]:.2f}  max {calls[route + '_max']}")
        print("targets: 0 for crisis and handoffs, at most 1 for a routine draft")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
