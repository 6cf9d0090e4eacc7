"""Dry runs of the inbound graph: `python -m agent.run --client-id ID "MESSAGE" [--json]`.

With no MESSAGE, reads JSON lines `{"id", "client_id", "text"}` on stdin and writes one JSON line
per message (`id`, `route`, `intents`, `draft`, `sources`, `alert`), loading the models once, for
batch evaluation. A bad line gets a JSON line with `id` and `error` naming the bad field; the
other lines still run, and the exit code is 1 if any line was bad.

A dry run reads the configured EHR and index but changes nothing anywhere: EHR writes are
recorded and answered locally (`DryRunEHR`), alerts and audit rows go to a throwaway database,
checkpoints stay in memory, and the pager webhook is not called.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.settings import Settings, get_settings
from agent.state import InboundMessage, TurnOutcome


class DryRunEHR:
    """Reads go to the real EHR; writes are recorded and answered with a local record."""

    WRITES = frozenset(
        {"post_message", "raise_alert", "reschedule", "book", "cancel", "confirm", "start_thread"}
    )

    def __init__(self, ehr: Any):
        self._ehr = ehr
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in self.WRITES:
            return getattr(self, f"_dry_{name}", self._refuse(name))
        return getattr(self._ehr, name)

    def _refuse(self, name: str):
        def refuse(*args: Any, **kwargs: Any) -> Any:
            from tools.ehr.errors import InvalidRequest

            self.writes.append(name)
            raise InvalidRequest(f"dry run: {name} is not performed")

        return refuse

    def _dry_post_message(
        self, client_id, thread_id, text, *, sender, sender_id, request_id, in_reply_to=None
    ):
        from tools.ehr.models import Message

        self.writes.append("post_message")
        return Message(
            id=f"dry-{request_id}",
            thread_id=thread_id,
            client_id=client_id,
            sender=sender,
            sender_id=sender_id,
            text=text,
            sent_at=self._ehr.now(),
            in_reply_to=in_reply_to,
        )

    def _dry_raise_alert(
        self, client_id, *, severity, category, description, raised_by, request_id, message_id=None
    ):
        from tools.ehr.models import Alert

        self.writes.append("raise_alert")
        return Alert(
            id=f"dry-{request_id}",
            client_id=client_id,
            status="active",
            severity=severity,
            category=category,
            description=description,
            message_id=message_id,
            raised_by=raised_by,
            raised_at=self._ehr.now(),
        )


class BatchLine(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    client_id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)


def dry_run_assistant(settings: Settings, workdir: Path, **overrides: Any):
    """An Assistant over the configured EHR and index that changes nothing anywhere
    (`overrides`: e.g. already-loaded screens, as for `Assistant.from_settings`)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.assistant import Assistant
    from agent.checkpoint import Checkpointer, encrypted_serializer
    from agent.policy import PracticePolicy
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database
    from agent.store.policy_store import PolicyStore
    from tools.ehr import open_ehr

    try:
        policy = PolicyStore(Database.from_settings(settings)).current()
    except Exception:  # noqa: BLE001 - no practice database yet: the safe defaults
        policy = PracticePolicy()
    policy = policy.model_copy(update={"pager_webhook_url": None})
    scratch = Database(
        f"sqlite:///{workdir / 'dry-run.db'}", cipher=FieldCipher.from_settings(settings)
    )
    scratch.create_all()
    saver = InMemorySaver(serde=encrypted_serializer(settings))
    return Assistant.from_settings(
        settings,
        scratch,
        ehr=DryRunEHR(open_ehr(settings)),
        policy=policy,
        checkpointer=Checkpointer(saver),
        **overrides,
    )


def _message(client_id: str, text: str, message_id: str) -> InboundMessage:
    return InboundMessage(
        event_id=f"dry-run-{message_id}",
        client_id=client_id,
        thread_id=f"dry-run-{client_id}",
        message_id=message_id,
        text=text,
    )


def batch_record(line_id: str, outcome: TurnOutcome) -> dict[str, Any]:
    alert = None
    if outcome.route == "crisis":
        alert = {
            "alert_id": outcome.alert_id,
            "severity": outcome.severity,
            "categories": outcome.crisis_categories,
        }
    return {
        "id": line_id,
        "route": outcome.route,
        "intents": outcome.intents,
        "draft": outcome.draft if outcome.route == "draft" else None,
        "sources": outcome.metadata.sources if outcome.metadata else [],
        "alert": alert,
    }


def _print_human(outcome: TurnOutcome) -> None:
    print(f"route:   {outcome.route} ({outcome.status})")
    print(f"intents: {', '.join(outcome.intents) or '-'}")
    if outcome.route == "crisis":
        print(
            f"alert:   {outcome.alert_id} severity={outcome.severity} "
            f"categories={', '.join(outcome.crisis_categories)}"
        )
    if outcome.handoff:
        print(f"handoff: {outcome.handoff.queue}: {outcome.handoff.reason}")
        for key, value in outcome.handoff.details.items():
            print(f"         {key}: {value}")
    if outcome.draft and outcome.route == "draft":
        meta = outcome.metadata
        print(f"draft ({meta.model}, {meta.prompt_id} {meta.prompt_version}):\n")
        print(outcome.draft)
        print()
        for source in meta.sources:
            print(f"source:  {source}")
    for finding in outcome.guard_findings:
        print(f"guard:   {finding.rule}: {finding.message}")
    for note in outcome.notes:
        print(f"note:    {note}")
    if outcome.interrupt:
        print("interrupt:")
        print(json.dumps(outcome.interrupt, indent=2))


def known_client(assistant, client_id: str) -> bool:
    from tools.ehr.errors import ClientNotFound

    try:
        assistant.deps.ehr.get_client(client_id)
    except ClientNotFound:
        return False
    return True


def run_batch(assistant, lines, out) -> int:
    errors = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        line_id: Any = None
        try:
            data = json.loads(raw)
            line_id = data.get("id") if isinstance(data, dict) else None
            line = BatchLine.model_validate(data)
        except json.JSONDecodeError as err:
            errors += 1
            record = {"id": None, "error": f"line {number}: not JSON ({err.msg})"}
        except ValidationError as err:
            errors += 1
            fields = ", ".join(".".join(map(str, e["loc"])) or "line" for e in err.errors())
            record = {"id": line_id, "error": f"line {number}: bad field(s): {fields}"}
        else:
            if not known_client(assistant, line.client_id):
                errors += 1
                record = {"id": line.id, "error": f"line {number}: client_id: no such client"}
                out.write(json.dumps(record) + "\n")
                continue
            outcome = assistant.handle_message(
                _message(line.client_id, line.text, f"{line.id}-{uuid.uuid4().hex[:8]}")
            )
            record = batch_record(line.id, outcome)
        out.write(json.dumps(record) + "\n")
        out.flush()
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent.run", description="Dry-run the inbound graph on a message."
    )
    parser.add_argument("message", nargs="?", help="the client's message; omit for JSON lines")
    parser.add_argument("--client-id", help="the client who sent MESSAGE (required with MESSAGE)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    args = parser.parse_args(argv)
    if args.message is not None and not args.client_id:
        parser.error("--client-id is required with MESSAGE")
    if args.message is not None and not args.message.strip():
        parser.error("MESSAGE is empty")

    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="agent-dry-run-") as workdir:
        assistant = dry_run_assistant(settings, Path(workdir))
        try:
            if args.message is None:
                return run_batch(assistant, sys.stdin, sys.stdout)
            if not known_client(assistant, args.client_id):
                parser.error(f"--client-id: no client {args.client_id!r} in the configured EHR")
            try:
                outcome = assistant.handle_message(
                    _message(args.client_id, args.message, f"cli-{uuid.uuid4().hex[:12]}")
                )
            except ValidationError as err:
                parser.error(str(err.errors()[0]["msg"]))
            if args.json:
                print(outcome.model_dump_json(indent=2))
            else:
                _print_human(outcome)
            return 0
        finally:
            assistant.close()


if __name__ == "__main__":
    sys.exit(main())
