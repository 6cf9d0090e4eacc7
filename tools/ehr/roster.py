"""Every client's identifiers for the draft guard, read from the EHR once a minute, not per draft.

The guard must check each draft against every other client's names, phones, emails and record
numbers. Reading the whole roster per draft costs ~10 ms on the sandbox and a full Patient search
on a FHIR server, for a list that changes a few times a day. A client added within the last
`ttl_s` seconds is not yet on the list; their data cannot be in another client's draft anyway
unless a model invented it, which is what this list backstops.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from tools.ehr.models import ClientIdentifiers

TTL_S = 60.0


class IdentifierRoster:
    """A time-bounded copy of `EHR.roster_identifiers()`; a failed read raises (fail closed)."""

    def __init__(self, ehr, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic):
        self.ehr = ehr
        self.ttl_s = ttl_s
        self.clock = clock
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._roster: list[ClientIdentifiers] = []

    def others(self, client_id: str) -> list[ClientIdentifiers]:
        """Identifiers of every client except `client_id`."""
        with self._lock:
            now = self.clock()
            if self._read_at is None or now - self._read_at >= self.ttl_s:
                self._roster = list(self.ehr.roster_identifiers())
                self._read_at = now
            roster = self._roster
        return [entry for entry in roster if entry.client_id != client_id]


_rosters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_rosters_lock = threading.Lock()


def roster_of(ehr) -> IdentifierRoster:
    """The one roster of this EHR object in this process."""
    with _rosters_lock:
        roster = _rosters.get(ehr)
        if roster is None:
            roster = _rosters[ehr] = IdentifierRoster(ehr)
        return roster
