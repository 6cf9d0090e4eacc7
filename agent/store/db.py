"""The application database: one SQLAlchemy `metadata` for every table, and the engine around it.

SQLite (WAL, busy timeout, foreign keys) is the embedded default; PostgreSQL (psycopg 3,
`postgresql+psycopg://`) is the scale-out backend. Both run the same Core statements. Every
table module lives in this package and registers its tables on `metadata`; `create_all()` imports
them all, so a new table module needs no wiring anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event

from agent.store.crypto import FieldCipher

if TYPE_CHECKING:
    from agent.settings import Settings

metadata = MetaData()

SQLITE_BUSY_TIMEOUT_MS = 30_000


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp the store writes is UTC."""
    return datetime.now(UTC)


class Database:
    """An engine plus the field cipher that every PHI column of the product is encrypted with.

    Writers that must see a consistent head (the audit chain, queue claims) use `write()`, which
    on SQLite takes the database write lock up front (`BEGIN IMMEDIATE`) so two processes never
    deadlock upgrading a read lock; on PostgreSQL it is an ordinary transaction and the callers
    take row or advisory locks.
    """

    def __init__(self, url: str, *, cipher: FieldCipher | None = None, pool_size: int = 10):
        self.url = url
        self._cipher = cipher
        self._insert_statements: dict[tuple[str, tuple[str, ...]], Any] = {}
        if url.startswith("sqlite"):
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                pool_size=pool_size,
                max_overflow=pool_size,
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The product database (SQLite under data_dir unless database_url is set)."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings.resolved_database_url, cipher=FieldCipher.from_settings(settings))

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql": the few statements that differ branch on this."""
        return self.engine.dialect.name

    @property
    def cipher(self) -> FieldCipher:
        """The field cipher; a Database built from a bare URL uses the process settings' key."""
        if self._cipher is None:
            from agent.settings import get_settings

            self._cipher = FieldCipher.from_settings(get_settings())
        return self._cipher

    def create_all(self) -> None:
        """Create every table of every module in `agent.store` (idempotent)."""
        import agent.store as package

        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
        if self.dialect == "postgresql":
            # Several processes may start at once; serialize DDL so CREATE TABLE never races.
            with self.engine.begin() as conn:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7157001)")
                metadata.create_all(conn)
        else:
            metadata.create_all(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its first statement (see class doc)."""
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A short read transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def insert_once(self, conn: Connection, table, values: dict, *, index: list[str]) -> Any:
        """INSERT ... ON CONFLICT (index) DO NOTHING; the new row's primary key, None if the row
        existed (keys are never falsy: ids are non-empty strings, sequences start at 1).

        Inside the caller's transaction it neither raises nor aborts the transaction on a
        duplicate (PostgreSQL aborts a transaction on an IntegrityError). RETURNING, not
        rowcount, tells the outcome: psycopg reports no rowcount for this statement.
        """
        row = conn.execute(self._insert_once_statement(table, tuple(index)), values).first()
        return None if row is None else row[0]

    def _insert_once_statement(self, table, index: tuple[str, ...]):
        """Built once per table: the values go in as parameters, so SQLAlchemy neither rebuilds
        nor re-keys the statement for every row (that was most of an inbox insert's time)."""
        statement = self._insert_statements.get((table.name, index))
        if statement is None:
            from sqlalchemy.dialects import postgresql, sqlite

            dialect = postgresql if self.dialect == "postgresql" else sqlite
            key = list(table.primary_key.columns)[0]
            statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=list(index))
                         .returning(key))
            self._insert_statements[(table.name, index)] = statement
        return statement

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query (used by /readyz)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    """WAL + busy timeout + foreign keys on every connection; explicit BEGIN so IMMEDIATE works.

    pysqlite's own transaction handling defers BEGIN until the first write; SQLAlchemy's
    documented recipe disables it and emits BEGIN itself, which is what lets `write()` choose
    `BEGIN IMMEDIATE`.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: an accepted webhook survives power loss, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")


def _begin_immediate(dbapi_connection) -> None:
    """BEGIN IMMEDIATE, retried about every millisecond while another writer holds the lock.

    SQLite's own busy handler sleeps in steps that grow to 100 ms, so a writer (a crisis alert)
    could sleep a tenth of a second after the lock was already free; polling keeps the wait
    close to the other transaction's real length. Same overall limit: SQLITE_BUSY_TIMEOUT_MS.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.001)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

