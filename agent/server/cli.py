"""Admin CLI: `python -m agent.server.cli COMMAND`.

  serve          run the server (webhooks, review inbox, admin, metrics) with its graph workers
  worker         run a worker-only process (scale-out against one PostgreSQL)
  create-staff   add a staff account (password prompted, or read from stdin)
  verify-audit   verify the audit hash chain; exit 1 naming the first broken link
  requeue        send a parked inbox event round again
  demo           seed demo staff logins and sample portal traffic, run the first outreach pass
                 (used by `make run`)
  signed-curl    print a curl command that posts a correctly signed message.created webhook
"""

from __future__ import annotations

import gc
import json
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer

from agent.settings import Settings, get_settings
from agent.store.audit import AuditLog
from agent.store.db import Database
from agent.store.staff import ROLES, StaffAccount, StaffDirectory, StaffExists

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

DEMO_STAFF = (
    # username, roles, EHR clinician id, display name
    ("reyes", ["clinician"], "clin-reyes", "Daniel Reyes, LCSW"),
    ("okafor", ["supervisor"], "clin-okafor", "Adaeze Okafor, PhD"),
    ("frontdesk", ["front_desk"], None, "Front Desk"),
    ("admin", ["admin"], None, "Practice Admin"),
)
# Sample traffic for the demo: (index of a client in reyes' caseload, text).
DEMO_MESSAGES = (
    (0, "Hi, can I move my appointment next week to later in the day? Thursdays work best."),
    (1, "How do I pay the balance on my account? Can I use my HSA card?"),
    (2, "What is your cancellation policy? I might be sick tomorrow."),
    (3, "Where do I find the intake forms I still need to fill out?"),
    (4, "I can't do this anymore. I've been thinking about ending my life."),
    (5, "Should I take an extra dose of my sertraline? I feel worse this week."),
)


def _settings() -> Settings:
    return get_settings()


def _db(settings: Settings) -> Database:
    db = Database.from_settings(settings)
    db.create_all()
    return db


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Run the server with its in-process graph workers."""
    import uvicorn

    from agent.server.app import Services, create_app
    from agent.server.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level)
    app = create_app(Services.build(settings))
    # What is loaded by now (the crisis screen's exemplars and speller, about 250k objects) lives
    # as long as the process: frozen, the collector's full passes (about 100 ms each over it)
    # stay off the webhook path. Collected first, so no start-up garbage is kept forever.
    gc.collect()
    gc.freeze()
    host, port = host or settings.server_host, port or settings.server_port
    typer.echo(f"Practice Assistant serving on http://{host}:{port}/login (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


@cli.command()
def worker() -> None:
    """Run a worker-only process (no HTTP)."""
    from agent.server.workers import main

    main()


@cli.command("create-staff")
def create_staff(
    username: str,
    role: Annotated[list[str], typer.Option(help=f"One of {', '.join(ROLES)}; repeatable")],
    name: Annotated[str, typer.Option(help="Display name")],
    clinician_id: Annotated[str | None, typer.Option(help="EHR clinician id (clinical roles)")]
    = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
) -> None:
    """Create a staff account."""
    bad = [r for r in role if r not in ROLES]
    if bad:
        typer.echo(f"role: unknown role(s) {bad}; choose from {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        account = StaffAccount(username=username, roles=role, clinician_id=clinician_id,
                               display_name=name)
        StaffDirectory(_db(_settings())).create(account, password, by="cli:create-staff")
    except StaffExists as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:  # pydantic ValidationError is a ValueError too
        typer.echo(f"invalid account: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created {username} ({', '.join(role)})")


@cli.command("verify-audit")
def verify_audit() -> None:
    """Verify the audit hash chain."""
    report = AuditLog(_db(_settings())).verify()
    if report.ok:
        typer.echo(f"audit chain OK: {report.checked} entries, head {report.head_hash}")
        return
    typer.echo(f"audit chain BROKEN at entry {report.first_broken_id}: {report.reason} "
               f"({report.checked} entries checked)")
    raise typer.Exit(1)


@cli.command()
def requeue(event_id: str) -> None:
    """Send a parked inbox event round again."""
    from agent.store.inbox import Inbox

    db = _db(_settings())
    if not Inbox(db).requeue(event_id):
        typer.echo(f"event_id: {event_id} is not parked", err=True)
        raise typer.Exit(1)
    AuditLog(db).append(actor="cli:requeue", action="event.requeue", subject=event_id)
    typer.echo(f"requeued {event_id}")


def demo_logins(settings: Settings, db: Database) -> dict[str, str]:
    """Create the demo accounts once; their passwords live in data_dir/keys (0600)."""
    path = settings.data_dir / "keys" / "demo-logins.json"
    logins = json.loads(path.read_text()) if path.exists() else {}
    staff = StaffDirectory(db)
    for username, roles, clinician_id, name in DEMO_STAFF:
        if staff.get(username) is not None:
            continue
        password = logins.get(username) or secrets.token_urlsafe(12)
        staff.create(StaffAccount(username=username, roles=roles, clinician_id=clinician_id,
                                  display_name=name), password, by="cli:demo")
        logins[username] = password
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(logins, indent=1))
    path.chmod(0o600)
    return logins


def signed_event(settings: Settings, *, client_id: str, thread_id: str, text: str,
                 event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    """A message.created body and its signed headers (what the EHR sends)."""
    from agent.server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, webhook_secrets

    now = datetime.now(UTC)
    event_id = event_id or f"evt-{uuid.uuid4().hex[:16]}"
    body = json.dumps({
        "event_id": event_id, "type": "message.created", "occurred_at": now.isoformat(),
        "data": {"client_id": client_id, "thread_id": thread_id,
                 "message_id": f"msg-{event_id}", "text": text, "sent_at": now.isoformat()},
    }).encode()
    stamp = int(time.time())
    return body, {TIMESTAMP_HEADER: str(stamp),
                  SIGNATURE_HEADER: sign(webhook_secrets(settings)[0], stamp, body),
                  "Content-Type": "application/json"}


@cli.command()
def demo() -> None:
    """Seed demo logins and sample traffic (idempotent: the same events each run)."""
    from agent.server.app import Services

    settings = _settings()
    services = Services.build(settings)
    logins = demo_logins(settings, services.db)
    caseload = services.ehr.caseload("clin-reyes").client_ids
    ingress = services.ingress()
    queued = 0
    for n, (index, text) in enumerate(DEMO_MESSAGES):
        client_id = caseload[index % len(caseload)]
        threads = services.ehr.threads(client_id)
        thread_id = threads[0].id if threads else f"th-demo-{client_id}"
        body, headers = signed_event(settings, client_id=client_id, thread_id=thread_id,
                                     text=text, event_id=f"evt-demo-{n}")
        receipt = ingress.receive(body, {k.lower(): v for k, v in headers.items()},
                                  time.perf_counter())
        queued += receipt.status == "accepted"
    # The outreach scheduler's first pass: with the default policy (every workflow in review
    # mode) its reminders, check-ins and questionnaires wait in the queue as drafts.
    report = services.outreach().tick(services.ehr.now())
    address = f"http://{settings.server_host}:{settings.server_port}"
    typer.echo(f"\nSample traffic: {queued} new portal messages queued "
               f"({len(DEMO_MESSAGES)} in the demo set).")
    typer.echo(f"Outreach: {sum(report.in_review.values())} drafts queued for review "
               f"({', '.join(f'{wf} {n}' for wf, n in sorted(report.in_review.items())) or '-'})"
               f", {sum(report.sent.values())} sent, {sum(report.deferred.values())} deferred "
               "(quiet hours, caps); the server runs the next pass every "
               f"{settings.outreach_tick_s:g} s.")
    typer.echo(f"Review inbox: {address}/login")
    for username, roles, _cid, _name in DEMO_STAFF:
        typer.echo(f"  {', '.join(roles):<11} login: {username} / {logins[username]}")
    typer.echo("\nPost a signed message yourself:")
    first = caseload[0]
    threads = services.ehr.threads(first)
    typer.echo(curl_command(settings, client_id=first,
                            thread_id=threads[0].id if threads else f"th-demo-{first}"))


def curl_command(settings: Settings, *, client_id: str, thread_id: str,
                 text: str = "Can I reschedule?") -> str:
    """A shell command that signs (openssl) and posts a message.created event at run time."""
    from agent.server.signing import webhook_secrets

    secret = webhook_secrets(settings)[0].decode()
    address = f"http://{settings.server_host}:{settings.server_port}"
    body = ('{"event_id":"evt-curl-\'$ts\'","type":"message.created",'
            '"occurred_at":"\'$(date -u +%FT%TZ)\'","data":{"client_id":"' + client_id +
            '","thread_id":"' + thread_id + '","message_id":"msg-curl-\'$ts\'",'
            '"text":"' + text + '"}}')
    return (
        f"  ts=$(date +%s); body='{body}'; "
        f"sig=$(printf '%s.%s' \"$ts\" \"$body\" | openssl dgst -sha256 -hmac '{secret}' "
        "| sed 's/^.* //'); "
        f"curl -sS -X POST {address}/webhooks/ehr -H 'Content-Type: application/json' "
        "-H \"X-Practice-Timestamp: $ts\" -H \"X-Practice-Signature: v1=$sig\" -d \"$body\""
    )


@cli.command("signed-curl")
def signed_curl(client_id: Annotated[str, typer.Option()] = "cl-0001",
                thread_id: Annotated[str, typer.Option()] = "th-s0001",
                text: Annotated[str, typer.Option()] = "Can I reschedule?") -> None:
    """Print a curl command posting a signed message.created event."""
    typer.echo(curl_command(_settings(), client_id=client_id, thread_id=thread_id, text=text))


if __name__ == "__main__":
    cli()
