"""Webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>` with the EHR's shared secret.

Scheme (documented for EHR integrators in docs/OPERATIONS.md):
  X-Practice-Timestamp: <unix seconds>
  X-Practice-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>[,v1=<hex>...]
Several `v1=` values are accepted so a sender can sign with the old and new secret while a secret
is rotated; several configured secrets (comma-separated) are accepted on our side for the same
reason. The timestamp is inside the MAC, so a captured request cannot be replayed once it is
outside the replay window, and the event id makes a replay inside the window a no-op.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from agent.settings import Settings
from agent.store.crypto import load_or_create_secret

SIGNATURE_HEADER = "X-Practice-Signature"
TIMESTAMP_HEADER = "X-Practice-Timestamp"


class SignatureError(ValueError):
    """The request is not provably from the EHR (missing/bad signature or stale timestamp)."""


def webhook_secrets(settings: Settings) -> list[bytes]:
    """Secrets from PRACTICE_WEBHOOK_SECRET (comma-separated), else one generated into data_dir."""
    if settings.webhook_secret is not None:
        parts = settings.webhook_secret.get_secret_value().split(",")
        return [part.strip().encode() for part in parts if part.strip()]
    key = load_or_create_secret(settings.data_dir / "keys" / f"webhook-{settings.ehr_backend}.key")
    return [base64.urlsafe_b64encode(key)]


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secrets: list[bytes],
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    window_s: int,
    now: float | None = None,
) -> None:
    """Raise SignatureError naming what is wrong; return None when the request is authentic."""
    if not timestamp:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} header")
    if not signature:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be unix seconds") from None
    now = time.time() if now is None else now
    if abs(now - sent_at) > window_s:
        raise SignatureError(f"{TIMESTAMP_HEADER} is outside the {window_s}s replay window")
    offered = [part.strip() for part in signature.split(",") if part.strip().startswith("v1=")]
    if not offered:
        raise SignatureError(f"{SIGNATURE_HEADER} has no v1= signature")
    for secret in secrets:
        expected = sign(secret, sent_at, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return
    raise SignatureError("signature does not match")
