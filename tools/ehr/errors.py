"""Typed EHR errors: every adapter raises these and nothing else, so callers route on type.

The graph maps them to outcomes: NotFound / NotPermitted / InvalidRequest are the caller's problem
(a clear message back to the reviewer), Conflict means "someone else got there first" (offer other
slots), EHRUnavailable means "try later / hand to a human". A failed write never half-applies.
"""

from __future__ import annotations


class EHRError(Exception):
    """Base of every EHR error. `str(err)` is a clear, PHI-free reason (ids only)."""


# --- the request names something that does not exist ----------------------------------------
class NotFound(EHRError):
    """Base: the id does not name a record in this EHR."""


class ClientNotFound(NotFound):
    pass


class ClinicianNotFound(NotFound):
    pass


class AppointmentNotFound(NotFound):
    pass


class SlotNotFound(NotFound):
    pass


class ThreadNotFound(NotFound):
    pass


class AlertNotFound(NotFound):
    pass


# --- the request reaches outside what the caller may touch ----------------------------------
class NotPermitted(EHRError):
    """Base: the record exists but belongs to someone else (another client, another clinician)."""


class AppointmentNotOwned(NotPermitted):
    """The appointment is not the client's own."""


class ThreadNotOwned(NotPermitted):
    """The portal thread is not the client's own."""


class ClinicianNotPermitted(NotPermitted):
    """The slot belongs to a clinician the client is not permitted to book with."""


# --- the request is malformed or breaks a rule -----------------------------------------------
class InvalidRequest(EHRError):
    """Base: the request is well-addressed but not allowed (past slot, bad transition...)."""


class SlotInPast(InvalidRequest):
    pass


class InvalidTransition(InvalidRequest):
    """E.g. confirming a cancelled appointment, or cancelling one that already happened."""


class IdempotencyConflict(InvalidRequest):
    """A request id was reused for a different write; the first write stands."""


# --- the EHR state changed under us ----------------------------------------------------------
class Conflict(EHRError):
    """Base: the write lost a race; nothing was changed."""


class SlotUnavailable(Conflict):
    """The slot is no longer free (booked by someone else, or outside availability)."""


# --- the EHR itself failed -------------------------------------------------------------------
class EHRUnavailable(EHRError):
    """The EHR did not answer usefully (timeout, 5xx / 429 after retries). Safe to retry later."""


class EHRTimeout(EHRUnavailable):
    pass


class EHRAuthError(EHRError):
    """The EHR refused our credentials (bad key, wrong client id, missing scope)."""


class MalformedResponse(EHRError):
    """The EHR answered with something that is not the FHIR resource we asked for."""
