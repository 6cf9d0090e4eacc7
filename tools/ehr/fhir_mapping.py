"""Our records <-> FHIR R4 (R4B) resources, in one place for both the adapter and the facade.

Standard elements carry what FHIR has a place for (names, telecom, generalPractitioner,
Appointment.status, Slot, Flag, Communication.partOf, PractitionerRole.availableTime, the HL7
`42CFRPart2` security label...). What FHIR R4 has no element for (time zone, preferred channel,
opt-outs, consent flags, telehealth link) travels in extensions under `EXT`. Every resource built
here is plain JSON; `validated` checks one against its `fhir.resources.R4B` model, and the
adapter runs it on everything it sends and receives.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from tools.ehr import errors
from tools.ehr.models import (
    LOINC_CODES,
    Alert,
    Appointment,
    AssessmentResult,
    AssessmentSubmission,
    AvailabilityWindow,
    Client,
    Clinician,
    ConsentFlags,
    Episode,
    Guardian,
    Homework,
    Medication,
    Message,
    OnCallContact,
    OutstandingForm,
    QuietHours,
    Thread,
    TreatmentGoal,
)
from tools.ehr.practice import OpeningHours, Practice

EXT = "https://practice-assistant.example/fhir/StructureDefinition/"
MRN_SYSTEM = "https://practice-assistant.example/fhir/mrn"
MEMBER_SYSTEM = "https://practice-assistant.example/fhir/insurance-member-id"
REQUEST_SYSTEM = "https://practice-assistant.example/fhir/request-id"
CATEGORY_SYSTEM = "https://practice-assistant.example/fhir/communication-category"
FLAG_SYSTEM = "https://practice-assistant.example/fhir/alert-category"
CANCEL_SYSTEM = "https://practice-assistant.example/fhir/cancel-reason"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LOINC = "http://loinc.org"
PART2_LABEL = {"system": ACT_CODE, "code": "42CFRPart2"}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORGANIZATION_ID = "practice"
LOCATION_ID = "practice-office"


# --- validation and small helpers ------------------------------------------------------------
def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """`resource`, once its R4B model accepts it (MalformedResponse if it does not)."""
    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(kind)
        model.model_validate(resource)
    except (KeyError, ValueError, ValidationError, TypeError) as err:
        raise errors.MalformedResponse(f"not a valid R4B {kind}: {_why(err)}") from None
    return resource


def _why(err: Exception) -> str:
    """A reason that names fields, never values: error text can reach logs, values are PHI."""
    if isinstance(err, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in err.errors()[:5]
        )
    if isinstance(err, KeyError):
        return f"missing {err.args[0]!r}"
    return type(err).__name__


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": EXT + name, **value}


def ext_value(resource: dict[str, Any], name: str, key: str, default: Any = None) -> Any:
    for ext in resource.get("extension", []):
        if ext.get("url") == EXT + name:
            return ext.get(key, default)
    return default


def _ext_values(resource: dict[str, Any], name: str, key: str) -> list[Any]:
    return [e[key] for e in resource.get("extension", []) if e.get("url") == EXT + name]


def ref_id(reference: dict[str, Any] | None, kind: str) -> str | None:
    """`Patient/123` -> `123` (None when absent); a reference to another type is malformed."""
    if not reference or "reference" not in reference:
        return None
    prefix, _, ident = reference["reference"].rpartition("/")
    if prefix.rsplit("/", 1)[-1] != kind or not ident:
        raise errors.MalformedResponse(f"expected a {kind} reference")
    return ident


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _security(part2: bool) -> dict[str, Any]:
    return {"meta": {"security": [PART2_LABEL]}} if part2 else {}


def _is_part2(resource: dict[str, Any]) -> bool:
    labels = resource.get("meta", {}).get("security", [])
    return any(s.get("code") == "42CFRPart2" for s in labels)


# --- Organization + Location (the practice) ---------------------------------------------------
def organization_of(practice: Practice) -> dict[str, Any]:
    """The practice as an Organization; its cancellation terms have no R4 element (extensions)."""
    return {
        "resourceType": "Organization",
        "id": ORGANIZATION_ID,
        "extension": [
            _ext("late-cancel-hours", valueDecimal=practice.late_cancel_hours),
            _ext("late-cancel-fee-notice", valueString=practice.late_cancel_fee_notice),
        ],
        "active": True,
        "name": practice.name,
        "telecom": [
            {"system": "phone", "value": practice.phone, "use": "work"},
            {"system": "url", "value": practice.website},
        ],
        "address": [_address(practice)],
    }


def _address(practice: Practice) -> dict[str, Any]:
    return {
        "use": "work",
        "line": [practice.street, practice.suite],
        "city": practice.city,
        "state": practice.region,
        "postalCode": practice.postal_code,
        "country": "US",
    }


def location_of(practice: Practice) -> dict[str, Any]:
    """The office with its appointment hours (hoursOfOperation is local time: the zone rides
    along as an extension, as R4 has no element for it)."""
    return {
        "resourceType": "Location",
        "id": LOCATION_ID,
        "extension": [_ext("timezone", valueString=practice.timezone)],
        "status": "active",
        "name": practice.name,
        "address": _address(practice),
        "managingOrganization": {"reference": f"Organization/{ORGANIZATION_ID}"},
        "hoursOfOperation": [
            {
                "extension": [_ext("telehealth-only", valueBoolean=h.telehealth_only)],
                "daysOfWeek": [_DAYS[h.weekday]],
                "openingTime": h.opens.isoformat(),
                "closingTime": h.closes.isoformat(),
            }
            for h in practice.hours
        ],
    }


def practice_of(organization: dict[str, Any], location: dict[str, Any]) -> Practice:
    try:
        telecom = {t["system"]: t["value"] for t in organization.get("telecom", [])}
        address = organization["address"][0]
        return Practice(
            name=organization["name"],
            street=address["line"][0],
            suite=address["line"][1] if len(address["line"]) > 1 else "",
            city=address["city"],
            region=address["state"],
            postal_code=address["postalCode"],
            phone=telecom["phone"],
            website=telecom.get("url", ""),
            timezone=ext_value(location, "timezone", "valueString"),
            hours=tuple(
                OpeningHours(
                    weekday=_DAYS.index(day),
                    opens=time.fromisoformat(entry["openingTime"]),
                    closes=time.fromisoformat(entry["closingTime"]),
                    telehealth_only=ext_value(entry, "telehealth-only", "valueBoolean", False),
                )
                for entry in location.get("hoursOfOperation", [])
                for day in entry["daysOfWeek"]
            ),
            late_cancel_hours=float(ext_value(organization, "late-cancel-hours", "valueDecimal")),
            late_cancel_fee_notice=ext_value(organization, "late-cancel-fee-notice", "valueString"),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(
            f"Organization/Location is incomplete: {_why(err)}"
        ) from None


# --- Patient ---------------------------------------------------------------------------------
_CONSENTS = tuple(ConsentFlags.model_fields)


def patient_of(client: Client) -> dict[str, Any]:
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone, "use": "mobile"})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    names = [{"use": "official", "given": [client.given_name], "family": client.family_name}]
    if client.preferred_name:
        names.append({"use": "usual", "given": [client.preferred_name]})
    identifiers = [{"system": MRN_SYSTEM, "value": client.record_number}]
    if client.insurance_member_id:
        identifiers.append({"system": MEMBER_SYSTEM, "value": client.insurance_member_id})
    extensions = [
        _ext("timezone", valueString=client.timezone),
        _ext("preferred-channel", valueCode=client.preferred_channel),
        _ext("minor", valueBoolean=client.is_minor),
        _ext("quiet-hours-start", valueTime=client.quiet_hours.start.isoformat()),
        _ext("quiet-hours-end", valueTime=client.quiet_hours.end.isoformat()),
        *[
            _ext(f"consent-{name}", valueBoolean=getattr(client.consents, name))
            for name in _CONSENTS
        ],
        *[_ext("opted-out-channel", valueCode=c) for c in client.opted_out_channels],
    ]
    if client.created_at:
        # R4 Patient has no "record opened" element (meta.lastUpdated is the last change)
        extensions.append(_ext("created-at", valueDateTime=_instant(client.created_at)))
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": client.id,
        **_security(client.part2),
        "extension": extensions,
        "identifier": identifiers,
        "active": client.active,
        "name": names,
        "telecom": telecom,
        "birthDate": client.birth_date.isoformat(),
        "generalPractitioner": [{"reference": f"Practitioner/{client.clinician_id}"}],
    }
    if client.address:
        resource["address"] = [{"text": client.address}]
    if client.guardian:
        g = client.guardian
        contact_telecom = [{"system": "phone", "value": g.phone}] if g.phone else []
        contact_telecom += [{"system": "email", "value": g.email}] if g.email else []
        resource["contact"] = [
            {
                "extension": [_ext("preferred-channel", valueCode=g.preferred_channel)],
                "relationship": [{"text": g.relationship}],
                "name": {"text": g.name},
                "telecom": contact_telecom,
            }
        ]
    return resource


def client_of(resource: dict[str, Any]) -> Client:
    try:
        official = next(n for n in resource["name"] if n.get("use") == "official")
        usual = next((n for n in resource["name"] if n.get("use") == "usual"), None)
        telecom = {t["system"]: t["value"] for t in resource.get("telecom", [])}
        ids = {i.get("system"): i["value"] for i in resource.get("identifier", [])}
        guardian = None
        if resource.get("contact"):
            contact = resource["contact"][0]
            contact_telecom = {t["system"]: t["value"] for t in contact.get("telecom", [])}
            guardian = Guardian(
                name=contact["name"]["text"],
                relationship=contact["relationship"][0]["text"],
                phone=contact_telecom.get("phone"),
                email=contact_telecom.get("email"),
                preferred_channel=ext_value(contact, "preferred-channel", "valueCode", "portal"),
            )
        return Client(
            id=resource["id"],
            given_name=official["given"][0],
            family_name=official["family"],
            preferred_name=usual["given"][0] if usual else None,
            birth_date=date.fromisoformat(resource["birthDate"]),
            phone=telecom.get("phone"),
            email=telecom.get("email"),
            address=resource["address"][0]["text"] if resource.get("address") else None,
            record_number=ids[MRN_SYSTEM],
            insurance_member_id=ids.get(MEMBER_SYSTEM),
            preferred_channel=ext_value(resource, "preferred-channel", "valueCode", "portal"),
            timezone=ext_value(resource, "timezone", "valueString"),
            clinician_id=ref_id(resource["generalPractitioner"][0], "Practitioner"),
            guardian=guardian,
            is_minor=ext_value(resource, "minor", "valueBoolean", False),
            part2=_is_part2(resource),
            consents=ConsentFlags(
                **{
                    name: ext_value(resource, f"consent-{name}", "valueBoolean", False)
                    for name in _CONSENTS
                }
            ),
            opted_out_channels=tuple(_ext_values(resource, "opted-out-channel", "valueCode")),
            quiet_hours=QuietHours(
                start=time.fromisoformat(ext_value(resource, "quiet-hours-start", "valueTime")),
                end=time.fromisoformat(ext_value(resource, "quiet-hours-end", "valueTime")),
            ),
            active=resource.get("active", True),
            created_at=_parse_instant(ext_value(resource, "created-at", "valueDateTime")),
        )
    except (KeyError, IndexError, StopIteration, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"Patient resource is incomplete: {_why(err)}") from None


# --- Practitioner / PractitionerRole ---------------------------------------------------------
def practitioner_of(clinician: Clinician) -> dict[str, Any]:
    telecom = [{"system": "email", "value": clinician.email}] if clinician.email else []
    telecom += [{"system": "phone", "value": clinician.phone}] if clinician.phone else []
    extensions = [
        _ext("timezone", valueString=clinician.timezone),
        _ext("staff-role", valueCode=clinician.role),
        _ext("accepts-bookings", valueBoolean=clinician.accepts_bookings),
    ]
    if clinician.supervisor_id:
        extensions.append(
            _ext(
                "supervisor",
                valueReference={"reference": f"Practitioner/{clinician.supervisor_id}"},
            )
        )
    return {
        "resourceType": "Practitioner",
        "id": clinician.id,
        "extension": extensions,
        "active": True,
        "name": [{"given": [clinician.given_name], "family": clinician.family_name}],
        "telecom": telecom,
        "qualification": [{"code": {"text": clinician.credentials}}]
        if clinician.credentials
        else [],
    }


def clinician_of(resource: dict[str, Any]) -> Clinician:
    try:
        telecom = {t["system"]: t["value"] for t in resource.get("telecom", [])}
        qualification = resource.get("qualification") or [{"code": {"text": ""}}]
        return Clinician(
            id=resource["id"],
            given_name=resource["name"][0]["given"][0],
            family_name=resource["name"][0]["family"],
            credentials=qualification[0]["code"].get("text", ""),
            role=ext_value(resource, "staff-role", "valueCode", "clinician"),
            timezone=ext_value(resource, "timezone", "valueString"),
            email=telecom.get("email"),
            phone=telecom.get("phone"),
            supervisor_id=ref_id(
                ext_value(resource, "supervisor", "valueReference"), "Practitioner"
            ),
            accepts_bookings=ext_value(resource, "accepts-bookings", "valueBoolean", True),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(
            f"Practitioner resource is incomplete: {_why(err)}"
        ) from None


def availability_role_of(clinician_id: str, windows: list[AvailabilityWindow]) -> dict[str, Any]:
    """Weekly hours as PractitionerRole.availableTime (one entry per window)."""
    zone = windows[0].timezone if windows else "UTC"
    return {
        "resourceType": "PractitionerRole",
        "id": f"role-{clinician_id}",
        "extension": [_ext("timezone", valueString=zone)],
        "practitioner": {"reference": f"Practitioner/{clinician_id}"},
        "availableTime": [
            {
                "daysOfWeek": [_DAYS[w.weekday]],
                "availableStartTime": w.start.isoformat(),
                "availableEndTime": w.end.isoformat(),
            }
            for w in windows
        ],
    }


def availability_of(resource: dict[str, Any]) -> list[AvailabilityWindow]:
    try:
        clinician_id = ref_id(resource["practitioner"], "Practitioner")
        zone = ext_value(resource, "timezone", "valueString")
        return [
            AvailabilityWindow(
                clinician_id=clinician_id,
                weekday=_DAYS.index(day),
                start=time.fromisoformat(entry["availableStartTime"]),
                end=time.fromisoformat(entry["availableEndTime"]),
                timezone=zone,
            )
            for entry in resource.get("availableTime", [])
            for day in entry["daysOfWeek"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"PractitionerRole is incomplete: {_why(err)}") from None


def on_call_role_of(contact: OnCallContact) -> dict[str, Any]:
    telecom = [{"system": "phone", "value": contact.phone}] if contact.phone else []
    telecom += [{"system": "email", "value": contact.email}] if contact.email else []
    return {
        "resourceType": "PractitionerRole",
        "id": f"oncall-{contact.clinician_id}",
        "period": {"start": _instant(contact.starts), "end": _instant(contact.ends)},
        "practitioner": {
            "reference": f"Practitioner/{contact.clinician_id}",
            "display": contact.name,
        },
        "code": [{"coding": [{"system": EXT + "role", "code": "on-call"}]}],
        "telecom": telecom,
    }


def on_call_of(resource: dict[str, Any]) -> OnCallContact:
    try:
        telecom = {t["system"]: t["value"] for t in resource.get("telecom", [])}
        return OnCallContact(
            clinician_id=ref_id(resource["practitioner"], "Practitioner"),
            name=resource["practitioner"]["display"],
            phone=telecom.get("phone"),
            email=telecom.get("email"),
            starts=_parse_instant(resource["period"]["start"]),
            ends=_parse_instant(resource["period"]["end"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(
            f"on-call PractitionerRole is incomplete: {_why(err)}"
        ) from None


# --- Schedule / Slot / Appointment -----------------------------------------------------------
def schedule_id(clinician_id: str) -> str:
    return f"sch-{clinician_id}"


def schedule_of(clinician_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Schedule",
        "id": schedule_id(clinician_id),
        "active": True,
        "actor": [{"reference": f"Practitioner/{clinician_id}"}],
    }


def fhir_slot(slot_id: str, clinician_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "resourceType": "Slot",
        "id": slot_id,
        "schedule": {"reference": f"Schedule/{schedule_id(clinician_id)}"},
        "status": "free",
        "start": _instant(start),
        "end": _instant(end),
    }


def fhir_appointment(appointment: Appointment) -> dict[str, Any]:
    status = {
        "confirmed": "booked",
        "late_cancelled": "cancelled",
    }.get(appointment.status, appointment.status)
    patient_status = "accepted" if appointment.status == "confirmed" else "needs-action"
    if appointment.status in ("cancelled", "late_cancelled", "noshow"):
        patient_status = "declined"
    extensions = [_ext("modality", valueCode=appointment.modality)]
    if appointment.telehealth_url:
        extensions.append(_ext("telehealth-url", valueUrl=appointment.telehealth_url))
    if appointment.location:
        extensions.append(_ext("location", valueString=appointment.location))
    if appointment.cancelled_at:
        extensions.append(_ext("cancelled-at", valueDateTime=_instant(appointment.cancelled_at)))
    if appointment.rescheduled_to:
        extensions.append(
            _ext(
                "rescheduled-to",
                valueReference={"reference": f"Appointment/{appointment.rescheduled_to}"},
            )
        )
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": appointment.id,
        "meta": {"lastUpdated": _instant(appointment.updated_at)},
        "extension": extensions,
        "status": status,
        "serviceType": [{"text": appointment.service}],
        "start": _instant(appointment.start),
        "end": _instant(appointment.end),
        "created": _instant(appointment.created_at),
        "participant": [
            {"actor": {"reference": f"Patient/{appointment.client_id}"}, "status": patient_status},
            {
                "actor": {"reference": f"Practitioner/{appointment.clinician_id}"},
                "status": "accepted",
            },
        ],
    }
    if appointment.status == "late_cancelled":
        resource["cancelationReason"] = {"coding": [{"system": CANCEL_SYSTEM, "code": "late"}]}
    return resource


def appointment_of(resource: dict[str, Any]) -> Appointment:
    try:
        actors = {p["actor"]["reference"].split("/")[0]: p for p in resource["participant"]}
        patient = actors["Patient"]
        status = resource["status"]
        if status == "booked" and patient.get("status") == "accepted":
            status = "confirmed"
        reason = resource.get("cancelationReason", {}).get("coding", [{}])[0].get("code")
        if status == "cancelled" and reason == "late":
            status = "late_cancelled"
        created = _parse_instant(resource.get("created"))
        return Appointment(
            id=resource["id"],
            client_id=ref_id(patient["actor"], "Patient"),
            clinician_id=ref_id(actors["Practitioner"]["actor"], "Practitioner"),
            start=_parse_instant(resource["start"]),
            end=_parse_instant(resource["end"]),
            status=status,
            modality=ext_value(resource, "modality", "valueCode", "in_person"),
            telehealth_url=ext_value(resource, "telehealth-url", "valueUrl"),
            location=ext_value(resource, "location", "valueString"),
            service=(resource.get("serviceType") or [{"text": "psychotherapy"}])[0]["text"],
            created_at=created,
            updated_at=_parse_instant(resource.get("meta", {}).get("lastUpdated")) or created,
            cancelled_at=_parse_instant(ext_value(resource, "cancelled-at", "valueDateTime")),
            rescheduled_to=ref_id(
                ext_value(resource, "rescheduled-to", "valueReference"), "Appointment"
            ),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"Appointment resource is incomplete: {_why(err)}") from None


def booking_request(client_id: str, slot_id: str, request_id: str) -> dict[str, Any]:
    """The Appointment a client books: status booked, pointing at the Slot (times from the Slot)."""
    return {
        "resourceType": "Appointment",
        "identifier": [{"system": REQUEST_SYSTEM, "value": request_id}],
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [{"actor": {"reference": f"Patient/{client_id}"}, "status": "needs-action"}],
    }


# --- Communication (threads and messages) ----------------------------------------------------
def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": CATEGORY_SYSTEM, "code": code}]}]


def category_code(resource: dict[str, Any]) -> str | None:
    for category in resource.get("category", []):
        for coding in category.get("coding", []):
            if coding.get("system") == CATEGORY_SYSTEM:
                return coding.get("code")
    return None


def thread_resource(thread: Thread) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "id": thread.id,
        "status": "in-progress",
        "category": _category("thread"),
        "subject": {"reference": f"Patient/{thread.client_id}"},
        "topic": {"text": thread.subject},
        "sent": _instant(thread.created_at),
    }


def thread_request(client_id: str, subject: str, request_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "identifier": [{"system": REQUEST_SYSTEM, "value": request_id}],
        "status": "in-progress",
        "category": _category("thread"),
        "subject": {"reference": f"Patient/{client_id}"},
        "topic": {"text": subject},
    }


def thread_of(resource: dict[str, Any]) -> Thread:
    try:
        return Thread(
            id=resource["id"],
            client_id=ref_id(resource["subject"], "Patient"),
            subject=resource["topic"]["text"],
            created_at=_parse_instant(resource["sent"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"thread Communication is incomplete: {_why(err)}") from None


def message_resource(message: Message, request_id: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "extension": [_ext("sender-role", valueCode=message.sender)],
        "status": "completed",
        "category": _category("message"),
        "subject": {"reference": f"Patient/{message.client_id}"},
        "partOf": [{"reference": f"Communication/{message.thread_id}"}],
        "payload": [{"contentString": message.text}],
    }
    if message.id:
        resource["id"] = message.id
    if message.sender_id:
        resource["extension"].append(_ext("sender-id", valueString=message.sender_id))
    if request_id:
        resource["identifier"] = [{"system": REQUEST_SYSTEM, "value": request_id}]
    if message.sent_at:
        resource["sent"] = _instant(message.sent_at)
    if message.in_reply_to:
        resource["inResponseTo"] = [{"reference": f"Communication/{message.in_reply_to}"}]
    return resource


def message_of(resource: dict[str, Any]) -> Message:
    try:
        return Message(
            id=resource["id"],
            thread_id=ref_id(resource["partOf"][0], "Communication"),
            client_id=ref_id(resource["subject"], "Patient"),
            sender=ext_value(resource, "sender-role", "valueCode"),
            sender_id=ext_value(resource, "sender-id", "valueString"),
            text=resource["payload"][0]["contentString"],
            sent_at=_parse_instant(resource["sent"]),
            in_reply_to=ref_id((resource.get("inResponseTo") or [None])[0], "Communication"),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(
            f"message Communication is incomplete: {_why(err)}"
        ) from None


# --- Flag ------------------------------------------------------------------------------------
def flag_of(alert: Alert, request_id: str | None = None) -> dict[str, Any]:
    extensions = [
        _ext("severity", valueCode=alert.severity),
        _ext("raised-by", valueString=alert.raised_by),
    ]
    if alert.message_id:
        extensions.append(_ext("message-id", valueString=alert.message_id))
    if alert.resolved_by:
        extensions.append(_ext("resolved-by", valueString=alert.resolved_by))
    resource: dict[str, Any] = {
        "resourceType": "Flag",
        "extension": extensions,
        "status": alert.status,
        "category": [{"coding": [{"system": FLAG_SYSTEM, "code": alert.category}]}],
        "code": {"text": alert.description},
        "subject": {"reference": f"Patient/{alert.client_id}"},
        "period": {"start": _instant(alert.raised_at)},
    }
    if alert.id:
        resource["id"] = alert.id
    if alert.resolved_at:
        resource["period"]["end"] = _instant(alert.resolved_at)
    if request_id:
        resource["identifier"] = [{"system": REQUEST_SYSTEM, "value": request_id}]
    return resource


def alert_of(resource: dict[str, Any]) -> Alert:
    try:
        return Alert(
            id=resource["id"],
            client_id=ref_id(resource["subject"], "Patient"),
            status=resource["status"],
            severity=ext_value(resource, "severity", "valueCode"),
            category=resource["category"][0]["coding"][0]["code"],
            description=resource["code"]["text"],
            message_id=ext_value(resource, "message-id", "valueString"),
            raised_by=ext_value(resource, "raised-by", "valueString"),
            raised_at=_parse_instant(resource["period"]["start"]),
            resolved_by=ext_value(resource, "resolved-by", "valueString"),
            resolved_at=_parse_instant(resource["period"].get("end")),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"Flag resource is incomplete: {_why(err)}") from None


# --- structured clinical records -------------------------------------------------------------
def careplan_of(homework: Homework) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": "scheduled",
        "code": {"text": homework.skill},
        "description": homework.instructions,
    }
    if homework.due:
        detail["scheduledString"] = homework.due.isoformat()
    return {
        "resourceType": "CarePlan",
        "id": homework.id,
        "status": "active",
        "intent": "plan",
        "category": [{"text": "homework"}],
        "subject": {"reference": f"Patient/{homework.client_id}"},
        "author": {"reference": f"Practitioner/{homework.clinician_id}"},
        "created": _instant(homework.assigned_at),
        "activity": [{"detail": detail}],
    }


def homework_of(resource: dict[str, Any]) -> Homework:
    try:
        detail = resource["activity"][0]["detail"]
        due = detail.get("scheduledString")
        return Homework(
            id=resource["id"],
            client_id=ref_id(resource["subject"], "Patient"),
            clinician_id=ref_id(resource["author"], "Practitioner"),
            skill=detail["code"]["text"],
            instructions=detail["description"],
            assigned_at=_parse_instant(resource["created"]),
            due=date.fromisoformat(due) if due else None,
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"CarePlan is incomplete: {_why(err)}") from None


_GOAL_STATUS = {"active": "active", "achieved": "completed", "revised": "cancelled"}


def goal_resource(goal: TreatmentGoal) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": goal.id,
        **_security(goal.part2),
        "lifecycleStatus": _GOAL_STATUS[goal.status],
        "description": {"text": goal.description},
        "subject": {"reference": f"Patient/{goal.client_id}"},
    }
    if goal.target_date:
        resource["target"] = [{"dueDate": goal.target_date.isoformat()}]
    return resource


def goal_of(resource: dict[str, Any]) -> TreatmentGoal:
    try:
        due = (resource.get("target") or [{}])[0].get("dueDate")
        reverse = {v: k for k, v in _GOAL_STATUS.items()}
        return TreatmentGoal(
            id=resource["id"],
            client_id=ref_id(resource["subject"], "Patient"),
            description=resource["description"]["text"],
            status=reverse.get(resource["lifecycleStatus"], "active"),
            target_date=date.fromisoformat(due) if due else None,
            part2=_is_part2(resource),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"Goal is incomplete: {_why(err)}") from None


def medication_resource(med: Medication) -> dict[str, Any]:
    extensions = (
        [_ext("refill-due", valueDate=med.refill_due.isoformat())] if med.refill_due else []
    )
    return {
        "resourceType": "MedicationStatement",
        "id": med.id,
        **_security(med.part2),
        "extension": extensions,
        "status": "active",
        "medicationCodeableConcept": {"text": med.name},
        "subject": {"reference": f"Patient/{med.client_id}"},
        "informationSource": {"display": med.prescriber},
        "dosage": [{"text": med.dose}],
    }


def medication_of(resource: dict[str, Any]) -> Medication:
    try:
        refill = ext_value(resource, "refill-due", "valueDate")
        return Medication(
            id=resource["id"],
            client_id=ref_id(resource["subject"], "Patient"),
            name=resource["medicationCodeableConcept"]["text"],
            dose=resource["dosage"][0]["text"],
            prescriber=resource["informationSource"]["display"],
            refill_due=date.fromisoformat(refill) if refill else None,
            part2=_is_part2(resource),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"MedicationStatement is incomplete: {_why(err)}") from None


def task_of(form: OutstandingForm) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": form.id,
        "status": "requested" if form.status == "outstanding" else "completed",
        "intent": "order",
        "code": {"coding": [{"system": EXT + "form-kind", "code": form.kind}]},
        "description": form.title,
        "for": {"reference": f"Patient/{form.client_id}"},
    }
    if form.due:
        resource["restriction"] = {"period": {"end": f"{form.due.isoformat()}T23:59:59Z"}}
    return resource


def form_of(resource: dict[str, Any]) -> OutstandingForm:
    try:
        end = resource.get("restriction", {}).get("period", {}).get("end")
        return OutstandingForm(
            id=resource["id"],
            client_id=ref_id(resource["for"], "Patient"),
            kind=resource["code"]["coding"][0]["code"],
            title=resource["description"],
            due=date.fromisoformat(end[:10]) if end else None,
            status="outstanding" if resource["status"] == "requested" else "completed",
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"Task is incomplete: {_why(err)}") from None


def episode_resource(episode: Episode) -> dict[str, Any]:
    period = {"start": episode.start.isoformat()}
    if episode.end:
        period["end"] = episode.end.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "id": episode.id,
        **_security(episode.part2),
        "status": "active" if episode.status == "open" else "finished",
        "type": [{"text": episode.kind}],
        "patient": {"reference": f"Patient/{episode.client_id}"},
        "period": period,
    }


def episode_of(resource: dict[str, Any]) -> Episode:
    try:
        end = resource["period"].get("end")
        return Episode(
            id=resource["id"],
            client_id=ref_id(resource["patient"], "Patient"),
            kind=resource["type"][0]["text"],
            status="open" if resource["status"] == "active" else "closed",
            start=date.fromisoformat(resource["period"]["start"][:10]),
            end=date.fromisoformat(end[:10]) if end else None,
            part2=_is_part2(resource),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise errors.MalformedResponse(f"EpisodeOfCare is incomplete: {_why(err)}") from None


# --- assessments: QuestionnaireResponse + Observation ----------------------------------------
def assessment_resources(
    submission: AssessmentSubmission,
    *,
    qr_reference: str,
    qr_id: str | None = None,
    obs_id: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The QuestionnaireResponse (every answer) and the Observation (LOINC-coded total) derived
    from it; `qr_reference` is `QuestionnaireResponse/<id>` or a transaction's `urn:uuid:`."""
    panel, total_code = LOINC_CODES[submission.instrument]
    qr: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{LOINC}/q/{panel}",
        "status": "completed",
        "subject": {"reference": f"Patient/{submission.client_id}"},
        "authored": _instant(submission.completed_at),
        # a skipped item is absent (R4: no item without an answer), never a made-up 0
        "item": [
            {"linkId": str(n + 1), "answer": [{"valueInteger": value}]}
            for n, value in enumerate(submission.answers)
            if value is not None
        ],
    }
    if qr_id:
        qr["id"] = qr_id
    code = (
        {"system": LOINC, "code": total_code}
        if total_code
        else {"system": EXT + "instrument", "code": panel}
    )
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": [code], "text": f"{submission.instrument} total score"},
        "subject": {"reference": f"Patient/{submission.client_id}"},
        "effectiveDateTime": _instant(submission.completed_at),
        "valueInteger": submission.total_score,
        "interpretation": [{"text": submission.severity}],
        "derivedFrom": [{"reference": qr_reference}],
    }
    skipped = [n + 1 for n, value in enumerate(submission.answers) if value is None]
    if submission.prorated:
        obs["extension"] = [_ext("prorated", valueBoolean=True)]
        obs["note"] = [
            {
                "text": f"Prorated total: item(s) {', '.join(map(str, skipped))} of "
                f"{len(submission.answers)} unanswered; the answered items were scaled to the "
                "full form per the instrument's published rule."
            }
        ]
    if obs_id:
        obs["id"] = obs_id
    return qr, obs


def assessment_of(qr: dict[str, Any], obs: dict[str, Any]) -> AssessmentResult:
    try:
        panel = qr["questionnaire"].rsplit("/", 1)[-1]
        instrument = next(name for name, codes in LOINC_CODES.items() if codes[0] == panel)
        given = {int(item["linkId"]): item["answer"][0]["valueInteger"] for item in qr["item"]}
        count = _ITEM_COUNT[instrument]
        if not given or max(given) > count or min(given) < 1:
            raise ValueError("item linkIds outside the instrument")
        answers = tuple(given.get(n) for n in range(1, count + 1))
        prorated = bool(ext_value(obs, "prorated", "valueBoolean", False))
        return AssessmentResult(
            id=qr["id"].removeprefix("qr-"),
            client_id=ref_id(qr["subject"], "Patient"),
            instrument=instrument,
            answers=answers,
            total_score=obs["valueInteger"],
            severity=obs["interpretation"][0]["text"],
            completed_at=_parse_instant(qr["authored"]),
            prorated=prorated,
            questionnaire_response_id=qr["id"],
            observation_id=obs["id"],
            loinc_panel=panel,
            loinc_total=LOINC_CODES[instrument][1],
        )
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as err:
        raise errors.MalformedResponse(
            f"assessment resources are incomplete: {_why(err)}"
        ) from None


def submission_of(qr: dict[str, Any], obs: dict[str, Any]) -> AssessmentSubmission:
    """The facade's reading of a posted QR + Observation pair."""
    result = assessment_of({**qr, "id": "qr-x"}, {**obs, "id": "obs-x"})
    return AssessmentSubmission(
        client_id=result.client_id,
        instrument=result.instrument,
        answers=list(result.answers),
        total_score=result.total_score,
        severity=result.severity,
        completed_at=result.completed_at,
        prorated=result.prorated,
    )


_ITEM_COUNT = {"PHQ-9": 9, "GAD-7": 7, "DASS-21": 21}


def operation_outcome(error: Exception, code: str = "processing") -> dict[str, Any]:
    """A PHI-free OperationOutcome naming our error type (so the adapter can re-raise it)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": code,
                "details": {"coding": [{"system": EXT + "error", "code": type(error).__name__}]},
                "diagnostics": str(error)[:500],
            }
        ],
    }


def message_request(
    client_id: str,
    thread_id: str,
    text: str,
    *,
    sender: str,
    sender_id: str | None,
    in_reply_to: str | None,
    request_id: str,
) -> dict[str, Any]:
    """A new portal message: a Communication that is partOf its thread."""
    extensions = [_ext("sender-role", valueCode=sender)]
    if sender_id:
        extensions.append(_ext("sender-id", valueString=sender_id))
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "identifier": [{"system": REQUEST_SYSTEM, "value": request_id}],
        "extension": extensions,
        "status": "completed",
        "category": _category("message"),
        "subject": {"reference": f"Patient/{client_id}"},
        "partOf": [{"reference": f"Communication/{thread_id}"}],
        "payload": [{"contentString": text}],
    }
    if in_reply_to:
        resource["inResponseTo"] = [{"reference": f"Communication/{in_reply_to}"}]
    return resource


def flag_request(
    client_id: str,
    *,
    severity: str,
    category: str,
    description: str,
    raised_by: str,
    message_id: str | None,
    request_id: str,
) -> dict[str, Any]:
    extensions = [_ext("severity", valueCode=severity), _ext("raised-by", valueString=raised_by)]
    if message_id:
        extensions.append(_ext("message-id", valueString=message_id))
    return {
        "resourceType": "Flag",
        "identifier": [{"system": REQUEST_SYSTEM, "value": request_id}],
        "extension": extensions,
        "status": "active",
        "category": [{"coding": [{"system": FLAG_SYSTEM, "code": category}]}],
        "code": {"text": description},
        "subject": {"reference": f"Patient/{client_id}"},
    }
