"""A FHIR R4 REST facade over the sandbox EHR, with SMART Backend Services auth, on loopback.

It lets the FHIR adapter be exercised over real HTTP exactly as it would talk to a vendor's
server: `POST /auth/token` verifies a client's private_key_jwt (RS384) and issues a short-lived
bearer token; `/fhir/...` serves Patient, Practitioner, PractitionerRole, Schedule, Slot,
Appointment, Communication, Flag, CarePlan, Goal, MedicationStatement, Task, EpisodeOfCare and
QuestionnaireResponse/Observation with the standard search parameters the adapter uses, and
transaction Bundles for the two writes that must be atomic (reschedule, assessment).
Writes carry `X-Request-Id`, handed to the sandbox's idempotency table.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse

from tools.ehr import errors
from tools.ehr import fhir_mapping as fm
from tools.ehr.models import AppointmentStatus, AssessmentSubmission, Client
from tools.ehr.sandbox import SandboxEHR

FHIR_JSON = "application/fhir+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_STATUS_OF: list[tuple[type[Exception], int]] = [
    (errors.NotFound, 404),
    (errors.NotPermitted, 403),
    (errors.Conflict, 409),
    (errors.InvalidRequest, 422),
    (errors.MalformedResponse, 400),
    (errors.EHRAuthError, 401),
]


class _Denied(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class _Token:
    client_id: str
    scopes: frozenset[str]
    expires: float


@dataclass
class FacadeAuth:
    """Registered backend clients (client_id -> RSA public key PEM) and the tokens issued."""

    clients: dict[str, bytes]
    token_ttl_s: int = 300
    allowed_scopes: frozenset[str] | None = None
    clock: Callable[[], float] = time.time
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _seen_jti: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, assertion: str, scope: str, audience: str) -> dict[str, Any]:
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise _Denied(400, "client_assertion is not a JWT") from None
        client_id = unverified.get("iss")
        key = self.clients.get(client_id or "")
        if key is None:
            raise _Denied(401, "unknown client")
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=["RS384"],
                audience=audience,
                issuer=client_id,
                options={"require": ["exp", "jti", "sub", "iss", "aud"]},
                leeway=5,
            )
        except jwt.PyJWTError as err:
            raise _Denied(401, f"client_assertion rejected: {type(err).__name__}") from None
        now = self.clock()
        if claims["sub"] != client_id or claims["exp"] - now > 300:
            raise _Denied(401, "client_assertion must have sub == iss and expire within 5 min")
        requested = frozenset(scope.split())
        granted = requested if self.allowed_scopes is None else requested & self.allowed_scopes
        with self._lock:
            self._seen_jti = {j: e for j, e in self._seen_jti.items() if e > now}
            if claims["jti"] in self._seen_jti:
                raise _Denied(401, "client_assertion jti was already used")
            self._seen_jti[claims["jti"]] = claims["exp"]
            token = secrets.token_urlsafe(32)
            self._tokens[token] = _Token(client_id, granted, now + self.token_ttl_s)
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_ttl_s,
            "scope": " ".join(sorted(granted)),
        }

    def check(self, authorization: str | None, resource_type: str, write: bool) -> None:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise _Denied(401, "bearer token required")
        with self._lock:
            token = self._tokens.get(authorization[7:].strip())
        if token is None or token.expires <= self.clock():
            raise _Denied(401, "token unknown or expired")
        needed = {f"system/{resource_type}.{'write' if write else 'read'}"}
        needed.add(f"system/*.{'write' if write else 'read'}")
        if not needed & token.scopes:
            raise _Denied(
                403, f"token lacks scope system/{resource_type}.{'write' if write else 'read'}"
            )


def _bundle(resources: list[dict[str, Any]], request: Request, *, include: list | None = None):
    """A searchset page (`_count`, `_offset`) with a `next` link while more remain."""
    count = min(int(request.query_params.get("_count", 50)), 200)
    offset = int(request.query_params.get("_offset", 0))
    page = resources[offset : offset + count]
    entries = [
        {"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
        for r in page
    ]
    entries += [
        {"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
        for r in (include or [])
    ]
    links = [{"relation": "self", "url": str(request.url)}]
    if offset + count < len(resources):
        params = [
            (k, v) for k, v in request.query_params.multi_items() if k not in ("_count", "_offset")
        ]
        params += [("_count", str(count)), ("_offset", str(offset + count))]
        links.append({"relation": "next", "url": str(request.url.replace(query=urlencode(params)))})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": links,
        "entry": entries,
    }


def _dates(request: Request, name: str) -> tuple[datetime | None, datetime | None]:
    """[ge, lt) from repeated `name=geX` / `name=ltX` parameters."""
    low = high = None
    for value in request.query_params.getlist(name):
        prefix, stamp = value[:2], value[2:]
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise errors.InvalidRequest(f"{name} needs a time zone")
        if prefix in ("ge", "gt"):
            low = moment
        elif prefix in ("lt", "le"):
            high = moment
        else:
            raise errors.InvalidRequest(f"{name} supports ge/gt/lt/le prefixes")
    return low, high


def _ref(request: Request, name: str, kind: str) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    return value.removeprefix(f"{kind}/")


def create_facade(ehr: SandboxEHR, auth: FacadeAuth) -> FastAPI:
    app = FastAPI(title="Sandbox EHR FHIR R4 facade", docs_url=None, redoc_url=None)

    @app.exception_handler(errors.EHRError)
    async def ehr_error(_: Request, err: errors.EHRError) -> JSONResponse:
        status = next((code for kind, code in _STATUS_OF if isinstance(err, kind)), 500)
        return JSONResponse(fm.operation_outcome(err), status_code=status, media_type=FHIR_JSON)

    @app.exception_handler(_Denied)
    async def denied(_: Request, err: _Denied) -> JSONResponse:
        kind = errors.NotPermitted if err.status == 403 else errors.EHRAuthError
        body = fm.operation_outcome(kind(str(err)), "security")
        return JSONResponse(body, status_code=err.status, media_type=FHIR_JSON)

    def guard(request: Request, kind: str, write: bool = False) -> None:
        auth.check(request.headers.get("authorization"), kind, write)

    def request_id(header: str | None) -> str:
        if not header:
            raise errors.InvalidRequest("writes need an X-Request-Id header")
        return header

    @app.post("/auth/token")
    def token(
        request: Request,
        grant_type: str = Form(...),
        client_assertion_type: str = Form(...),
        client_assertion: str = Form(...),
        scope: str = Form(""),
    ) -> JSONResponse:
        if grant_type != "client_credentials" or client_assertion_type != ASSERTION_TYPE:
            raise _Denied(400, "grant_type must be client_credentials with a jwt-bearer assertion")
        audience = str(request.url.replace(query=""))
        return JSONResponse(auth.issue(client_assertion, scope, audience))

    @app.get("/fhir/metadata")
    def metadata() -> dict[str, Any]:
        kinds = [
            "Organization", "Location", "Patient", "Practitioner", "PractitionerRole",
            "Schedule", "Slot", "Appointment",
            "Communication", "Flag", "CarePlan", "Goal", "MedicationStatement", "Task",
            "EpisodeOfCare", "QuestionnaireResponse", "Observation",
        ]  # fmt: skip
        return {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "kind": "instance",
            "fhirVersion": "4.3.0",
            "format": ["json"],
            "rest": [{"mode": "server", "resource": [{"type": k} for k in kinds]}],
        }

    # --- the practice ------------------------------------------------------------------
    @app.get("/fhir/Organization")
    def search_organizations(request: Request) -> dict[str, Any]:
        guard(request, "Organization")
        return _bundle([fm.organization_of(ehr.practice())], request)

    @app.get("/fhir/Location")
    def search_locations(request: Request) -> dict[str, Any]:
        guard(request, "Location")
        organization = _ref(request, "organization", "Organization")
        found = [] if organization not in (None, fm.ORGANIZATION_ID) else [ehr.practice()]
        return _bundle([fm.location_of(p) for p in found], request)

    # --- people --------------------------------------------------------------------------
    @app.get("/fhir/Patient/{client_id}")
    def read_patient(client_id: str, request: Request) -> dict[str, Any]:
        guard(request, "Patient")
        return fm.patient_of(ehr.get_client(client_id))

    @app.get("/fhir/Patient")
    def search_patients(request: Request) -> dict[str, Any]:
        guard(request, "Patient")
        clients = ehr.list_clients(
            clinician_id=_ref(request, "general-practitioner", "Practitioner")
        )
        return _bundle([fm.patient_of(c) for c in clients], request)

    @app.put("/fhir/Patient/{client_id}")
    async def update_patient(
        client_id: str, request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        guard(request, "Patient", write=True)
        wanted = fm.client_of(fm.validated(await request.json()))
        current = ehr.get_client(client_id)
        if wanted.id != client_id or _without_opt_outs(wanted) != _without_opt_outs(current):
            raise errors.InvalidRequest("only a client's channel opt-outs may be updated")
        rid = request_id(x_request_id)
        updated = current
        for channel in sorted(set(wanted.opted_out_channels) ^ set(current.opted_out_channels)):
            opted_out = channel in wanted.opted_out_channels
            updated = ehr.set_channel_opt_out(
                client_id, channel, opted_out, request_id=f"{rid}:{channel}"
            )
        return fm.patient_of(updated)

    @app.get("/fhir/Practitioner/{clinician_id}")
    def read_practitioner(clinician_id: str, request: Request) -> dict[str, Any]:
        guard(request, "Practitioner")
        return fm.practitioner_of(ehr.get_clinician(clinician_id))

    @app.get("/fhir/Practitioner")
    def search_practitioners(request: Request) -> dict[str, Any]:
        guard(request, "Practitioner")
        return _bundle([fm.practitioner_of(c) for c in ehr.list_clinicians()], request)

    @app.get("/fhir/PractitionerRole")
    def search_roles(request: Request) -> dict[str, Any]:
        guard(request, "PractitionerRole")
        if request.query_params.get("role") == "on-call":
            at = request.query_params.get("date")
            moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
            return _bundle([fm.on_call_role_of(ehr.on_call(moment))], request)
        clinician_id = _ref(request, "practitioner", "Practitioner")
        if clinician_id is None:
            raise errors.InvalidRequest("PractitionerRole search needs practitioner or role")
        windows = ehr.availability(clinician_id)
        return _bundle([fm.availability_role_of(clinician_id, windows)], request)

    # --- calendar ------------------------------------------------------------------------
    @app.get("/fhir/Schedule")
    def search_schedules(request: Request) -> dict[str, Any]:
        guard(request, "Schedule")
        clinician_id = _ref(request, "actor", "Practitioner")
        clinicians = [ehr.get_clinician(clinician_id)] if clinician_id else ehr.list_clinicians()
        return _bundle([fm.schedule_of(c.id) for c in clinicians], request)

    @app.get("/fhir/Slot")
    def search_slots(request: Request) -> dict[str, Any]:
        guard(request, "Slot")
        schedule = _ref(request, "schedule", "Schedule")
        if not schedule or not schedule.startswith("sch-"):
            raise errors.InvalidRequest("Slot search needs schedule=Schedule/<id>")
        if request.query_params.get("status", "free") != "free":
            raise errors.InvalidRequest("only status=free slots are searchable")
        low, high = _dates(request, "start")
        now = ehr.now()
        low, high = low or now, high or now + timedelta(days=21)
        slots = ehr.open_slots(schedule.removeprefix("sch-"), low, high)
        return _bundle([fm.fhir_slot(s.id, s.clinician_id, s.start, s.end) for s in slots], request)

    @app.get("/fhir/Appointment/{appointment_id}")
    def read_appointment(appointment_id: str, request: Request) -> dict[str, Any]:
        guard(request, "Appointment")
        return fm.fhir_appointment(ehr.get_appointment(appointment_id))

    @app.get("/fhir/Appointment")
    def search_appointments(request: Request) -> dict[str, Any]:
        guard(request, "Appointment")
        low, high = _dates(request, "date")
        client_id = _ref(request, "patient", "Patient")
        if client_id:
            found = ehr.appointments(client_id, start=low, end=high)
        else:
            if not (low and high):
                raise errors.InvalidRequest("Appointment search needs patient or a date range")
            clinician = _ref(request, "practitioner", "Practitioner")
            found = ehr.appointments_between(low, high, clinician_id=clinician)
        statuses = request.query_params.get("status")
        resources = [fm.fhir_appointment(a) for a in found]
        if statuses:
            resources = [r for r in resources if r["status"] in statuses.split(",")]
        return _bundle(resources, request)

    @app.post("/fhir/Appointment", status_code=201)
    async def book(request: Request, x_request_id: str | None = Header(None)) -> dict[str, Any]:
        guard(request, "Appointment", write=True)
        resource = fm.validated(await request.json())
        client_id, slot_ref = _booking_parts(resource)
        booked = ehr.book(client_id, slot_ref, request_id=request_id(x_request_id))
        return fm.fhir_appointment(booked)

    @app.put("/fhir/Appointment/{appointment_id}")
    async def update_appointment(
        appointment_id: str, request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        guard(request, "Appointment", write=True)
        wanted = fm.appointment_of(fm.validated(await request.json()))
        rid = request_id(x_request_id)
        if wanted.id != appointment_id:
            raise errors.InvalidRequest("Appointment id in the body differs from the URL")
        current = ehr.get_appointment(appointment_id)
        if wanted.start != current.start or wanted.clinician_id != current.clinician_id:
            raise errors.InvalidRequest("move an appointment with a reschedule transaction")
        status: AppointmentStatus = wanted.status
        if status in ("cancelled", "late_cancelled"):
            changed = ehr.cancel(wanted.client_id, appointment_id, request_id=rid)
        elif status == "confirmed":
            changed = ehr.confirm(wanted.client_id, appointment_id, request_id=rid)
        elif status in ("fulfilled", "noshow"):
            changed = ehr.record_attendance(appointment_id, status, request_id=rid)
        elif status == current.status:
            changed = current
        else:
            raise errors.InvalidTransition(f"cannot set an appointment to {status}")
        return fm.fhir_appointment(changed)

    @app.post("/fhir")
    @app.post("/fhir/")
    async def transaction(
        request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        bundle = fm.validated(await request.json())
        if bundle.get("type") != "transaction":
            raise errors.InvalidRequest("only transaction Bundles are accepted at the base")
        entries = bundle.get("entry", [])
        kinds = sorted(e["resource"]["resourceType"] for e in entries)
        rid = request_id(x_request_id)
        if kinds == ["Appointment", "Appointment"]:
            guard(request, "Appointment", write=True)
            return _reschedule(ehr, entries, rid)
        if kinds == ["Observation", "QuestionnaireResponse"]:
            guard(request, "QuestionnaireResponse", write=True)
            guard(request, "Observation", write=True)
            qr = next(
                e["resource"]
                for e in entries
                if e["resource"]["resourceType"] == "QuestionnaireResponse"
            )
            obs = next(
                e["resource"] for e in entries if e["resource"]["resourceType"] == "Observation"
            )
            result = ehr.write_assessment(fm.submission_of(qr, obs), request_id=rid)
            return _response_bundle(
                [
                    f"QuestionnaireResponse/{result.questionnaire_response_id}",
                    f"Observation/{result.observation_id}",
                ]
            )
        raise errors.InvalidRequest("unsupported transaction (reschedule or assessment only)")

    # --- messages and alerts -------------------------------------------------------------
    @app.get("/fhir/Communication/{communication_id}")
    def read_communication(communication_id: str, request: Request) -> dict[str, Any]:
        guard(request, "Communication")
        return fm.thread_resource(ehr.get_thread(communication_id))

    @app.get("/fhir/Communication")
    def search_communications(request: Request) -> dict[str, Any]:
        guard(request, "Communication")
        thread_id = _ref(request, "part-of", "Communication")
        if thread_id:
            messages = ehr.get_thread(thread_id).messages
            return _bundle([fm.message_resource(m) for m in messages], request)
        client_id = _ref(request, "subject", "Patient")
        if not client_id:
            raise errors.InvalidRequest("Communication search needs subject or part-of")
        return _bundle([fm.thread_resource(t) for t in ehr.threads(client_id)], request)

    @app.post("/fhir/Communication", status_code=201)
    async def create_communication(
        request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        guard(request, "Communication", write=True)
        resource = fm.validated(await request.json())
        rid = request_id(x_request_id)
        client_id = fm.ref_id(resource.get("subject"), "Patient")
        if not client_id:
            raise errors.InvalidRequest("Communication needs subject=Patient/<id>")
        if fm.category_code(resource) == "thread":
            subject = resource.get("topic", {}).get("text", "")
            return fm.thread_resource(ehr.start_thread(client_id, subject, request_id=rid))
        try:
            thread_id = fm.ref_id(resource["partOf"][0], "Communication")
            text = resource["payload"][0]["contentString"]
        except (KeyError, IndexError) as err:
            raise errors.InvalidRequest("a message needs partOf (thread) and payload text") from err
        in_reply_to = fm.ref_id((resource.get("inResponseTo") or [None])[0], "Communication")
        message = ehr.post_message(
            client_id,
            thread_id,
            text,
            sender=fm.ext_value(resource, "sender-role", "valueCode", "assistant"),
            sender_id=fm.ext_value(resource, "sender-id", "valueString"),
            request_id=rid,
            in_reply_to=in_reply_to,
        )
        return fm.message_resource(message)

    @app.get("/fhir/Flag/{alert_id}")
    def read_flag(alert_id: str, request: Request) -> dict[str, Any]:
        guard(request, "Flag")
        return fm.flag_of(ehr.get_alert(alert_id))

    @app.get("/fhir/Flag")
    def search_flags(request: Request) -> dict[str, Any]:
        guard(request, "Flag")
        if request.query_params.get("status", "active") != "active":
            raise errors.InvalidRequest("only status=active flags are searchable")
        alerts = ehr.active_alerts(_ref(request, "subject", "Patient"))
        return _bundle([fm.flag_of(a) for a in alerts], request)

    @app.post("/fhir/Flag", status_code=201)
    async def create_flag(
        request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        guard(request, "Flag", write=True)
        resource = fm.validated(await request.json())
        try:
            client_id = fm.ref_id(resource["subject"], "Patient")
            category = resource["category"][0]["coding"][0]["code"]
            description = resource["code"]["text"]
        except (KeyError, IndexError) as err:
            raise errors.InvalidRequest("a Flag needs subject, category and code.text") from err
        alert = ehr.raise_alert(
            client_id,
            severity=fm.ext_value(resource, "severity", "valueCode", "high"),
            category=category,
            description=description,
            raised_by=fm.ext_value(resource, "raised-by", "valueString", "system"),
            request_id=request_id(x_request_id),
            message_id=fm.ext_value(resource, "message-id", "valueString"),
        )
        return fm.flag_of(alert)

    @app.put("/fhir/Flag/{alert_id}")
    async def update_flag(
        alert_id: str, request: Request, x_request_id: str | None = Header(None)
    ) -> dict[str, Any]:
        guard(request, "Flag", write=True)
        resource = fm.validated(await request.json())
        if resource.get("status") != "inactive":
            raise errors.InvalidRequest("a Flag update may only resolve it (status=inactive)")
        resolved_by = fm.ext_value(resource, "resolved-by", "valueString", "system")
        alert = ehr.resolve_alert(
            alert_id, resolved_by=resolved_by, request_id=request_id(x_request_id)
        )
        return fm.flag_of(alert)

    # --- structured clinical records -----------------------------------------------------
    def _subject(request: Request, name: str = "subject") -> str:
        client_id = _ref(request, name, "Patient")
        if not client_id:
            raise errors.InvalidRequest(f"search needs {name}=Patient/<id>")
        return client_id

    @app.get("/fhir/CarePlan")
    def search_careplans(request: Request) -> dict[str, Any]:
        guard(request, "CarePlan")
        return _bundle([fm.careplan_of(h) for h in ehr.homework(_subject(request))], request)

    @app.get("/fhir/Goal")
    def search_goals(request: Request) -> dict[str, Any]:
        guard(request, "Goal")
        return _bundle(
            [fm.goal_resource(g) for g in ehr.treatment_goals(_subject(request))], request
        )

    @app.get("/fhir/MedicationStatement")
    def search_medications(request: Request) -> dict[str, Any]:
        guard(request, "MedicationStatement")
        meds = ehr.medications(_subject(request))
        return _bundle([fm.medication_resource(m) for m in meds], request)

    @app.get("/fhir/Task")
    def search_tasks(request: Request) -> dict[str, Any]:
        guard(request, "Task")
        forms = ehr.outstanding_forms(_subject(request, "for"))
        return _bundle([fm.task_of(f) for f in forms], request)

    @app.get("/fhir/EpisodeOfCare")
    def search_episodes(request: Request) -> dict[str, Any]:
        guard(request, "EpisodeOfCare")
        episodes = ehr.episodes(_subject(request, "patient"))
        return _bundle([fm.episode_resource(e) for e in episodes], request)

    @app.get("/fhir/QuestionnaireResponse")
    def search_assessments(request: Request) -> dict[str, Any]:
        guard(request, "QuestionnaireResponse")
        guard(request, "Observation")
        qrs, observations = [], []
        for result in ehr.assessment_history(_subject(request)):
            submission = AssessmentSubmission(
                client_id=result.client_id,
                instrument=result.instrument,
                answers=list(result.answers),
                total_score=result.total_score,
                severity=result.severity,
                completed_at=result.completed_at,
                prorated=result.prorated,
            )
            qr, obs = fm.assessment_resources(
                submission,
                qr_reference=f"QuestionnaireResponse/{result.questionnaire_response_id}",
                qr_id=result.questionnaire_response_id,
                obs_id=result.observation_id,
            )
            qrs.append(qr)
            observations.append(obs)
        include = (
            observations
            if "Observation:derived-from" in request.query_params.getlist("_revinclude")
            else []
        )
        return _bundle(qrs, request, include=include)

    return app


def _without_opt_outs(client: Client) -> Client:
    return client.model_copy(update={"opted_out_channels": ()})


def _booking_parts(resource: dict[str, Any]) -> tuple[str, str]:
    try:
        slot_ref = fm.ref_id(resource["slot"][0], "Slot")
        patient = next(
            p for p in resource["participant"] if p["actor"]["reference"].startswith("Patient/")
        )
        return fm.ref_id(patient["actor"], "Patient"), slot_ref
    except (KeyError, IndexError, StopIteration) as err:
        raise errors.InvalidRequest(
            "an Appointment booking needs slot and a Patient participant"
        ) from err


def _reschedule(ehr: SandboxEHR, entries: list[dict[str, Any]], rid: str) -> dict[str, Any]:
    """[POST new Appointment on a Slot, PUT old Appointment cancelled] as one sandbox write."""
    try:
        create = next(e for e in entries if e["request"]["method"] == "POST")
        cancel = next(e for e in entries if e["request"]["method"] == "PUT")
    except (KeyError, StopIteration) as err:
        raise errors.InvalidRequest("a reschedule is one POST and one PUT of Appointment") from err
    client_id, slot_ref = _booking_parts(create["resource"])
    old = fm.appointment_of(cancel["resource"])
    if old.client_id != client_id or old.status not in ("cancelled", "late_cancelled"):
        raise errors.InvalidRequest("the PUT must cancel the same client's appointment")
    moved = ehr.reschedule(client_id, old.id, slot_ref, request_id=rid)
    return _response_bundle([f"Appointment/{moved.id}", f"Appointment/{old.id}"])


def _response_bundle(locations: list[str]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"response": {"status": "201 Created", "location": loc}} for loc in locations],
    }


class FacadeServer:
    """Run the facade with uvicorn on 127.0.0.1 in a background thread (tests, dry runs)."""

    def __init__(self, ehr: SandboxEHR, auth: FacadeAuth, *, port: int = 0) -> None:
        config = uvicorn.Config(
            create_facade(ehr, auth), host="127.0.0.1", port=port, log_level="warning",
            access_log=False, timeout_graceful_shutdown=2,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fhir-facade", daemon=True)

    def start(self, timeout_s: float = 10.0) -> str:
        """Start and return the base URL (http://127.0.0.1:PORT); raise if not up in time."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("FHIR facade did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


__all__ = ["FacadeAuth", "FacadeServer", "create_facade"]
