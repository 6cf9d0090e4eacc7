"""The EHR protocol over any FHIR R4 server (httpx), with SMART Backend Services auth.

- Auth: client_credentials with a private_key_jwt assertion (RS384), the token cached until
  shortly before it expires and refreshed once on a 401.
- Transport: bounded timeouts; 429 / 5xx / timeouts retried with exponential backoff (writes too:
  every write carries `X-Request-Id` and a request-id identifier, so a retry cannot double-write);
  anything else becomes a typed `tools.ehr.errors` error with the server's reason.
- Every resource sent is built and validated with the `fhir.resources` R4B models
  (`fhir_mapping.validated`), and every resource received is validated the same way, so a
  malformed server answer is a `MalformedResponse`, never a half-parsed record.
- Atomic changes (reschedule = new booking + cancelled original; assessment = QuestionnaireResponse
  + Observation) go as one transaction Bundle: either both land or neither does.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from agent.settings import Settings
from tools.ehr import errors
from tools.ehr import fhir_mapping as fm
from tools.ehr.clock import Clock, system_clock
from tools.ehr.models import (
    ACTIVE_STATUSES,
    Alert,
    Appointment,
    AppointmentStatus,
    AssessmentResult,
    AssessmentSubmission,
    AvailabilityWindow,
    Caseload,
    Channel,
    Client,
    ClientContext,
    ClientIdentifiers,
    Clinician,
    Episode,
    Homework,
    Instrument,
    Medication,
    Message,
    OnCallContact,
    OutstandingForm,
    SenderRole,
    Slot,
    Thread,
    TreatmentGoal,
)
from tools.ehr.practice import Practice
from tools.ehr.sandbox import (
    assemble_context,
    check_message_text,
    check_submission,
    checked_subject,
    identifiers_of,
    result_of,
)

FHIR_JSON = "application/fhir+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_RETRYABLE = {429, 500, 502, 503, 504}
_NOT_FOUND = {
    "Patient": errors.ClientNotFound,
    "Practitioner": errors.ClinicianNotFound,
    "Appointment": errors.AppointmentNotFound,
    "Communication": errors.ThreadNotFound,
    "Flag": errors.AlertNotFound,
    "Slot": errors.SlotNotFound,
}
_BY_STATUS: list[tuple[set[int], type[errors.EHRError]]] = [
    ({401}, errors.EHRAuthError),
    ({403}, errors.NotPermitted),
    ({404, 410}, errors.NotFound),
    ({409, 412}, errors.Conflict),
    ({400, 422}, errors.InvalidRequest),
]
_MAX_PAGES = 100


class SmartAuth:
    """SMART Backend Services: a signed JWT assertion exchanged for a short-lived bearer token."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        private_key_pem: bytes,
        scopes: str,
        *,
        http: httpx.Client,
        key_id: str | None = None,
        clock=time.time,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._key = private_key_pem
        self.scopes = scopes
        self._http = http
        self._kid = key_id
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.tokens_fetched = 0

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires:
                self._fetch()
            return self._token  # type: ignore[return-value]

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        now = self._clock()
        assertion = jwt.encode(
            {
                "iss": self.client_id,
                "sub": self.client_id,
                "aud": self.token_url,
                "jti": uuid.uuid4().hex,
                "iat": int(now),
                "exp": int(now) + 240,
            },
            self._key,
            algorithm="RS384",
            headers={"kid": self._kid} if self._kid else None,
        )
        try:
            response = self._http.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "scope": self.scopes,
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": assertion,
                },
            )
        except httpx.TimeoutException:
            raise errors.EHRTimeout("token endpoint timed out") from None
        except httpx.TransportError as err:
            raise errors.EHRUnavailable(
                f"token endpoint unreachable: {type(err).__name__}"
            ) from None
        if response.status_code >= 500:
            raise errors.EHRUnavailable(f"token endpoint answered {response.status_code}")
        if response.status_code != 200:
            raise errors.EHRAuthError(f"token request refused ({response.status_code})")
        try:
            body = response.json()
            token, ttl = body["access_token"], float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise errors.MalformedResponse("token endpoint answer has no access_token") from None
        self._token = token
        self._expires = now + max(ttl - 30, ttl / 2)  # refresh a little before it lapses
        self.tokens_fetched += 1


class FhirEHR:
    """The EHR protocol over FHIR R4 REST."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: SmartAuth | None,
        http: httpx.Client | None = None,
        timeout_s: float = 10.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        clock: Clock | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = urlsplit(self.base_url)[:2]
        self._http = http or httpx.Client(timeout=timeout_s)
        self._auth = auth
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._clock = clock or system_clock

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http: httpx.Client | None = None, clock: Clock | None = None
    ) -> FhirEHR:
        if not settings.fhir_base_url:
            raise ValueError("PRACTICE_FHIR_BASE_URL is required when PRACTICE_EHR_BACKEND=fhir")
        http = http or httpx.Client(timeout=settings.ehr_timeout_s)
        auth = None
        if settings.fhir_token_url or settings.fhir_client_id or settings.fhir_private_key_path:
            missing = [
                name
                for name, value in (
                    ("PRACTICE_FHIR_TOKEN_URL", settings.fhir_token_url),
                    ("PRACTICE_FHIR_CLIENT_ID", settings.fhir_client_id),
                    ("PRACTICE_FHIR_PRIVATE_KEY_PATH", settings.fhir_private_key_path),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"SMART backend auth needs {', '.join(missing)}")
            auth = SmartAuth(
                settings.fhir_token_url,  # type: ignore[arg-type]
                settings.fhir_client_id,  # type: ignore[arg-type]
                settings.fhir_private_key_path.read_bytes(),  # type: ignore[union-attr]
                settings.fhir_scopes,
                http=http,
            )
        return cls(
            settings.fhir_base_url,
            auth=auth,
            http=http,
            timeout_s=settings.ehr_timeout_s,
            max_retries=settings.ehr_max_retries,
            clock=clock,
        )

    # --- transport ---------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        body: dict[str, Any] | None = None,
        request_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        if urlsplit(url)[:2] != self._origin:
            raise errors.MalformedResponse("server pointed us at another origin; not following")
        headers = {"Accept": FHIR_JSON}
        if body is not None:
            fm.validated(body)  # nothing leaves that the R4B models reject
            headers["Content-Type"] = FHIR_JSON
        if request_id is not None:
            if not request_id or len(request_id) > 200:
                raise errors.InvalidRequest("request_id must be 1-200 characters")
            headers["X-Request-Id"] = request_id
        refreshed = False
        last: errors.EHRError = errors.EHRUnavailable("EHR did not answer")
        attempt = 0
        while attempt <= self._max_retries:
            if self._auth is not None:
                headers["Authorization"] = f"Bearer {self._auth.token()}"
            try:
                response = self._http.request(
                    method, url, params=params, json=body, headers=headers
                )
            except httpx.TimeoutException:
                last = errors.EHRTimeout(f"{method} {kind or 'request'} timed out")
            except httpx.TransportError as err:
                last = errors.EHRUnavailable(
                    f"{method} {kind or 'request'} failed: {type(err).__name__}"
                )
            else:
                if response.status_code == 401 and self._auth is not None and not refreshed:
                    self._auth.invalidate()  # a revoked or expired token: fetch a new one, once
                    refreshed = True
                    continue
                if response.status_code not in _RETRYABLE:
                    return self._answer(response, kind)
                last = errors.EHRUnavailable(
                    f"{method} {kind or 'request'} answered {response.status_code}"
                )
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    time.sleep(min(float(retry_after), 5.0))
            attempt += 1
            if attempt <= self._max_retries:
                time.sleep(self._backoff_s * 2 ** (attempt - 1))
        raise last

    def _answer(self, response: httpx.Response, kind: str | None) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.is_success:
            if not isinstance(payload, dict) or "resourceType" not in payload:
                raise errors.MalformedResponse(f"{kind or 'response'} is not a FHIR resource")
            return payload
        raise self._error(response.status_code, payload, kind)

    @staticmethod
    def _error(status: int, payload: Any, kind: str | None) -> errors.EHRError:
        reason = f"EHR answered {status}"
        if isinstance(payload, dict) and payload.get("resourceType") == "OperationOutcome":
            issue = (payload.get("issue") or [{}])[0]
            reason = str(issue.get("diagnostics") or reason)[:500]
            for coding in issue.get("details", {}).get("coding", []):
                if coding.get("system") == fm.EXT + "error":
                    named = getattr(errors, str(coding.get("code")), None)
                    if isinstance(named, type) and issubclass(named, errors.EHRError):
                        return named(reason)
        if status in (404, 410) and kind in _NOT_FOUND:
            return _NOT_FOUND[kind](reason)
        for statuses, error in _BY_STATUS:
            if status in statuses:
                return error(reason)
        return errors.EHRError(reason)

    def _read(self, kind: str, ident: str) -> dict[str, Any]:
        if not ident or "/" in ident:
            raise _NOT_FOUND.get(kind, errors.NotFound)(f"{kind} id {ident!r} is not valid")
        resource = fm.validated(self._request("GET", f"{kind}/{ident}", kind=kind))
        if resource.get("resourceType") != kind:
            raise errors.MalformedResponse(
                f"asked for a {kind}, got {resource.get('resourceType')}"
            )
        return resource

    def _search_bundle(self, kind: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """All entries of a search, following `next` links (bounded)."""
        entries: list[dict[str, Any]] = []
        page: str | None = kind
        query: list[tuple[str, str]] | None = params
        for _ in range(_MAX_PAGES):
            if page is None:
                return entries
            bundle = self._request("GET", page, params=query, kind=kind)
            if bundle.get("resourceType") != "Bundle":
                raise errors.MalformedResponse(f"{kind} search did not return a Bundle")
            for entry in bundle.get("entry", []):
                if not isinstance(entry, dict) or "resource" not in entry:
                    raise errors.MalformedResponse(f"{kind} search entry has no resource")
                entries.append(entry)
            page = next(
                (
                    link.get("url")
                    for link in bundle.get("link", [])
                    if link.get("relation") == "next"
                ),
                None,
            )
            query = None  # the next link carries its own query
        raise errors.MalformedResponse(f"{kind} search exceeded {_MAX_PAGES} pages")

    def _search(self, kind: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        resources = []
        for entry in self._search_bundle(kind, params):
            if entry.get("search", {}).get("mode", "match") != "match":
                continue
            resource = fm.validated(entry["resource"])
            if resource["resourceType"] != kind:
                raise errors.MalformedResponse(
                    f"{kind} search returned a {resource['resourceType']}"
                )
            resources.append(resource)
        return resources

    # --- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock()

    # --- the practice --------------------------------------------------------------------------
    def practice(self) -> Practice:
        organizations = self._search("Organization", [("active", "true")])
        if not organizations:
            raise errors.NotFound("the EHR lists no Organization for the practice")
        organization = organizations[0]
        locations = self._search(
            "Location", [("organization", f"Organization/{organization['id']}")]
        )
        if not locations:
            raise errors.NotFound("the practice's Organization has no Location")
        return fm.practice_of(organization, locations[0])

    # --- clients -----------------------------------------------------------------------------
    def get_client(self, client_id: str) -> Client:
        return fm.client_of(self._read("Patient", client_id))

    def list_clients(self, *, clinician_id: str | None = None) -> list[Client]:
        params: list[tuple[str, str]] = [("active", "true"), ("_count", "200")]
        if clinician_id is not None:
            self.get_clinician(clinician_id)
            params.append(("general-practitioner", f"Practitioner/{clinician_id}"))
        clients = [fm.client_of(r) for r in self._search("Patient", params)]
        return sorted((c for c in clients if c.active), key=lambda c: c.id)

    def client_context(self, client_id: str) -> ClientContext:
        client = self.get_client(client_id)
        return assemble_context(
            client,
            self.get_clinician(client.clinician_id),
            upcoming=self.upcoming_appointments(client_id),
            homework=self.homework(client_id),
            goals=self.treatment_goals(client_id),
            medications=self.medications(client_id),
            forms=self.outstanding_forms(client_id),
            episodes=self.episodes(client_id),
        )

    def client_identifiers(self, client_id: str) -> ClientIdentifiers:
        return identifiers_of(self.get_client(client_id), full=True)

    def roster_identifiers(self) -> list[ClientIdentifiers]:
        patients = self._search("Patient", [("_count", "200")])  # discharged (inactive) included
        return [identifiers_of(fm.client_of(r), full=False) for r in patients]

    def set_channel_opt_out(
        self, client_id: str, channel: Channel, opted_out: bool, *, request_id: str
    ) -> Client:
        client = self.get_client(client_id)
        channels = set(client.opted_out_channels)
        (channels.add if opted_out else channels.discard)(channel)
        wanted = client.model_copy(update={"opted_out_channels": tuple(sorted(channels))})
        answer = self._request(
            "PUT", f"Patient/{client_id}", body=fm.patient_of(wanted), request_id=request_id,
            kind="Patient",
        )  # fmt: skip
        return fm.client_of(fm.validated(answer))

    # --- clinicians --------------------------------------------------------------------------
    def list_clinicians(self) -> list[Clinician]:
        found = [fm.clinician_of(r) for r in self._search("Practitioner", [("_count", "200")])]
        return sorted(found, key=lambda c: c.id)

    def get_clinician(self, clinician_id: str) -> Clinician:
        return fm.clinician_of(self._read("Practitioner", clinician_id))

    def caseload(self, clinician_id: str) -> Caseload:
        clients = self.list_clients(clinician_id=clinician_id)
        return Caseload(clinician_id=clinician_id, client_ids=tuple(c.id for c in clients))

    def supervisees(self, clinician_id: str) -> list[Clinician]:
        self.get_clinician(clinician_id)
        return [c for c in self.list_clinicians() if c.supervisor_id == clinician_id]

    def on_call(self, at: datetime | None = None) -> OnCallContact:
        moment = (at or self.now()).isoformat()
        roles = self._search("PractitionerRole", [("role", "on-call"), ("date", moment)])
        if not roles:
            raise errors.NotFound("the EHR names no on-call clinician for that time")
        return fm.on_call_of(roles[0])

    def availability(self, clinician_id: str) -> list[AvailabilityWindow]:
        self.get_clinician(clinician_id)
        roles = self._search("PractitionerRole", [("practitioner", f"Practitioner/{clinician_id}")])
        return [w for role in roles for w in fm.availability_of(role)]

    # --- calendar ----------------------------------------------------------------------------
    def get_appointment(self, appointment_id: str) -> Appointment:
        return fm.appointment_of(self._read("Appointment", appointment_id))

    def appointments(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: list[AppointmentStatus] | None = None,
    ) -> list[Appointment]:
        self.get_client(client_id)
        params = [("patient", f"Patient/{client_id}"), ("_count", "200")]
        params += [("date", f"ge{start.isoformat()}")] if start else []
        params += [("date", f"lt{end.isoformat()}")] if end else []
        found = [fm.appointment_of(r) for r in self._search("Appointment", params)]
        return sorted(
            (a for a in found if statuses is None or a.status in statuses),
            key=lambda a: (a.start, a.id),
        )

    def upcoming_appointments(self, client_id: str) -> list[Appointment]:
        return self.appointments(
            client_id,
            start=self.now(),
            statuses=sorted(ACTIVE_STATUSES),  # type: ignore[arg-type]
        )

    def appointments_between(
        self, start: datetime, end: datetime, *, clinician_id: str | None = None
    ) -> list[Appointment]:
        params = [("date", f"ge{start.isoformat()}"), ("date", f"lt{end.isoformat()}")]
        params.append(("_count", "200"))
        if clinician_id is not None:
            self.get_clinician(clinician_id)
            params.append(("practitioner", f"Practitioner/{clinician_id}"))
        found = [fm.appointment_of(r) for r in self._search("Appointment", params)]
        return sorted(found, key=lambda a: (a.start, a.id))

    def open_slots(self, clinician_id: str, start: datetime, end: datetime) -> list[Slot]:
        if end <= start:
            raise errors.InvalidRequest("slot search window must end after it starts")
        if end - start > timedelta(days=92):
            raise errors.InvalidRequest("slot search window is limited to 92 days")
        self.get_clinician(clinician_id)
        schedules = self._search("Schedule", [("actor", f"Practitioner/{clinician_id}")])
        start = max(start, self.now())
        slots: list[Slot] = []
        for schedule in schedules:
            params = [
                ("schedule", f"Schedule/{schedule['id']}"),
                ("start", f"ge{start.isoformat()}"),
                ("start", f"lt{end.isoformat()}"),
                ("status", "free"),
                ("_count", "200"),
            ]
            for resource in self._search("Slot", params):
                if resource.get("status") != "free":
                    continue
                slot = Slot(
                    id=resource["id"],
                    clinician_id=clinician_id,
                    start=datetime.fromisoformat(resource["start"]),
                    end=datetime.fromisoformat(resource["end"]),
                )
                if slot.start >= start:
                    slots.append(slot)
        return sorted(slots, key=lambda s: (s.start, s.id))

    def _owned(self, client_id: str, appointment_id: str) -> Appointment:
        self.get_client(client_id)
        appointment = self.get_appointment(appointment_id)
        if appointment.client_id != client_id:
            raise errors.AppointmentNotOwned(
                f"appointment {appointment_id!r} does not belong to client {client_id!r}"
            )
        return appointment

    def _created(self, answer: dict[str, Any], kind: str) -> dict[str, Any]:
        resource = fm.validated(answer)
        if resource.get("resourceType") != kind or "id" not in resource:
            raise errors.MalformedResponse(f"create answered without the new {kind}")
        return resource

    def book(self, client_id: str, slot_id: str, *, request_id: str) -> Appointment:
        self.get_client(client_id)
        answer = self._request(
            "POST", "Appointment", body=fm.booking_request(client_id, slot_id, request_id),
            request_id=request_id, kind="Appointment",
        )  # fmt: skip
        return fm.appointment_of(self._created(answer, "Appointment"))

    def _put_appointment(
        self, appointment: Appointment, status: AppointmentStatus, request_id: str
    ) -> Appointment:
        wanted = appointment.model_copy(update={"status": status})
        answer = self._request(
            "PUT", f"Appointment/{appointment.id}", body=fm.fhir_appointment(wanted),
            request_id=request_id, kind="Appointment",
        )  # fmt: skip
        return fm.appointment_of(fm.validated(answer))

    def reschedule(
        self, client_id: str, appointment_id: str, slot_id: str, *, request_id: str
    ) -> Appointment:
        original = self._owned(client_id, appointment_id)
        cancelled = original.model_copy(update={"status": "cancelled"})
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, request_id)}",
                    "resource": fm.booking_request(client_id, slot_id, request_id),
                    "request": {"method": "POST", "url": "Appointment"},
                },
                {
                    "fullUrl": f"{self.base_url}/Appointment/{original.id}",
                    "resource": fm.fhir_appointment(cancelled),
                    "request": {"method": "PUT", "url": f"Appointment/{original.id}"},
                },
            ],
        }
        answer = self._request("POST", "", body=bundle, request_id=request_id, kind="Bundle")
        new_id = self._locations(answer, "Appointment")[0]
        return self.get_appointment(new_id)

    @staticmethod
    def _locations(answer: dict[str, Any], kind: str) -> list[str]:
        if answer.get("resourceType") != "Bundle" or answer.get("type") != "transaction-response":
            raise errors.MalformedResponse("transaction did not return a transaction-response")
        ids = []
        for entry in answer.get("entry", []):
            location = entry.get("response", {}).get("location", "")
            prefix, _, ident = location.split("/_history")[0].rpartition("/")
            if prefix.endswith(kind) and ident:
                ids.append(ident)
        if not ids:
            raise errors.MalformedResponse(f"transaction response names no {kind}")
        return ids

    def cancel(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment:
        appointment = self._owned(client_id, appointment_id)
        return self._put_appointment(appointment, "cancelled", request_id)

    def confirm(self, client_id: str, appointment_id: str, *, request_id: str) -> Appointment:
        appointment = self._owned(client_id, appointment_id)
        return self._put_appointment(appointment, "confirmed", request_id)

    def record_attendance(
        self, appointment_id: str, status: AppointmentStatus, *, request_id: str
    ) -> Appointment:
        if status not in ("fulfilled", "noshow"):
            raise errors.InvalidRequest("attendance is 'fulfilled' or 'noshow'")
        return self._put_appointment(self.get_appointment(appointment_id), status, request_id)

    # --- portal messages ---------------------------------------------------------------------
    def threads(self, client_id: str) -> list[Thread]:
        self.get_client(client_id)
        found = self._search("Communication", [("subject", f"Patient/{client_id}")])
        threads = [fm.thread_of(r) for r in found if fm.category_code(r) == "thread"]
        return sorted(threads, key=lambda t: (t.created_at, t.id))

    def get_thread(self, thread_id: str) -> Thread:
        resource = self._read("Communication", thread_id)
        if fm.category_code(resource) != "thread":
            raise errors.ThreadNotFound(f"thread {thread_id!r} not found")
        thread = fm.thread_of(resource)
        found = self._search("Communication", [("part-of", f"Communication/{thread_id}")])
        messages = sorted((fm.message_of(r) for r in found), key=lambda m: (m.sent_at, m.id))
        return thread.model_copy(update={"messages": tuple(messages)})

    def start_thread(self, client_id: str, subject: str, *, request_id: str) -> Thread:
        subject = checked_subject(subject)
        answer = self._request(
            "POST", "Communication", body=fm.thread_request(client_id, subject, request_id),
            request_id=request_id, kind="Patient",
        )  # fmt: skip
        return fm.thread_of(self._created(answer, "Communication"))

    def post_message(
        self,
        client_id: str,
        thread_id: str,
        text: str,
        *,
        sender: SenderRole,
        sender_id: str | None,
        request_id: str,
        in_reply_to: str | None = None,
    ) -> Message:
        check_message_text(text)
        self.get_client(client_id)
        thread = fm.thread_of(self._read("Communication", thread_id))
        if thread.client_id != client_id:
            raise errors.ThreadNotOwned(
                f"thread {thread_id!r} does not belong to client {client_id!r}"
            )
        body = fm.message_request(
            client_id, thread_id, text, sender=sender, sender_id=sender_id,
            in_reply_to=in_reply_to, request_id=request_id,
        )  # fmt: skip
        answer = self._request(
            "POST", "Communication", body=body, request_id=request_id, kind="Communication"
        )
        return fm.message_of(self._created(answer, "Communication"))

    # --- alerts ------------------------------------------------------------------------------
    def raise_alert(
        self,
        client_id: str,
        *,
        severity: str,
        category: str,
        description: str,
        raised_by: str,
        request_id: str,
        message_id: str | None = None,
    ) -> Alert:
        body = fm.flag_request(
            client_id, severity=severity, category=category, description=description,
            raised_by=raised_by, message_id=message_id, request_id=request_id,
        )  # fmt: skip
        answer = self._request("POST", "Flag", body=body, request_id=request_id, kind="Patient")
        return fm.alert_of(self._created(answer, "Flag"))

    def get_alert(self, alert_id: str) -> Alert:
        return fm.alert_of(self._read("Flag", alert_id))

    def resolve_alert(self, alert_id: str, *, resolved_by: str, request_id: str) -> Alert:
        alert = self.get_alert(alert_id)
        wanted = alert.model_copy(update={"status": "inactive", "resolved_by": resolved_by})
        answer = self._request(
            "PUT", f"Flag/{alert_id}", body=fm.flag_of(wanted), request_id=request_id, kind="Flag"
        )
        return fm.alert_of(fm.validated(answer))

    def active_alerts(self, client_id: str | None = None) -> list[Alert]:
        params = [("status", "active"), ("_count", "200")]
        if client_id is not None:
            self.get_client(client_id)
            params.append(("subject", f"Patient/{client_id}"))
        alerts = [fm.alert_of(r) for r in self._search("Flag", params)]
        return sorted(alerts, key=lambda a: (a.raised_at, a.id))

    # --- structured clinical context ---------------------------------------------------------
    def _client_records(self, kind: str, param: str, client_id: str) -> list[dict[str, Any]]:
        self.get_client(client_id)
        return self._search(kind, [(param, f"Patient/{client_id}"), ("_count", "200")])

    def homework(self, client_id: str) -> list[Homework]:
        return [fm.homework_of(r) for r in self._client_records("CarePlan", "subject", client_id)]

    def treatment_goals(self, client_id: str) -> list[TreatmentGoal]:
        return [fm.goal_of(r) for r in self._client_records("Goal", "subject", client_id)]

    def medications(self, client_id: str) -> list[Medication]:
        found = self._client_records("MedicationStatement", "subject", client_id)
        return [fm.medication_of(r) for r in found]

    def outstanding_forms(self, client_id: str) -> list[OutstandingForm]:
        forms = [fm.form_of(r) for r in self._client_records("Task", "for", client_id)]
        return [f for f in forms if f.status == "outstanding"]

    def episodes(self, client_id: str) -> list[Episode]:
        return [
            fm.episode_of(r) for r in self._client_records("EpisodeOfCare", "patient", client_id)
        ]

    # --- assessments -------------------------------------------------------------------------
    def write_assessment(
        self, submission: AssessmentSubmission, *, request_id: str
    ) -> AssessmentResult:
        check_submission(submission)
        self.get_client(submission.client_id)
        qr_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, request_id)}"
        qr, obs = fm.assessment_resources(submission, qr_reference=qr_url)
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"fullUrl": qr_url, "resource": qr,
                 "request": {"method": "POST", "url": "QuestionnaireResponse"}},
                {"resource": obs, "request": {"method": "POST", "url": "Observation"}},
            ],
        }  # fmt: skip
        answer = self._request("POST", "", body=bundle, request_id=request_id, kind="Bundle")
        qr_id = self._locations(answer, "QuestionnaireResponse")[0]
        obs_id = self._locations(answer, "Observation")[0]
        result = result_of(submission, qr_id.removeprefix("qr-"))
        return result.model_copy(
            update={"questionnaire_response_id": qr_id, "observation_id": obs_id}
        )

    def assessment_history(
        self, client_id: str, instrument: Instrument | None = None
    ) -> list[AssessmentResult]:
        self.get_client(client_id)
        entries = self._search_bundle(
            "QuestionnaireResponse",
            [
                ("subject", f"Patient/{client_id}"),
                ("_revinclude", "Observation:derived-from"),
                ("_count", "200"),
            ],
        )
        resources = [fm.validated(e["resource"]) for e in entries]
        by_qr = {
            ref["reference"].rsplit("/", 1)[-1]: r
            for r in resources
            if r["resourceType"] == "Observation"
            for ref in r.get("derivedFrom", [])
        }
        results = [
            fm.assessment_of(r, by_qr[r["id"]])
            for r in resources
            if r["resourceType"] == "QuestionnaireResponse" and r["id"] in by_qr
        ]
        chosen = [r for r in results if instrument is None or r.instrument == instrument]
        return sorted(chosen, key=lambda r: (r.completed_at, r.id))
