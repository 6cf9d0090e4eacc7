# ruff: noqa: F811  (pytest fixtures imported from tests.test_store_backends)
"""The audit log: hash chain holds under concurrent writers and any tampering is named."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest
from sqlalchemy import delete, update

from agent.store.audit import AuditDetailsError, AuditLog, audit_head, audit_log
from agent.store.crypto import FieldCipher
from agent.store.db import Database
from tests.test_store_backends import db, db_url, postgres_url  # noqa: F401


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append(actor="staff:u1", action="message.read", client_id=f"c{i % 3}",
                   subject=f"msg_{i}", details={"route": "draft", "n": i})


def test_clean_chain_verifies(db):
    log = AuditLog(db)
    _fill(log, 5)
    report = log.verify()
    assert report.ok and report.checked == 5 and report.first_broken_id is None


def test_edited_entry_is_named(db):
    log = AuditLog(db)
    _fill(log, 6)
    with db.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values(actor="staff:other"))
    report = log.verify()
    assert not report.ok and report.first_broken_id == 3


def test_deleted_middle_entry_is_named(db):
    log = AuditLog(db)
    _fill(log, 6)
    with db.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id == 4))
    report = log.verify()
    assert not report.ok and report.first_broken_id == 4


def test_truncated_tail_is_detected(db):
    log = AuditLog(db)
    _fill(log, 6)
    with db.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id >= 5))
    report = log.verify()
    assert not report.ok and report.first_broken_id == 5


def test_rehashed_row_without_fixing_successor_is_named(db):
    """An attacker who rewrites row 2 and recomputes its hash still breaks row 3's link."""
    from agent.store.audit import _link_hash

    log = AuditLog(db)
    _fill(log, 4)
    with db.write() as conn:
        prev = conn.execute(audit_log.select().where(audit_log.c.id == 1)).mappings().one()
        row = dict(conn.execute(audit_log.select().where(audit_log.c.id == 2)).mappings().one())
        row["actor"] = "staff:forged"
        import json

        content = {**row, "details": json.loads(row["details"])}
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(
            actor="staff:forged", hash=_link_hash(prev["hash"], content)))
    assert log.verify().first_broken_id == 3


def test_details_refuse_text_and_names(db):
    log = AuditLog(db)
    with pytest.raises(AuditDetailsError, match="text"):
        log.append(actor="system", action="draft.create", details={"text": "I feel awful"})
    with pytest.raises(AuditDetailsError, match="name"):
        log.append(actor="system", action="x", details={"client": {"name": "Jane Doe"}})
    with pytest.raises(AuditDetailsError, match="longer"):
        log.append(actor="system", action="x", details={"reason": "y" * 500})
    assert log.verify().checked == 0  # nothing half-written


def test_filters_and_csv_export(db):
    log = AuditLog(db)
    _fill(log, 6)
    log.append(actor="staff:admin", action="policy.save", subject="v2")
    assert [e.action for e in log.search(actor="staff:admin")] == ["policy.save"]
    assert {e.client_id for e in log.search(client_id="c1")} == {"c1"}
    csv_text = log.export_csv(action="message.read")
    assert csv_text.splitlines()[0].startswith("id,at,actor,action")
    assert len(csv_text.strip().splitlines()) == 1 + 6


def _append_many(url: str, key: bytes, worker: int, n: int) -> None:
    log = AuditLog(Database(url, cipher=FieldCipher([key])))
    for i in range(n):
        log.append(actor=f"worker:{worker}", action="event.process", subject=f"e{worker}_{i}")


def test_concurrent_appends_from_processes_keep_one_linear_chain(db, db_url):
    key = os.urandom(32)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(db_url, key, w, 15)) for w in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    report = AuditLog(db).verify()
    assert report.ok and report.checked == 45


def test_cli_names_first_broken_link(tmp_path):
    env = {**os.environ, "PRACTICE_DATA_DIR": str(tmp_path / "data")}
    from agent.settings import Settings

    database = Database.from_settings(Settings(data_dir=tmp_path / "data"))
    database.create_all()
    log = AuditLog(database)
    _fill(log, 3)
    ok = subprocess.run([sys.executable, "-m", "agent.store.audit", "verify"], env=env,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "OK: 3 entries" in ok.stdout
    with database.write() as conn:
        conn.execute(update(audit_head).values(last_hash="f" * 64))
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(subject="forged"))
    broken = subprocess.run([sys.executable, "-m", "agent.store.audit", "verify"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "BROKEN at entry 2" in broken.stdout
