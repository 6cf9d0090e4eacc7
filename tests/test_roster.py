"""The draft guard's roster: read once per minute, never stale past that, failures surface."""

import pytest

from tools.ehr.models import ClientIdentifiers
from tools.ehr.roster import IdentifierRoster

ROSTER = [
    ClientIdentifiers(client_id=f"cl-{n:04d}", names=(f"Client {n}",), record_numbers=(f"MRN-{n}",))
    for n in range(1, 6)
]


class CountingEHR:
    def __init__(self, roster):
        self.roster, self.reads = roster, 0

    def roster_identifiers(self):
        self.reads += 1
        if isinstance(self.roster, Exception):
            raise self.roster
        return list(self.roster)


def test_reads_once_per_ttl_and_leaves_out_the_asking_client():
    source = CountingEHR(ROSTER)
    now = [0.0]
    roster = IdentifierRoster(source, ttl_s=60, clock=lambda: now[0])
    first = source.roster[0].client_id
    others = roster.others(first)
    assert first not in {o.client_id for o in others} and len(others) == len(source.roster) - 1
    roster.others(source.roster[1].client_id)
    assert source.reads == 1
    now[0] = 61.0  # a minute later a newly admitted client is guarded too
    roster.others(first)
    assert source.reads == 2


def test_a_failed_read_raises_so_the_guard_fails_closed():
    roster = IdentifierRoster(CountingEHR(RuntimeError("EHR down")))
    with pytest.raises(RuntimeError):
        roster.others("cl-0001")
