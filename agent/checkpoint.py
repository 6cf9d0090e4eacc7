"""Graph checkpoints, encrypted at rest: SqliteSaver (default, file under the data dir) or
PostgresSaver (when the database URL is PostgreSQL), both with LangGraph's `EncryptedSerializer`.

Checkpoints hold the client's message, context and draft, so they are PHI. The serializer
encrypts every checkpoint blob and pending write with AES-256-GCM (the `cryptography` package;
LangGraph's built-in helper needs pycryptodome, which we do not ship). The key comes from
`settings.state_encryption_key`; if unset, a random 32-byte key is generated once into
`<data_dir>/state.key` with 0600 permissions, so an embedded install is encrypted by default.
PostgresSaver stores bare str/int/bool channel values inline in plain JSON, bypassing the
serializer, so `TurnState` keeps anything PHI inside dicts (see `TurnState.draft`).
Every process that resumes a review must use the same key. There is one key, no rotation: a new
key makes pending reviews unreadable (they fail authentication), so drain reviews before changing.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.base import CipherProtocol
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agent.settings import Settings

CIPHER_NAME = "aesgcm"
KEY_FILE = "state.key"
CHECKPOINT_DB = "checkpoints.db"
_NONCE_BYTES = 12


class CheckpointKeyError(ValueError):
    """The configured state encryption key is not a usable AES key."""


class AesGcmCipher(CipherProtocol):
    """AES-GCM: authenticated, so a tampered checkpoint fails to load instead of loading wrong."""

    def __init__(self, key: bytes):
        if len(key) not in (16, 24, 32):
            raise CheckpointKeyError("state encryption key must be 16, 24 or 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(_NONCE_BYTES)
        return CIPHER_NAME, nonce + self._aead.encrypt(nonce, plaintext, None)

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        if ciphername != CIPHER_NAME:
            raise CheckpointKeyError(f"unsupported checkpoint cipher '{ciphername}'")
        return self._aead.decrypt(ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], None)


def _decode_key(raw: str) -> bytes:
    """Accept url-safe base64 of 16/24/32 bytes (what we generate) or a raw 16/24/32-char key."""
    raw = raw.strip()
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if len(decoded) in (16, 24, 32):
            return decoded
    except ValueError:
        pass
    if len(raw.encode()) in (16, 24, 32):
        return raw.encode()
    raise CheckpointKeyError(
        "PRACTICE_STATE_ENCRYPTION_KEY must be base64 of 16/24/32 bytes or a 16/24/32-byte string"
    )


def state_key(settings: Settings) -> bytes:
    """The checkpoint key: from settings, else from (or generated into) `<data_dir>/state.key`."""
    if settings.state_encryption_key is not None:
        return _decode_key(settings.state_encryption_key.get_secret_value())
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = base64.urlsafe_b64encode(os.urandom(32))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process generated it first; use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(encoded)
    return _decode_key(path.read_text())


def encrypted_serializer(settings: Settings) -> EncryptedSerializer:
    """The serializer every checkpointer of the product uses. State is plain JSON values, so the
    msgpack allowlist stays at LangGraph's safe built-ins (no arbitrary class reconstruction)."""
    inner = JsonPlusSerializer(allowed_msgpack_modules=None)
    return EncryptedSerializer(AesGcmCipher(state_key(settings)), serde=inner)


class Checkpointer:
    """An open checkpoint saver plus the connection it owns; `close()` releases it."""

    def __init__(self, saver: BaseCheckpointSaver, closer: Any = None):
        self.saver = saver
        self._closer = closer

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()

    def __enter__(self) -> BaseCheckpointSaver:
        return self.saver

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_checkpointer(settings: Settings) -> Checkpointer:
    """PostgresSaver when the app database is PostgreSQL, else SqliteSaver under the data dir."""
    serde = encrypted_serializer(settings)
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=4,
            kwargs={"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0},
            open=True,
        )
        saver = PostgresSaver(pool, serde=serde)
        saver.setup()
        return Checkpointer(saver, pool)

    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(settings.data_dir) / CHECKPOINT_DB
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn, serde=serde)
    saver.setup()
    return Checkpointer(saver, conn)
