"""The FHIR R4 adapter on its own: SMART auth, retries, typed errors for bad servers, and that
every resource it sends validates against the R4B models."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class

from tests.test_ehr_support import CLIENT_ID, SCOPES
from tools.ehr import errors
from tools.ehr import fhir_mapping as fm
from tools.ehr.fhir import FhirEHR, SmartAuth
from tools.ehr.models import AssessmentSubmission

pytest_plugins = ["tests.test_ehr_support"]

BASE = "https://ehr.test/fhir"


# --- against the loopback facade -------------------------------------------------------------
def test_every_resource_sent_validates_against_r4b(facade, sandbox):
    adapter = facade.adapter()
    client = next(c for c in sandbox.list_clients() if sandbox.upcoming_appointments(c.id))
    upcoming = sandbox.upcoming_appointments(client.id)
    now = adapter.now()
    slots = adapter.open_slots(
        client.clinician_id, now + timedelta(days=2), now + timedelta(days=20)
    )
    adapter.book(client.id, slots[0].id, request_id="v-book")
    adapter.reschedule(client.id, upcoming[-1].id, slots[1].id, request_id="v-move")
    adapter.confirm(client.id, upcoming[0].id, request_id="v-confirm")
    adapter.cancel(client.id, upcoming[0].id, request_id="v-cancel")
    thread = adapter.start_thread(client.id, "Check-in", request_id="v-thread")
    adapter.post_message(
        client.id, thread.id, "How did the breathing practice go?", sender="clinician",
        sender_id=client.clinician_id, request_id="v-msg",
    )  # fmt: skip
    alert = adapter.raise_alert(
        client.id, severity="high", category="crisis", description="screen positive",
        raised_by="system:crisis", request_id="v-flag",
    )  # fmt: skip
    adapter.resolve_alert(alert.id, resolved_by="clin-chen", request_id="v-resolve")
    adapter.write_assessment(
        AssessmentSubmission(
            client_id=client.id, instrument="GAD-7", answers=[1, 1, 1, 1, 1, 1, 1],
            total_score=7, severity="mild", completed_at=now,
        ),
        request_id="v-gad",
    )  # fmt: skip
    adapter.set_channel_opt_out(client.id, "email", True, request_id="v-optout")

    bodies = [
        json.loads(r.content)
        for r in facade.sent
        if r.method in ("POST", "PUT") and r.url.path.startswith("/fhir")
    ]
    fhir_bodies = [b for b in bodies if isinstance(b, dict) and "resourceType" in b]
    kinds = {b["resourceType"] for b in fhir_bodies}
    assert {"Appointment", "Bundle", "Communication", "Flag", "Patient"} <= kinds
    for body in fhir_bodies:
        get_fhir_model_class(body["resourceType"]).model_validate(body)  # raises if invalid
    nested = [e["resource"]["resourceType"] for b in fhir_bodies if b["resourceType"] == "Bundle"
              for e in b["entry"]]  # fmt: skip
    assert {"QuestionnaireResponse", "Observation", "Appointment"} <= set(nested)


def test_token_is_cached_until_expiry(facade, sandbox):
    adapter = facade.adapter()
    for client in sandbox.list_clients()[:3]:
        adapter.get_client(client.id)
    auth = adapter._auth
    assert auth.tokens_fetched == 1
    token_posts = [r for r in facade.sent if r.url.path == "/auth/token"]
    assert len(token_posts) == 1
    assertion = dict(httpx.QueryParams(token_posts[0].content.decode()))["client_assertion"]
    header = json.loads(base64.urlsafe_b64decode(assertion.split(".")[0] + "=="))
    assert header["alg"] == "RS384"
    facade.auth.clock = lambda: time.time() + 3600  # the server now considers the token expired
    adapter.get_client(sandbox.list_clients()[0].id)  # 401 -> one refresh -> success
    assert auth.tokens_fetched == 2


def test_wrong_key_is_refused(facade, keypair):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    with httpx.Client(timeout=5) as http:
        auth = SmartAuth(f"{facade.base}/auth/token", CLIENT_ID, stranger, SCOPES, http=http)
        adapter = FhirEHR(f"{facade.base}/fhir", auth=auth, http=http, backoff_s=0.01)
        with pytest.raises(errors.EHRAuthError, match="refused"):
            adapter.get_client("cl-0001")


def test_scopes_are_enforced(facade):
    reader = facade.adapter(scopes="system/*.read")
    client_id = "cl-0001"
    assert reader.get_client(client_id).id == client_id
    with pytest.raises(errors.NotPermitted, match="scope"):
        reader.set_channel_opt_out(client_id, "sms", True, request_id="no-scope")


def test_no_token_no_data(facade):
    with httpx.Client(timeout=5) as http:
        response = http.get(f"{facade.base}/fhir/Patient/cl-0001")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_paging_follows_next_links(facade, sandbox):
    adapter = facade.adapter()
    found = adapter._search("Patient", [("_count", "25")])
    assert len(found) == len(sandbox.list_clients())
    assert sum(1 for r in facade.sent if "_offset" in str(r.url)) >= 4


# --- against scripted servers (httpx.MockTransport) ------------------------------------------
def _scripted(handler, *, retries: int = 2) -> FhirEHR:
    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=2)
    return FhirEHR(BASE, auth=None, http=http, max_retries=retries, backoff_s=0.001)


def _patient_json(sandbox, client_id="cl-0001"):
    return fm.patient_of(sandbox.get_client(client_id))


def test_retries_5xx_then_succeeds(sandbox):
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            return httpx.Response(503, json={"resourceType": "OperationOutcome", "issue": []})
        return httpx.Response(200, json=_patient_json(sandbox))

    assert _scripted(handler).get_client("cl-0001").id == "cl-0001"
    assert len(calls) == 3


def test_persistent_5xx_and_timeouts_are_ehr_unavailable(sandbox):
    calls = []

    def failing(request):
        calls.append(request)
        return httpx.Response(502, text="bad gateway")

    with pytest.raises(errors.EHRUnavailable, match="502"):
        _scripted(failing, retries=2).get_client("cl-0001")
    assert len(calls) == 3

    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(errors.EHRTimeout):
        _scripted(slow).get_client("cl-0001")

    def throttled(request):
        return httpx.Response(429, headers={"Retry-After": "0"})

    with pytest.raises(errors.EHRUnavailable, match="429"):
        _scripted(throttled).upcoming_appointments("cl-0001")


_OUTCOME = {"resourceType": "OperationOutcome", "issue": []}
_NOT_PATIENT = {"resourceType": "Practitioner", "id": "x"}
_BAD_DATE = {"resourceType": "Patient", "id": "cl-0001", "birthDate": "soon"}
_INCOMPLETE = {"resourceType": "Patient", "id": "cl-0001"}


@pytest.mark.parametrize(
    "response, error",
    [
        (httpx.Response(200, text="<html>oops</html>"), errors.MalformedResponse),
        (httpx.Response(200, json=_NOT_PATIENT), errors.MalformedResponse),
        (httpx.Response(200, json=_BAD_DATE), errors.MalformedResponse),
        (httpx.Response(200, json=_INCOMPLETE), errors.MalformedResponse),
        (httpx.Response(404, text="not here"), errors.ClientNotFound),
        (httpx.Response(403, json=_OUTCOME), errors.NotPermitted),
        (httpx.Response(418, text="teapot"), errors.EHRError),
    ],
)
def test_bad_server_answers_are_typed_errors(response, error):
    with pytest.raises(error):
        _scripted(lambda request: response).get_client("cl-0001")


def test_next_link_to_another_origin_is_not_followed(sandbox):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(
            200,
            json={
                "resourceType": "Bundle", "type": "searchset",
                "link": [{"relation": "next", "url": "https://evil.test/fhir/Patient?page=2"}],
                "entry": [{"resource": _patient_json(sandbox)}],
            },
        )  # fmt: skip

    with pytest.raises(errors.MalformedResponse, match="origin"):
        _scripted(handler).list_clients()
    assert all(url.startswith(BASE) for url in seen)


def test_failed_reschedule_transaction_leaves_nothing_half_done(facade, sandbox):
    """The server errors on the transaction: the adapter raises, the original is untouched."""
    client = next(c for c in sandbox.list_clients() if sandbox.upcoming_appointments(c.id))
    original = sandbox.upcoming_appointments(client.id)[-1]
    now = sandbox.now()
    slot = sandbox.open_slots(
        client.clinician_id, now + timedelta(days=2), now + timedelta(days=20)
    )[0]
    real = httpx.HTTPTransport()

    def handler(request):
        if request.method == "POST" and request.url.path.rstrip("/").endswith("/fhir"):
            return httpx.Response(500, text="transaction failed")
        return real.handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=5)
    auth = SmartAuth(f"{facade.base}/auth/token", CLIENT_ID, facade.private_pem, SCOPES, http=http)
    adapter = FhirEHR(f"{facade.base}/fhir", auth=auth, http=http, max_retries=1, backoff_s=0.001,
                      clock=facade.clock)  # fmt: skip
    with pytest.raises(errors.EHRUnavailable):
        adapter.reschedule(client.id, original.id, slot.id, request_id="fail-move")
    assert sandbox.get_appointment(original.id) == original
    assert slot.id in {s.id for s in sandbox.open_slots(client.clinician_id, slot.start, slot.end)}
    http.close()


def test_mapping_round_trips_every_record(sandbox):
    """Our records survive model -> FHIR (valid R4B) -> model unchanged."""
    for client in sandbox.list_clients()[:20] + [c for c in sandbox.list_clients() if c.part2]:
        assert fm.client_of(fm.validated(fm.patient_of(client))) == client
        for appointment in sandbox.appointments(client.id):
            assert fm.appointment_of(fm.validated(fm.fhir_appointment(appointment))) == appointment
        for goal in sandbox.treatment_goals(client.id):
            assert fm.goal_of(fm.validated(fm.goal_resource(goal))) == goal
        for med in sandbox.medications(client.id):
            assert fm.medication_of(fm.validated(fm.medication_resource(med))) == med
        for episode in sandbox.episodes(client.id):
            assert fm.episode_of(fm.validated(fm.episode_resource(episode))) == episode
    part2 = fm.patient_of(next(c for c in sandbox.list_clients() if c.part2))
    assert {"system": fm.ACT_CODE, "code": "42CFRPart2"} in part2["meta"]["security"]


def test_malformed_answer_errors_name_fields_not_values():
    """Error text reaches logs; a client's data in a bad answer must not ride along."""
    leaky = {"resourceType": "Patient", "id": "cl-0001", "birthDate": "1984-13-45-Jane-Doe"}
    with pytest.raises(errors.MalformedResponse) as caught:
        _scripted(lambda request: httpx.Response(200, json=leaky)).get_client("cl-0001")
    assert "birthDate" in str(caught.value)
    assert "Jane" not in str(caught.value) and "1984" not in str(caught.value)
