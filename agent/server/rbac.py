"""Who may see what. One function computes a signed-in person's scope from their roles and the
EHR's caseloads; every page and API call checks against it.

- clinician: their own caseload, clinical and non-clinical items, their clients' crisis alerts.
- supervisor: their own caseload plus every supervisee's, the same as a clinician there.
- front_desk: every client's NON-clinical items only (scheduling, billing, forms, practice info);
  never clinical text, never crisis alerts (their evidence is clinical text).
- admin: policy, audit log, parked events, staff; no message bodies unless the account also
  holds a clinical role (then the clinical scope applies to bodies as well).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agent.store.staff import StaffAccount


class Scope(BaseModel):
    client_ids: frozenset[str] | None  # None = every client
    include_clinical: bool
    reviews: bool  # may open the review queue at all
    alerts: bool
    admin: bool

    def can_read(self, client_id: str, clinical: bool) -> bool:
        if not self.reviews:
            return False
        if self.client_ids is not None and client_id not in self.client_ids:
            return False
        return self.include_clinical or not clinical

    def can_read_alert(self, client_id: str) -> bool:
        return self.alerts and (self.client_ids is None or client_id in self.client_ids)


def scope_for(account: StaffAccount, ehr: Any) -> Scope:
    """The account's scope; caseloads are read from the EHR at each request (always current)."""
    clinical_clients: set[str] = set()
    clinical = account.has("clinician") or account.has("supervisor")
    if clinical and account.clinician_id:
        clinical_clients |= set(ehr.caseload(account.clinician_id).client_ids)
        if account.has("supervisor"):
            for supervisee in ehr.supervisees(account.clinician_id):
                clinical_clients |= set(ehr.caseload(supervisee.id).client_ids)
    if clinical:
        return Scope(client_ids=frozenset(clinical_clients), include_clinical=True, reviews=True,
                     alerts=True, admin=account.has("admin"))
    if account.has("front_desk"):
        return Scope(client_ids=None, include_clinical=False, reviews=True, alerts=False,
                     admin=account.has("admin"))
    return Scope(client_ids=frozenset(), include_clinical=False, reviews=False, alerts=False,
                 admin=account.has("admin"))
