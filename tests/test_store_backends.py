"""The store's backend fixture (SQLite always; PostgreSQL when PRACTICE_TEST_POSTGRES_URL is set)
and the backend guarantees every other store test relies on."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from agent.store.crypto import FieldCipher
from agent.store.db import Database

POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")


def postgres_schema_url(schema: str) -> str:
    """The test Postgres URL with its search_path pinned to `schema` (one schema per test)."""
    assert POSTGRES_URL
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_url():
    """A fresh, empty schema on the test Postgres; dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PRACTICE_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL, cipher=FieldCipher([b"k" * 32]))
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield postgres_schema_url(schema)
    with admin.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'practice.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def db(db_url):
    database = Database(db_url, cipher=FieldCipher([os.urandom(32)]))
    database.create_all()
    yield database
    database.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", cipher=FieldCipher([os.urandom(32)]))
    with database.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_create_all_creates_every_store_table_and_is_idempotent(db):
    db.create_all()
    from sqlalchemy import inspect

    names = set(inspect(db.engine).get_table_names())
    assert {"audit_log", "audit_head", "alerts"} <= names


def test_from_settings_generates_a_private_field_key(settings):
    database = Database.from_settings(settings)
    key_file = settings.data_dir / "keys" / "field.key"
    token = database.cipher.encrypt("I feel hopeless", context="c")
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    # A second process reads the same key, so it can decrypt what the first wrote.
    assert Database.from_settings(settings).cipher.decrypt(token, context="c") == "I feel hopeless"
