# ruff: noqa: F811  (pytest fixtures imported from tests.test_store_backends)
"""Crisis alerts: idempotent on message id, evidence encrypted at rest, acknowledged and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.store.alerts import AlertNotFound, AlertStore, alerts
from agent.store.audit import AuditLog
from tests.test_store_backends import db, db_url, postgres_url  # noqa: F401


def _raise(store: AlertStore, message_id: str, severity: str = "high", client: str = "cl_1"):
    return store.create(message_id=message_id, client_id=client, clinician_id="dr_1",
                        severity=severity, categories=["suicidal_ideation"],
                        evidence=["I don't want to be here anymore"], thread_id="th_1")


def test_create_is_idempotent_on_message_id(db):
    store = AlertStore(db)
    first = _raise(store, "m1")
    assert _raise(store, "m1") == first
    assert store.count_open() == 1
    assert [e.action for e in AuditLog(db).search()] == ["alert.create"]


def test_evidence_is_encrypted_at_rest_and_readable_through_the_store(db):
    store = AlertStore(db)
    alert_id = _raise(store, "m1")
    with db.read() as conn:
        raw = conn.execute(select(alerts.c.evidence_enc)).scalar_one()
    assert "want to be here" not in raw
    assert store.get(alert_id).evidence == ["I don't want to be here anymore"]


def test_open_alerts_most_severe_first_and_scoped_to_caseload(db):
    store = AlertStore(db)
    _raise(store, "m1", "elevated", client="cl_1")
    _raise(store, "m2", "imminent", client="cl_2")
    _raise(store, "m3", "high", client="cl_1")
    assert [a.severity for a in store.list_open()] == ["imminent", "high", "elevated"]
    assert {a.client_id for a in store.list_open(client_ids={"cl_1"})} == {"cl_1"}
    assert store.list_open(client_ids=set()) == []


def test_acknowledge_closes_once_and_is_audited(db):
    store = AlertStore(db)
    alert_id = _raise(store, "m1")
    acked = store.acknowledge(alert_id, by="staff:dr_1")
    assert acked.status == "acknowledged" and acked.acknowledged_by == "staff:dr_1"
    again = store.acknowledge(alert_id, by="staff:other")
    assert again.acknowledged_by == "staff:dr_1"
    assert store.list_open() == []
    assert [e.action for e in AuditLog(db).search()] == ["alert.acknowledge", "alert.create"]
    with pytest.raises(AlertNotFound):
        store.acknowledge("alt_missing", by="x")


def test_unknown_severity_is_refused(db):
    with pytest.raises(ValueError, match="severity"):
        _raise(AlertStore(db), "m1", severity="meh")
