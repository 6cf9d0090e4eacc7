"""Encryption of PHI columns at rest (AES-256-GCM) and the secrets generated into the data dir.

Every column that can hold PHI (message bodies, drafts, crisis evidence, decisions' text) goes
through `FieldCipher`. A token is `v1.<key id>.<base64url(nonce | ciphertext)>`; the key id lets
several keys coexist, so a key is rotated by putting the new key first in
`PRACTICE_FIELD_ENCRYPTION_KEY` and keeping the old ones after it until rows are re-encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from agent.settings import Settings

_VERSION = "v1"


class DecryptionError(ValueError):
    """A token was tampered with, truncated, or written with a key this process does not hold."""


def load_or_create_secret(path: Path, nbytes: int = 32) -> bytes:
    """The secret stored at `path`, created (0600, atomically) on first use.

    O_EXCL makes concurrent first starts of several processes agree on one secret: the loser of
    the race reads the winner's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes().strip()
        if data:
            return base64.urlsafe_b64decode(data)
        raise ValueError(f"secret file {path} is empty; delete it to regenerate") from None
    value = secrets.token_bytes(nbytes)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.urlsafe_b64encode(value))
        handle.flush()
        os.fsync(handle.fileno())
    return value


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"practice-field-key" + key).hexdigest()[:8]


class FieldCipher:
    """AES-256-GCM for single column values; the first key encrypts, all keys decrypt."""

    def __init__(self, keys: list[bytes]):
        if not keys:
            raise ValueError("FieldCipher needs at least one key")
        for key in keys:
            if len(key) != 32:
                raise ValueError("field encryption keys must be 32 bytes (AES-256)")
        self._current = (_key_id(keys[0]), AESGCM(keys[0]))
        self._by_id = {_key_id(key): AESGCM(key) for key in keys}

    @classmethod
    def from_settings(cls, settings: Settings) -> FieldCipher:
        """Keys from PRACTICE_FIELD_ENCRYPTION_KEY, else a key generated into data_dir/keys."""
        if settings.field_encryption_key is not None:
            raw = settings.field_encryption_key.get_secret_value()
            try:
                keys = [base64.urlsafe_b64decode(part.strip()) for part in raw.split(",") if part]
            except ValueError as exc:
                raise ValueError("PRACTICE_FIELD_ENCRYPTION_KEY is not base64url") from exc
            return cls(keys)
        return cls([load_or_create_secret(settings.data_dir / "keys" / "field.key")])

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt `plaintext`; `context` (e.g. the column name) is bound as associated data so a
        value copied into another column does not decrypt."""
        key_id, aead = self._current
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_VERSION}.{key_id}.{body}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        try:
            version, key_id, body = token.split(".", 2)
            if version != _VERSION:
                raise DecryptionError(f"unknown token version {version!r}")
            aead = self._by_id.get(key_id)
            if aead is None:
                raise DecryptionError(f"no key with id {key_id} is configured")
            raw = base64.urlsafe_b64decode(body)
            return aead.decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            if isinstance(exc, DecryptionError):
                raise
            raise DecryptionError("field value failed authentication") from exc

    def encrypt_json(self, value: Any, *, context: str = "") -> str:
        return self.encrypt(json.dumps(value, separators=(",", ":"), default=str), context=context)

    def decrypt_json(self, token: str, *, context: str = "") -> Any:
        return json.loads(self.decrypt(token, context=context))
