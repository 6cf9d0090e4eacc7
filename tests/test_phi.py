"""PHI pseudonymization: every identifier type out, stable placeholders, local re-identification,
and fail-closed behaviour (a `PHIError`, never raw text, when anything goes wrong)."""

from __future__ import annotations

import json
import re
from datetime import date

import httpx
import pytest

from agent.safety.guard import check_draft
from agent.safety.phi import KnownIdentifiers, PHIError, Pseudonymizer

HOPE = KnownIdentifiers(
    full_name="Hope Alvarez",
    first_name="Hope",
    last_name="Alvarez",
    guardian_names=["Rosa Alvarez"],
    date_of_birth=date(2009, 3, 14),
    phones=["(617) 555-0142"],
    emails=["Hope.Alvarez09@gmail.com"],
    address_parts=["44 Maple Street", "Somerville", "02144"],
    record_id="MRN-004512",
    insurance_member_ids=["BCX99812345"],
)
KATE = KnownIdentifiers(
    full_name="Katherine O'Brien", first_name="Katherine", last_name="O'Brien",
    preferred_name="Kate",
)  # fmt: skip


@pytest.fixture
def hope() -> Pseudonymizer:
    return Pseudonymizer(HOPE)


# --- the client's own identifiers (must never leak) -----------------------------------------
@pytest.mark.parametrize(
    ("text", "original", "placeholder"),
    [
        ("This is Hope Alvarez about Thursday.", "Hope Alvarez", "<CLIENT_NAME>"),
        ("this is HOPE ALVAREZ", "HOPE ALVAREZ", "<CLIENT_NAME>"),
        ("Hope here, running late", "Hope", "<CLIENT_FIRST_NAME>"),
        ("hi its hope. can we talk", "hope", "<CLIENT_FIRST_NAME>"),
        ("Ms. Alvarez is my name on the card", "Alvarez", "<CLIENT_LAST_NAME>"),
        ("My mom Rosa Alvarez will call.", "Rosa Alvarez", "<GUARDIAN_1>"),
        ("my mom rosa said so", "rosa", "<GUARDIAN_1>"),
        ("DOB 3/14/2009", "3/14/2009", "<CLIENT_DOB_1>"),
        ("born 03-14-09", "03-14-09", "<CLIENT_DOB_1>"),
        ("birthday is March 14th", "March 14th", "<CLIENT_DOB_1>"),
        ("date of birth: 2009-03-14", "2009-03-14", "<CLIENT_DOB_1>"),
        ("born 14 March 2009", "14 March 2009", "<CLIENT_DOB_1>"),
        ("call 617.555.0142", "617.555.0142", "<CLIENT_PHONE_1>"),
        ("call +1 617 555 0142 anytime", "617 555 0142", "<CLIENT_PHONE_1>"),
        ("call 6175550142", "6175550142", "<CLIENT_PHONE_1>"),
        ("email hope.alvarez09@GMAIL.com", "hope.alvarez09@GMAIL.com", "<CLIENT_EMAIL_1>"),
        ("I live at 44 Maple St.", "44 Maple St", "<CLIENT_ADDRESS_1>"),
        ("moved to somerville", "somerville", "<CLIENT_ADDRESS_2>"),
        ("zip is 02144", "02144", "<CLIENT_ADDRESS_3>"),
        ("my chart says MRN 004512? or mrn-004512", "004512", None),
        ("member BCX-9981-2345 on the card", "BCX-9981-2345", "<CLIENT_INSURANCE_ID_1>"),
    ],
)
def test_known_identifiers_never_survive(hope, text, original, placeholder):
    out = hope.pseudonymize(text)
    assert original not in out
    if placeholder:
        assert placeholder in out


def test_preferred_name_is_the_first_name_placeholder_and_comes_back_as_preferred():
    pseudonymizer = Pseudonymizer(KATE)
    out = pseudonymizer.pseudonymize("Katherine here, but everyone calls me Kate. - kate o'brien")
    assert "Katherine" not in out and "Kate" not in out and "kate" not in out
    assert pseudonymizer.reidentify("Hi <CLIENT_FIRST_NAME>,") == "Hi Kate,"


def test_client_name_that_is_a_common_word_goes_in_every_case_the_accepted_price(hope):
    """A known identifier never reaches a model, so the client Hope's lower-case 'hope' goes too
    (lower-case texting writes the name that way); re-identification puts a word back."""
    out = hope.pseudonymize("I hope the 3pm slot is still open. hope")
    assert out == "I <CLIENT_FIRST_NAME> the 3pm slot is still open. <CLIENT_FIRST_NAME>"
    assert hope.reidentify(out) == "I Hope the 3pm slot is still open. Hope"


def test_client_name_that_is_a_function_word_goes_only_where_a_name_is_meant():
    """'Will' the client: every capitalised Will and a lower-case 'will' in a name position
    ('will is', 'this is will') go; the modal 'will' stays so the model can still read it."""
    will = Pseudonymizer(KnownIdentifiers(full_name="Will Osei", first_name="Will"))
    out = will.pseudonymize("ok so will is stressed. I will try to come, Will thinks it helps")
    assert out == (
        "ok so <CLIENT_FIRST_NAME> is stressed. I will try to come, <CLIENT_FIRST_NAME> thinks "
        "it helps"
    )


def test_known_identifiers_from_the_sandbox_ehr_never_leak_for_any_seeded_client():
    """Every one of the sandbox's 120 clients, with their identifiers written the way clients
    write them: nothing from the record survives."""
    from tools.ehr.sandbox import identifiers_of
    from tools.ehr.seed import build_practice

    for client in build_practice(7, date(2026, 11, 27)).clients:
        digits = re.sub(r"\D", "", client.phone)[-7:]
        text = (
            f"hi this is {client.given_name.lower()} {client.family_name}. "
            f"DOB {client.birth_date:%m/%d/%Y}, phone {digits[:3]}.{digits[3:]}, "
            f"email {client.email.upper()}, I live at {client.address}. "
            f"Record {client.record_number}, insurance {client.insurance_member_id}."
        )
        for known in (
            KnownIdentifiers.from_client(client),
            KnownIdentifiers.from_client(identifiers_of(client, full=True)),
        ):
            out = Pseudonymizer(known).pseudonymize(text)
            for value in (client.given_name, client.family_name, client.email, digits[3:],
                          client.address.split(",")[0], client.record_number,
                          client.insurance_member_id, f"{client.birth_date:%m/%d/%Y}"):
                assert value.lower() not in out.lower(), (client.id, value)


# Regression families from the second blind set (messages written here, not copied from it):
# every way people write a date, names in any case and with or without accents, nicknames.
@pytest.mark.parametrize(
    "text",
    [
        "Nacio el 9 de agosto de 2016, por si acaso.",
        "su cumpleaños es el 9 de agosto del 2016",
        "ela nasceu em 9 de agosto de 2016",
        "data de nascimento: 09/08/2016",
        "born on the ninth of August",
        "Aug. 9th '16",
        "8-9-16",
        "09.08.2016",
        "DOB 20160809",
        "August the 9th, 2016",
        "le 9 août 2016",
        "el 9º de agosto",
        "9 AGO 2016",
    ],
)
def test_the_known_date_of_birth_goes_in_every_language_and_order(text):
    out = Pseudonymizer(KnownIdentifiers(date_of_birth=date(2016, 8, 9))).pseudonymize(text)
    assert "<CLIENT_DOB_1>" in out
    assert not re.search(r"(?i)\b0?9\b|agosto|august|\bago\b|aug|ninth|ao[uû]t", out), out


@pytest.mark.parametrize(
    "text",
    [
        "con tôi sinh ngày 9 tháng 8 năm 2016",  # Vietnamese
        "생일은 2016년 8월 9일 입니다",  # Korean
        "li fèt 9 out 2016",  # Haitian Creole
        "ang kaarawan niya ay Agosto 9, 2016",  # Tagalog
        "geboren am 9. August 2016",  # German
        "2016年8月9日生まれ",  # Japanese
    ],
)
def test_the_birthday_in_a_language_without_a_month_list_still_goes(text):
    """Day and year of the record's date a few words apart, whatever the month is called."""
    out = Pseudonymizer(KnownIdentifiers(date_of_birth=date(2016, 8, 9))).pseudonymize(text)
    assert "<CLIENT_DOB_1>" in out and "2016" not in out and not re.search(r"(?<!\d)9(?!\d)", out)


def test_digits_of_other_scripts_are_read_as_digits():
    """A birthday or phone typed in Persian, Arabic-Indic or Devanagari digits is still the
    client's (it once went to the model as typed)."""
    known = KnownIdentifiers(date_of_birth=date(1990, 3, 17), phones=["617-555-0142"])
    out = Pseudonymizer(known).pseudonymize(
        "passport says ۱۹۹۰/۰۳/۱۷, call me on ٦١٧٥٥٥٠١٤٢ or ६१७-५५५-०१४२")
    assert out.count("<CLIENT_DOB_1>") == 1 and out.count("<CLIENT_PHONE_1>") == 2, out


def test_a_name_running_into_a_record_number_leaves_none_of_it_in_clear():
    """A detected name ending inside the record number ("DESTINY MRN") once won the overlap and
    left the number's digits; overlapping detections now cover each other."""
    known = KnownIdentifiers(full_name="Destiny Harper", first_name="Destiny",
                             last_name="Harper", record_id="MRN-4410923")
    out = Pseudonymizer(known).pseudonymize("RE: HARPER, DESTINY MRN-4410923 billing letter")
    assert "4410923" not in out and "DESTINY" not in out and "HARPER" not in out, out


def test_a_date_that_is_not_the_birthday_is_left_alone():
    pseudonymizer = Pseudonymizer(KnownIdentifiers(date_of_birth=date(2016, 8, 9)))
    assert pseudonymizer.pseudonymize("can we do the 10th of August?") == (
        "can we do the 10th of August?"
    )


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("ok so ines is gonna be late lol", "ines"),
        ("INES VALDÉS HERE", "VALDÉS"),
        ("soy ines valdes, la de los martes", "valdes"),
        ("Inés’s mom will bring her", "Inés"),
        ("valdes, ines", "ines"),
        ("Ines Valdes-Ferrer here", "Ferrer"),
    ],
)
def test_the_clients_names_go_in_any_case_with_or_without_accents(text, gone):
    known = KnownIdentifiers(full_name="Inés Valdés-Ferrer", first_name="Inés",
                             last_name="Valdés-Ferrer")
    out = Pseudonymizer(known).pseudonymize(text)
    assert gone.lower() not in out.lower(), out


def test_spans_found_in_folded_text_cover_the_accents_of_the_original():
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Inés Valdés", first_name="Inés"))
    decomposed = "Hola, soy Ine\u0301s Valde\u0301s."
    assert pseudonymizer.pseudonymize(decomposed) == "Hola, soy <CLIENT_NAME>."
    assert pseudonymizer.pseudonymize("Straße 5, Inés") == "Straße 5, <CLIENT_FIRST_NAME>"


def test_nicknames_the_record_does_not_hold_go_and_come_back_as_written():
    known = KnownIdentifiers(full_name="Margaret Oduya", first_name="Margaret")
    pseudonymizer = Pseudonymizer(known)
    out = pseudonymizer.pseudonymize("Peggy here! my sister calls me maggie. - Maggie")
    assert "Peggy" not in out and "aggie" not in out
    # One placeholder per nickname whatever its case; it comes back as first written.
    assert out == (
        "<CLIENT_NICKNAME_1> here! my sister calls me <CLIENT_NICKNAME_2>. - <CLIENT_NICKNAME_2>"
    )
    assert pseudonymizer.reidentify(out) == "Peggy here! my sister calls me maggie. - maggie"
    santiago = Pseudonymizer(KnownIdentifiers(full_name="Santiago Ruiz", first_name="Santiago"))
    assert "Santi" not in santiago.pseudonymize("Santi tiene fiebre hoy")
    carmen = Pseudonymizer(KnownIdentifiers(full_name="Carmen Diaz", first_name="Carmen"))
    assert carmen.pseudonymize("my car broke down") == "my car broke down"


def test_a_lower_case_nickname_before_the_clients_surname_is_the_client():
    """'tony cheung here': the surname is the record's, so 'tony' is the client signing in. It
    used to stay in clear until the leak check caught it and the whole message failed closed."""
    known = KnownIdentifiers(full_name="Anthony Cheung", first_name="Anthony", last_name="Cheung")
    pseudonymizer = Pseudonymizer(known)
    out = pseudonymizer.pseudonymize("tony cheung here. the pharmacy wont fill my script")
    assert out == "<CLIENT_NICKNAME_1> <CLIENT_LAST_NAME> here. the pharmacy wont fill my script"
    assert pseudonymizer.pseudonymize("a tony award show") == "a tony award show"


def test_a_message_in_capitals_is_read_for_names_by_position():
    """In all caps every word looks like a name and none does: a title's name was missed while
    'THE LADY' was hidden. Such a message is read in lower case, by position."""
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Rosa Tafoya"))
    out = pseudonymizer.pseudonymize(
        "THE LADY AT THE FRONT DESK, MRS. KOWALCZYK, SAID TO CALL DR. HALVORSEN. ROSA TAFOYA"
    )
    assert out == (
        "THE LADY AT THE FRONT DESK, MRS. <PERSON_1>, SAID TO CALL DR. <PERSON_2>. <CLIENT_NAME>"
    )
    assert pseudonymizer.reidentify(out).endswith("DR. HALVORSEN. Rosa Tafoya")


def test_a_function_word_surname_stays_a_word_outside_name_positions():
    known = KnownIdentifiers(full_name="Minh Do", first_name="Minh", last_name="Do")
    pseudonymizer = Pseudonymizer(known)
    assert pseudonymizer.pseudonymize("what should I do") == "what should I do"
    assert pseudonymizer.pseudonymize("hi this is minh do") == "hi this is <CLIENT_NAME>"


def test_from_client_identifiers_keeps_the_guardian_apart_from_the_client():
    from tools.ehr.models import ClientIdentifiers

    ids = ClientIdentifiers(
        client_id="cl-1",
        names=("Morgan Marchetti", "Morgan", "Marchetti", "Mo", "Taylor Marchetti"),
        phones=("+1-555-0303",),
    )
    known = KnownIdentifiers.from_client(ids)
    assert (known.full_name, known.first_name, known.preferred_name) == (
        "Morgan Marchetti", "Morgan", "Mo")
    assert known.guardian_names == ["Taylor Marchetti"]
    pseudonymizer = Pseudonymizer(known)
    out = pseudonymizer.pseudonymize("Taylor Marchetti here, Mo's guardian. Call 555-0303.")
    assert out == "<GUARDIAN_1> here, <CLIENT_FIRST_NAME>'s guardian. Call <CLIENT_PHONE_1>."


def test_unknown_field_in_known_identifiers_is_a_clear_error():
    with pytest.raises(ValueError, match="insurance_id"):
        KnownIdentifiers(insurance_id="X1")


# --- identifiers nobody told us about ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "original", "entity"),
    [
        ("my friend Sarah gave me your number", "Sarah", "PERSON"),
        ("My boss, jennifer, keeps texting me", "jennifer", "PERSON"),
        ("I had a fight with my mom Maria Santos", "Maria Santos", "PERSON"),
        ("Please fax it to Dr. Okonkwo today", "Okonkwo", "PERSON"),
        ("I saw Yusuf at the pharmacy", "Yusuf", "PERSON"),
        ("Can Bogdan come to my session?", "Bogdan", "PERSON"),
        ("I went to dinner with Faith and it went well", "Faith", "PERSON"),
        ("Will said he can drive me", "Will", "PERSON"),
        ("Tell Grace thanks for the help", "Grace", "PERSON"),
        ("her number is (339) 555-0102", "(339) 555-0102", "PHONE"),
        ("cell 781-555-0134 ext 12", "781-555-0134 ext 12", "PHONE"),
        ("in London: +44 20 7946 0958", "+44 20 7946 0958", "PHONE"),
        ("write to d.ramirez@acme-corp.com", "d.ramirez@acme-corp.com", "EMAIL"),
        ("see https://www.gofundme.com/f/help-my-sister.", "https://www.gofundme.com/f/help-my-sister",
         "URL"),
        ("profile at facebook.com/derek.huang.77", "facebook.com/derek.huang.77", "URL"),
        ("my ssn is 078-05-1120", "078-05-1120", "SSN"),
        ("SSN: 219099999", "219099999", "SSN"),
        ("my father was born on 03/22/1961", "03/22/1961", "DATE"),
        ("his DOB is October 3, 1949", "October 3, 1949", "DATE"),
        ("my dad passed away on March 3 at home", "March 3", "DATE"),
        ("she was discharged 4/12 from McLean", "4/12", "DATE"),
        ("at 310 Elm St, Cambridge, MA 02139 now", "310 Elm St, Cambridge, MA 02139", "ADDRESS"),
        ("mail goes to P.O. Box 4412", "P.O. Box 4412", "ADDRESS"),
        ("the member ID is W44219083", "W44219083", "ID"),
        ("policy number PN-8820134", "PN-8820134", "ID"),
        ("license S99283017 attached", "S99283017", "ID"),
        ("login attempts from 73.114.20.9.", "73.114.20.9", "IP"),
        ("my grandmother is 94 years old", "94", "AGE"),
        ("Abuela is 91 and lives with us", "91", "AGE"),
        ("card 4111 1111 1111 1111 was charged twice", "4111 1111 1111 1111", "CARD"),
        # second blind set families, new wording
        ("my cousin nadia drove me home", "nadia", "PERSON"),
        ("ugh, gary from work keeps calling", "gary", "PERSON"),
        ("la señora Quintero me llamó", "Quintero", "PERSON"),
        ("mi hermano marcos no puede venir", "marcos", "PERSON"),
        ("o meu chefe Thiago Azevedo demitiu", "Thiago Azevedo", "PERSON"),
        ("Ana (my stepmom) wants to join", "Ana", "PERSON"),
        ("my landlord Tran Van Long came by", "Tran Van Long", "PERSON"),
        ("my neighbor Zoë Müller heard it", "Zoë Müller", "PERSON"),
        ("me and oksana went for a walk", "oksana", "PERSON"),
        ("her name is ifeoma", "ifeoma", "PERSON"),
        ("my Medicaid number, it's MC-4410927", "MC-4410927", "ID"),
        ("el número de expediente es 2024-FAM-00813", "2024-FAM-00813", "ID"),
        ("the sticker says QX7730194 on it", "QX7730194", "ID"),
        ("the old place on Tremont Street in Revere", "Tremont Street in Revere", "ADDRESS"),
        ("now in apto 7C", "apto 7C", "ADDRESS"),
        ("vivo en Calle de la Paz 14", "Calle de la Paz 14", "ADDRESS"),
        ("call (413)5550162 anytime", "(413)5550162", "PHONE"),
        ("office 508-555-0177, ext. 31", "508-555-0177, ext. 31", "PHONE"),
        ("I'm 96 and still driving", "96", "AGE"),
        ("mi abuela tiene 93 años", "93", "AGE"),
        ("Maria nacio el 3 de mayo de 1950", "3 de mayo de 1950", "DATE"),
    ],
)
def test_unknown_identifiers_are_replaced_by_typed_placeholders(text, original, entity):
    pseudonymizer = Pseudonymizer(KnownIdentifiers())
    out = pseudonymizer.pseudonymize(text)
    assert original not in out
    assert f"<{entity}_1>" in out
    assert pseudonymizer.mapping[f"<{entity}_1>"] == original


@pytest.mark.parametrize(
    "text",
    [
        "I hope you had a good weekend. Will I see you on Monday?",
        "Can I get a receipt for May? My employer needs it by June 5.",
        "Is there a grace period? I have faith it will work out.",
        "Mark the date: the Tuesday group starts in April.",
        "Aetna said they need CPT codes for the PHQ-9.",
        "Is the office open on Christmas Eve?",
        "My therapist before you was great.",
        "The total is 95 dollars and the session is at 10:30.",
        "Su número de cita cambió, me dijo la recepcionista.",
        "Got a letter from Aetna about my student ID card.",
        "I may need to miss sessions in July, sorry.",
        "The bill from work was reimbursed.",
        "Thanks so much, the session and I were both a bit tired.",
        "I finished unit 3 of the workbook and the PHQ-9.",
    ],
)
def test_everyday_words_that_are_also_names_are_left_alone(text):
    assert Pseudonymizer(KnownIdentifiers()).pseudonymize(text) == text


# --- one instance per turn: stable placeholders, local re-identification --------------------
def test_placeholders_are_stable_across_the_texts_of_one_turn(hope):
    message, context, passage = hope.pseudonymize_many([
        "My friend Sarah and my friend Michael Torres say hi. Sarah's number is 617-555-0123.",
        "Client: Hope Alvarez. Emergency contact: Sarah, 617 555 0123.",
        "Call Dr. Patel's office.",
    ])
    assert message == ("My friend <PERSON_1> and my friend <PERSON_2> say hi. <PERSON_1>'s "
                       "number is <PHONE_1>.")
    assert context == "Client: <CLIENT_NAME>. Emergency contact: <PERSON_1>, <PHONE_1>."
    assert passage == "Call Dr. <PERSON_3>'s office."


def test_reidentify_tolerates_how_models_echo_placeholders(hope):
    hope.pseudonymize("my friend Sarah called from 617-555-0123")
    echoed = "Hi <client_first_name>, PERSON_1 and [PERSON 1] and < PHONE_1 > and {{PHONE-1}}."
    assert hope.reidentify(echoed) == (
        "Hi Hope, Sarah and Sarah and 617-555-0123 and 617-555-0123."
    )


def test_reidentify_leaves_prose_that_merely_looks_like_a_placeholder(hope):
    text = "As a client, name your goal. Person 1 of 2 [click here]."
    assert hope.reidentify(text) == text


def test_placeholders_never_issued_are_flagged_and_blocked_by_the_guard(hope):
    hope.pseudonymize("my friend Sarah says hi")
    reply = "Hi <CLIENT_FIRST_NAME>, tell <PERSON_1> and PERSON_7 hello from <CLINICIAN_NAME>."
    assert hope.unmapped(reply) == ["<PERSON_7>", "<CLINICIAN_NAME>"]
    text = hope.reidentify(reply)
    assert text == "Hi Hope, tell Sarah and <PERSON_7> hello from <CLINICIAN_NAME>."
    verdict = check_draft(text, intents=["other"], allowed_domains=[])
    assert not verdict.passed
    assert {f.span for f in verdict.findings if f.rule == "unfilled_placeholder"} == {
        "<PERSON_7>", "<CLINICIAN_NAME>"}


def test_mapping_is_a_copy(hope):
    hope.mapping["<CLIENT_NAME>"] = "Somebody Else"
    assert hope.reidentify("<CLIENT_NAME>") == "Hope Alvarez"


# --- fail closed -------------------------------------------------------------------------------
def test_non_text_raises_phi_error(hope):
    with pytest.raises(PHIError):
        hope.pseudonymize(None)  # type: ignore[arg-type]
    with pytest.raises(PHIError):
        hope.reidentify(b"<CLIENT_NAME>")  # type: ignore[arg-type]


def test_text_over_the_length_limit_is_refused(hope):
    from agent.safety.phi import MAX_TEXT_CHARS

    with pytest.raises(PHIError, match="exceeds"):
        hope.pseudonymize("Hope Alvarez " * (MAX_TEXT_CHARS // 10))
    with pytest.raises(PHIError, match="unfolds"):  # one ligature character unfolds to 18
        hope.pseudonymize("\ufdfa" * (MAX_TEXT_CHARS // 2))


def test_recognizer_crash_raises_phi_error_not_raw_text(hope, monkeypatch):
    import agent.safety.phi as phi

    class Broken:
        def analyze(self, *args, **kwargs):
            raise RuntimeError("recognizer exploded")

    monkeypatch.setattr(phi, "analyzer", lambda: Broken())
    with pytest.raises(PHIError, match="RuntimeError"):
        hope.pseudonymize("Hope Alvarez, 617-555-0142")


def test_a_known_identifier_that_survives_replacement_raises(hope, monkeypatch):
    monkeypatch.setattr(Pseudonymizer, "detect", lambda self, text: [])
    with pytest.raises(PHIError, match="CLIENT_NAME"):
        hope.pseudonymize("This is Hope Alvarez")


# --- the real model client sees placeholders only -------------------------------------------
def test_the_llm_request_carries_no_identifier_and_its_answer_is_reidentified(settings, hope):
    """The real ChatOpenAI from `build_chat_model`, against a MockTransport endpoint."""
    from langchain_core.messages import HumanMessage

    from agent.llm import build_chat_model

    sent: list[str] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        sent.append(request.content.decode())
        return httpx.Response(200, json={
            "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant",
                "content": "Hi <CLIENT_FIRST_NAME>, we will call you at <client_phone_1>. "
                           "Say hi to PERSON_1."}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    llm_settings = settings.model_copy(update={
        "llm_provider": "openai", "llm_base_url": "http://127.0.0.1:9/v1"})
    model = build_chat_model(llm_settings, http_client=httpx.Client(
        transport=httpx.MockTransport(endpoint)))
    message = ("Hi, Hope Alvarez here (DOB 03/14/2009). My friend Sarah Mitchell said to ask: "
               "can you call me at 617-555-0142 or email hope.alvarez09@gmail.com?")
    answer = model.invoke([HumanMessage(hope.pseudonymize(message))])

    body = json.loads(sent[0])
    prompt = body["messages"][0]["content"]
    for identifier in ("Hope", "Alvarez", "03/14/2009", "Sarah", "Mitchell", "617-555-0142",
                       "hope.alvarez09"):
        assert identifier not in sent[0]
    assert "<CLIENT_NAME>" in prompt and "<PERSON_1>" in prompt
    assert hope.reidentify(answer.content) == (
        "Hi Hope, we will call you at (617) 555-0142. Say hi to Sarah Mitchell.")


# --- the labelled data set ----------------------------------------------------------------------
def test_phi_dataset_zero_known_leakage_and_recall_targets():
    """`evals/datasets/phi.jsonl`: >= 150 messages, common-word names included; leakage of
    known identifiers 0 and recall >= 0.95 on names, phones and emails in both splits."""
    from benchmarks.phi import evaluate, load_examples

    examples = load_examples()
    assert len(examples) >= 150
    texts = " ".join(e.text for e in examples)
    for word_name in ("Hope", "Faith", "Will", "Grace", "May", "Joy"):
        assert word_name in texts
    for split in ("dev", "holdout"):
        report = evaluate([e for e in examples if e.split == split])
        assert report.known_leaked == 0, report.misses
        for entity in ("PERSON", "PHONE", "EMAIL"):
            found, total = report.recall[entity]
            assert found / total >= 0.95, (split, entity, report.misses)


# --- third blind set families (names outside the census list), new wording -------------------
@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a person's verb after an unlisted capitalised name, in any language of the portal
        ("Bogumil showed up drunk at my door again.", ["Bogumil"]),
        ("Adaeze has agreed to come on Monday.", ["Adaeze"]),
        ("We would like Radek to join the next session.", ["Radek"]),
        ("There's my aunt, then Oisin, who lives in Galway.", ["Oisin"]),
        ("O vizinho, Cleiton, acha que eu exagero.", ["Cleiton"]),
        # every other mention of a name found once
        ("Yaroslava's teacher called. I picked up Yaroslava at noon.", ["Yaroslava"]),
        ("my partner kwabena said no. kwabena never listens", ["kwabena"]),
        # relation words in lower case, texting, Tagalog, French, Portuguese, in-laws
        ("my bf tyrell is being weird", ["tyrell"]),
        ("my tito nonoy, he drives us", ["nonoy"]),
        ("my friend april texted me", ["april"]),
        ("Mon frère Wisly arrive demain.", ["Wisly"]),
        ("A mãe dela, Rosimeire, mora aqui.", ["Rosimeire"]),
        ("my sister-in-law Oksanka helps", ["Oksanka"]),
        ("Taini's husband Ferdi Ozturk will call", ["Taini", "Ferdi Ozturk"]),
        ("sky's dad rang me", ["sky"]),
        ("Son professeur, M. Duvalier, a appelé.", ["Duvalier"]),
        ("La tía de mi esposo, doña Eulalia Pacheco de Ruiz, vive aquí.",
         ["Eulalia Pacheco de Ruiz"]),
        ("Mari m Jonel pa la.", ["Jonel"]),
        # lists of people, nicknames, sign-offs
        ("the twins Marcus and Thi both have colds", ["Marcus", "Thi"]),
        ("His friends call him Bubba since grade school.", ["Bubba"]),
        ("See you then. Cheers, Fionnuala", ["Fionnuala"]),
        ("Running ten minutes late, sorry. Siddhartha", ["Siddhartha"]),
        # hyphens, particles, romanised Korean
        ("I told Min-jun's mother about it.", ["Min-jun"]),
        ("My father-in-law Park Jae-won is visiting.", ["Park Jae-won"]),
        ("Please add Faisal bin Omar Al-Harthi to the file.", ["Faisal bin Omar Al-Harthi"]),
        ("honestly i doubt will is coming", ["will"]),
    ],
)
def test_unknown_names_in_positions_only_a_name_takes(text, names):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for name in names:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", out), (name, out)


@pytest.mark.parametrize(
    "text",
    [
        "My patient portal from last year does not open.",
        "My husband cheated and I need to talk about it.",
        "My mom lol she is so dramatic.",
        "Follow-up and co-pay questions: is the check-in at 9?",
        "Everyone's school is closed; today's class is cancelled.",
        "Merci. Gracias. Obrigada!",
        "We flew in from Lagos and drove from New York.",
        "Can we meet in April? The sky's the limit.",
        "Ma sœur et moi, on voudrait venir.",
        "The will is being read on Friday.",
    ],
)
def test_new_name_rules_leave_ordinary_words_alone(text):
    assert Pseudonymizer(KnownIdentifiers()).pseudonymize(text) == text


@pytest.mark.parametrize(
    ("known", "text", "gone"),
    [
        (KnownIdentifiers(full_name="Dana Whitfield"), "Thanks again, D.W.", "D.W."),
        (KnownIdentifiers(full_name="Anne-Sophie Laurent"), "Bises, A-S", "A-S"),
        (KnownIdentifiers(full_name="Luis Fernando Ortega"), "Saludos, LF", "LF"),
        (KnownIdentifiers(full_name="Madison Reyes"), "madisen here, running late", "madisen"),
        (KnownIdentifiers(full_name="Oluwatobi Ade"), "My name as Oluwatboi is wrong", "Oluwatboi"),
    ],
)
def test_the_clients_initials_and_misspellings_go_and_come_back_as_written(known, text, gone):
    pseudonymizer = Pseudonymizer(known)
    out = pseudonymizer.pseudonymize(text)
    assert gone not in out
    assert pseudonymizer.reidentify(out) == text


def test_the_clients_name_in_cyrillic_goes_and_comes_back_as_the_record_spells_it():
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Yuliia Shevchenko"))
    out = pseudonymizer.pseudonymize("Це мама Юлії: Юлія Шевченко не прийде")
    assert "Юлі" not in out and "Шевченко" not in out and "<CLIENT_NAME>" in out
    assert pseudonymizer.reidentify(out).endswith("Yuliia Shevchenko не прийде")


def test_client_misspellings_never_take_everyday_words_or_unrelated_initials():
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Grace Mason"))
    text = "My grade went up. We moved to MA. The mason jar broke. ok GM"
    assert pseudonymizer.pseudonymize(text).startswith("My grade went up. We moved to MA.")


def test_a_name_that_is_a_word_is_hidden_only_where_it_is_a_name():
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(
        "my boss bill said he'll bill me for the tools, and bill never forgets"
    )
    assert out == (
        "my boss <PERSON_1> said he'll bill me for the tools, and <PERSON_1> never forgets"
    )


# --- fourth blind set families (roles, kin titles, initials, scripts), new wording ------------
@pytest.mark.parametrize(
    ("text", "names"),
    [
        # campus, work and justice roles; "-mate" compounds; lower-case titles
        ("our RA Tomasz wrote me up again", ["Tomasz"]),
        ("my TA priyanka graded it wrong", ["priyanka"]),
        ("my lab mate Oyelaran keeps borrowing my notes", ["Oyelaran"]),
        ("my PO Delgado wants a letter from you", ["Delgado"]),
        ("prof. kowalczyk never replies to me", ["kowalczyk"]),
        ("mi compañera de cuarto Itzel no me habla", ["Itzel"]),
        # step, half and foster relations, glued or hyphenated, and lists of them
        ("My stepsister Anca and half-brother Sorin fight constantly.", ["Anca", "Sorin"]),
        ("my half sister nkechi just broke my headphones", ["nkechi"]),
        # brackets, apposition in the plural, initials in the slots a name takes
        ("manager (kevin) won't approve my time off", ["kevin"]),
        ("DJ and RB (my cousins) are staying over", ["DJ", "RB"]),
        ("my bestie T.J. is coming with me", ["T.J"]),
        ("my ex R. keeps texting me. K says to block him", ["R.", "K"]),
        # kin words and titles without "my", before or after the name
        ("Babcia Krystyna fell last week.", ["Krystyna"]),
        ("am vorbit cu bunica, Florica, ieri", ["Florica"]),
        ("Auntie Folake will bring me on Friday", ["Folake"]),
        ("Alhaji Musa Danjuma is my sponsor", ["Musa Danjuma"]),
        ("Chinedu uncle gave me a ride", ["Chinedu"]),
        ("Sharma ji from upstairs complained again", ["Sharma"]),
        # Arabic script: a kin word or title, then the name (and an al- family name)
        ("أختي سلمى في المستشفى", ["سلمى"]),
        ("صديقي خالد العتيبي قال لي أن أكتب لكم", ["خالد العتيبي"]),
        # a word name tied to a place of work; a country that is a name away from a place word
        ("Rich from marketing keeps messaging me", ["Rich"]),
        ("I left the baby with Jordan yesterday", ["Jordan"]),
        # lower-case given names of many origins (the world list) where a name is the subject
        # or follows a preposition, with no relation word
        ("ok update. tunde is trying to make peace with his dad", ["tunde"]),
        ("the fight was bad. radu keeps texting me sorry", ["radu"]),
        ("i talked to chiamaka about it last night", ["chiamaka"]),
        ("ok so ifeanyi is being weird again", ["ifeanyi"]),
        ("last week kofi and i had a huge fight", ["kofi"]),
        ("Bogdan was at the house again", ["Bogdan"]),
        # texting: "me n", "w", dash sign-offs, new closing words, handles
        ("me n tariq are done for real", ["tariq"]),
        ("hanging w tunde tonight", ["tunde"]),
        ("see you thursday. -Olamide", ["Olamide"]),
        ("thx, Chidinma", ["Chidinma"]),
        ("@Kwabena stop posting about me", ["Kwabena"]),
        ("my group home staff Rasheed took my phone", ["Rasheed"]),
    ],
)
def test_unknown_names_after_roles_kin_titles_and_initials(text, names):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for name in names:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", out), (name, out)


@pytest.mark.parametrize(
    "text",
    [
        "We flew back from India last week and Easter was hard.",
        "Presentation went well and the surgery went fine.",
        "My dad (dementia) and my mom (Parkinson's) both need care.",
        "Our RA meeting is at 7 and my student portal is down.",
        "My sister is a brat, ugh.",
        "The Pierce Middle nurse called about the IEP.",
        "Grandma said no. Uncle keeps asking.",
        "my therapist LCSW letter and my student ID are attached",
        "The MR scan is on Friday.",
        "theres a lot going on. york is far and media is loud.",
        "The Chief Financial Officer signed it. Brother Printer is jammed. Sister Act is on.",
        "My mother's home aide just called. My son (Covid) is home. See you @home.",
        "I had aged cheese and salami at a party.",
        "ok so. per my last message, the form is trying to load.",
    ],
)
def test_fourth_set_rules_leave_ordinary_words_alone(text):
    assert Pseudonymizer(KnownIdentifiers()).pseudonymize(text) == text


def test_the_clients_initials_that_are_a_word_go_where_the_client_names_themself():
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Mohammed Rahman"))
    text = "MR here, can I switch to Tuesday? The MR scan moved."
    out = pseudonymizer.pseudonymize(text)
    assert out.startswith("<CLIENT_NICKNAME_1> here") and out.endswith("The MR scan moved.")
    assert pseudonymizer.reidentify(out) == text


def test_the_misspelling_guard_takes_the_same_words_as_trying_every_everyday_word():
    """The indexed look-up of everyday words one letter off a name finds exactly what matching
    the variants against every everyday word finds (the slow way it replaced)."""
    from agent.safety.phi import _misspelling_pattern
    from agent.safety.recognizers import FUNCTION_WORDS, everyday_words

    for names in (("Grace", "Mason"), ("Brook",), ("Oluwaseun", "Hart"), ("Marie-Claude",)):
        pattern = _misspelling_pattern(names)
        body = re.search(r"\(\?:([^()]*)\)\(\?!\[\\w@\]\)$", pattern).group(1)
        probe = re.compile(rf"(?:{body})")
        slow = {w for w in everyday_words() | FUNCTION_WORDS if probe.fullmatch(w)}
        compiled = re.compile(pattern)
        assert not any(compiled.fullmatch(w) for w in slow), names
        assert compiled.fullmatch(names[0].lower()[:-1] + "x"), names


def test_scoring_counts_letters_and_digits_not_the_space_between_two_placeholders():
    from benchmarks.phi import PHIExample, evaluate

    def leaked(text: str, label: str, guardian: str) -> int:
        example = PHIExample.model_validate({
            "id": "t", "split": "dev", "text": text, "known": {"guardian_names": [guardian]},
            "spans": [{"start": 0, "end": len(label), "type": "CLIENT_NAME", "known": True,
                       "text": label}],
        })
        return evaluate([example]).known_leaked

    # Each word of the guardian's name replaced on its own, the space between left: no leak.
    assert leaked("Balwant Singh here.", "Balwant Singh", "Balwant Singh Gill") == 0
    # A word of the labelled name left in clear is a leak.
    assert leaked("Balwant Kaur here.", "Balwant Kaur", "Balwant Singh") == 1


# --- fifth blind set families (roles, weak cues, lower-case titles, rural addresses) ----------
@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a name in apposition after a clinic, pharmacy or office role, with or without commas,
        # any words before the role and a workplace between it and the name
        ("the receptionist, Imelda, told me to message here", ["Imelda"]),
        ("my care coordinator Tobiah set the whole thing up", ["Tobiah"]),
        ("the weekend tech at Rite Aid, Rocio, handed me the wrong bottle", ["Rocio"]),
        ("the front desk lady at the pharmacy, Gwen, said it was ready", ["Gwen"]),
        ("her HR person, Ms Tran, needs the accommodation form", ["Tran"]),
        ("my peer specialist oksana says hi", ["oksana"]),
        ("the night nurse, Ignatius Obuya, checked my vitals", ["Ignatius", "Obuya"]),
        ("el tecnico Beto me dijo que no hay", ["Beto"]),
        ("I tried calling dr mbeki's nurse, april? nobody answered", ["mbeki", "april"]),
        # a name listed after one already found
        ("Dr. Ito and Reyes both signed the letter", ["Ito", "Reyes"]),
        # lower-case titles before any name, with the surname after
        ("dr sun said to double the dose", ["sun"]),
        ("nurse ben called me back today", ["ben"]),
        ("miss dot at the front desk was so nice", ["dot"]),
        ("PLEASE TELL DR. KOWALCZYK THAT MRS. JUNE HARLOW CALLED", ["KOWALCZYK", "JUNE", "HARLOW"]),
        ("the pharmacist at walgreens, mr. feeney, said no", ["feeney"]),
        # weak cues that only a name fills, whatever the word
        ("ask for dawn when you call the desk", ["dawn"]),
        ("you can speak to faye about the bill", ["faye"]),
        ("his name's hunter if he picks up", ["hunter"]),
        ("the aide's name was autumn i think", ["autumn"]),
        # a self-introduction with a full name; a full name of two words in no dictionary
        ("I'm Juniper Okonkwo, the social worker at Riverside", ["Juniper", "Okonkwo"]),
        ("we waited but Tahnee Wolfchild never came to the visit", ["Tahnee", "Wolfchild"]),
        # a Vietnamese surname that is also a word, and a Vietnamese given name that is a
        # Spanish goodbye
        ("my friend Mai Do can pick it up", ["Mai", "Do"]),
        ("the tech, Chau, said it was not ready", ["Chau"]),
    ],
)
def test_unknown_names_after_roles_titles_and_weak_cues(text, names):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for name in names:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", out), (name, out)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("mail it to RR 4 Box 31, Pinedale please", ["4", "31", "Pinedale"]),
        ("new address P.O. Box 554, Ganado, AZ 86505", ["554", "Ganado", "86505"]),
        ("po bx 9 is the only mail we get", ["9"]),
        ("we live out past Rural Route 7 now", ["Rural Route", "7"]),
        ("it's State Route 12 mile marker 9, the blue trailer", ["12", "9"]),
        ("County Rd 40 past the grain elevator", ["County", "40"]),
        ("HC 72 Box 1180 is where the checks go", ["72", "1180"]),
        ("she is in Gallup, NM 87301 now", ["Gallup", "87301"]),
        ("1840 County Road 12, apt 3", ["1840", "12", "3"]),
        ("5110 Ridgecrest Dr NW Apt 2, Rio Rancho NM 87144", ["5110", "2", "Rio", "87144"]),
        ("Lot 14\nPine Haven park", ["14"]),
        ("my tribal enrollment # is 5120-338", ["5120", "338"]),
    ],
)
def test_addresses_with_no_street_word_and_tribal_ids(text, gone):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for part in gone:
        assert not re.search(rf"(?<![\w<]){re.escape(part)}(?![\w>])", out), (part, out)


@pytest.mark.parametrize(
    "text",
    [
        "the nurse says I should drink more water",
        "my doctor wants labs first and my coach thinks I'm overtraining",
        "Mi pastor leyo un salmo.",
        "the dr office never called back. doctor note for work please",
        "the nurse practitioner said to wait. the nurse line said the same",
        "I will ask for help next time, and talk to someone about patience",
        "I miss school a lot",
        "I'm Feeling Better this week. I'm Really Tired though",
        "Walgreens on Route 9 has it. My HR 88 and RR 16 at urgent care.",
        "hc 10 mg twice a day; I finished unit 3 and a lot of homework",
        "the provider section is filled out and the provider portal is down",
        "We went to Saint Vincent for the vigil. He is at St. Elizabeth Manor now.",
        "Boozhoo, I have a question about my refill.",
        "the clinic's pharmacist is great. my contact info changed",
        "named after my grandma; my name is on the list",
        "I take it in April and May, not June",
        "His Invega Sustenna shot is due. He moved to Sao Paulo.",
        "I switched from Zoloft to Lexapro, and the Caplyta was denied.",
        "the prescriber NPI is on the form",
        "Eliot Community Human Services wrote to me.",
    ],
)
def test_fifth_set_rules_leave_ordinary_words_alone(text):
    assert Pseudonymizer(KnownIdentifiers()).pseudonymize(text) == text


def test_a_nickname_of_the_name_the_clients_name_extends_is_the_clients():
    """Francesca -> Frances -> Frankie: signing "frankie" in lower case before the surname."""
    pseudonymizer = Pseudonymizer(KnownIdentifiers(full_name="Francesca Bellini"))
    text = "frankie bellini here, is my refill in?"
    out = pseudonymizer.pseudonymize(text)
    assert out.startswith("<CLIENT_NICKNAME_1> <CLIENT_LAST_NAME> here"), out
    # the nickname comes back as written, the surname as the record spells it
    assert pseudonymizer.reidentify(out) == "frankie Bellini here, is my refill in?"


def test_a_date_on_the_birthday_comes_back_as_it_was_written():
    """An opening on the client's birthday ("Thursday, March 5") is hidden as the birth date;
    re-identified as the record's "2009-03-05" it once put a wrong date into the draft."""
    pseudonymizer = Pseudonymizer(KnownIdentifiers(date_of_birth=date(2009, 3, 5)))
    message, draft = pseudonymizer.pseudonymize_many(
        ["born 3/5/09, can we move my session?", "- Thursday, March 5 at 9:00 AM"]
    )
    assert "3/5/09" not in message and "March 5" not in draft
    model_reply = f"{draft} (we have your date of birth as {message.split()[1].rstrip(',')})"
    assert pseudonymizer.reidentify(model_reply) == (
        "- Thursday, March 5 at 9:00 AM (we have your date of birth as 3/5/09)"
    )


# --- sixth blind set families (dictated identifiers, workplace roles, marinas) -----------------
DICTATED = KnownIdentifiers(
    full_name="Maren Solberg",
    date_of_birth=date(1971, 11, 2),
    phones=["218-555-0136"],
    emails=["msolberg+work@lake.example.org"],
    address_parts=["7712 Pelican Shore Rd Apt 4", "Bemidji", "56601"],
    record_id="MRN-318204",
    insurance_member_ids=["BCBS-55120093"],
)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # the phone as voice-to-text writes it: digit by digit, "oh", "double", with commas
        ("call me at two one eight five five five zero one three six please",
         "two one eight five five five zero one three six"),
        ("it's two one eight, double five five, oh one three six",
         "two one eight, double five five, oh one three six"),
        # the street number in pairs, the ZIP digit by digit, the birthday in words
        ("send it to seventy seven twelve pelican shore road", "seventy seven twelve"),
        ("bemidji five six six oh one", "five six six oh one"),
        ("my birthday is november second nineteen seventy one", "nineteen seventy one"),
        # the record and member numbers dictated
        ("my chart is m r n three one eight two oh four", "three one eight two oh four"),
        # the email spelled out, and the street named without its number or unit
        ("email m solberg plus work at lake dot example dot org", "plus work at lake dot"),
        ("I'm the grey house on Pelican Shore Road", "Pelican Shore Road"),
    ],
)
def test_the_clients_dictated_identifiers_are_hidden(text, gone):
    pseudonymizer = Pseudonymizer(DICTATED)
    out = pseudonymizer.pseudonymize(text)
    assert gone not in out and "<CLIENT_" in out, out


@pytest.mark.parametrize(
    "text",
    [
        # number words that are not an identifier: an age, a count, a time, a dose
        "I'm forty four and one of the five of us still lives at home",
        "we have two or three sessions left, maybe seven thirty on friday",
        "he takes twenty five milligrams, up from fifteen",
        "oh two things: the bill and the form",
        # the record's street word alone, a one-word street part
        "the road to Bemidji was icy",
    ],
)
def test_number_words_and_street_words_that_are_not_the_clients_stay(text):
    out = Pseudonymizer(DICTATED).pseudonymize(text)
    assert out == text.replace("Bemidji", "<CLIENT_ADDRESS_2>"), out


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("his cell is four oh two five five five oh one eight eight", "four oh two"),
        ("my social is five one two four four three two one nine", "five one two"),
        ("the claim number is b r seven seven one two oh nine four", "seven seven one two"),
        ("write to her at t okafor at county dot example dot gov thanks", "okafor at county"),
        ("my grandma died, she was ninety three", "ninety three"),
    ],
)
def test_unknown_identifiers_dictated_in_words(text, gone):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    assert gone not in out, out


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # lower-case first and last name after a role, as dictation writes them
        ("my shift supervisor tova brandstetter wrote me up", ["tova", "brandstetter"]),
        ("the adjuster is ruel okonjo and he never calls", ["ruel", "okonjo"]),
        ("the gm ikaika mahoe wont answer", ["ikaika", "mahoe"]),
        # workplace roles of drivers, crews and union members
        ("My dispatcher Thibault says the load is gone", ["Thibault"]),
        ("my foreman Arvid Lunde and the deckhand Per", ["Arvid", "Lunde", "Per"]),
        ("the union rep oddny called", ["oddny"]),
        ("hearing with judge fontenot on monday", ["fontenot"]),
    ],
)
def test_names_after_workplace_roles_and_lower_case_surnames(text, names):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for name in names:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", out), (name, out)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("we're at Three Rivers Marina, Slip B-7 till May", ["Three Rivers", "B-7"]),
        ("parked at the truck stop at 880 Route 11 tonight", ["880", "11"]),
        ("Office: W204 N5530 Lannon Rd, Menomonee Falls", ["W204", "N5530", "Lannon"]),
        ("500 Lexington, Suite 300, New York", ["500", "300"]),
        ("Box 12, Sitka 99835 is my mail", ["Sitka", "99835"]),
        ("the depot is at 12 King St W, Toronto, ON M5H 1A1", ["M5H", "1A1"]),
        ("logged in from fe80:12:9c0::7a yesterday", ["fe80:12:9c0::7a"]),
        ("my plate is KLM 4410", ["4410"]),
    ],
)
def test_marinas_routes_grid_addresses_postal_codes_and_plates(text, gone):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    for part in gone:
        assert part not in out, (part, out)


@pytest.mark.parametrize(
    "text",
    [
        "my boss always said no",
        "the judge said no and the director of nursing agreed",
        "the session is at 10:30, or 11:45:00 at the latest",
        "the ratio was 3:2:1 and the dock was closed",
        "my badge is in my car",
        "Miriam Hale, Esq. sent it. Nurse Manager on the 4th floor. Ugh.",
        "he was 95 minutes late",
    ],
)
def test_sixth_set_rules_leave_ordinary_words_alone(text):
    out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
    assert out == text.replace("Miriam Hale", "<PERSON_1>"), out


def test_a_lower_case_surname_is_never_a_word_or_a_verb():
    for text in ("my friend ana swims daily", "my sister jen really wants it"):
        out = Pseudonymizer(KnownIdentifiers()).pseudonymize(text)
        assert out == re.sub(r"\b(?:ana|jen)\b", "<PERSON_1>", text), out


def test_the_clients_name_next_to_chinese_characters_goes():
    """"Zihan的妈妈" has no word boundary between the name and the next character (CJK letters are
    word characters), so the record's name once went to the model from a Chinese message; an
    alias's given name alone ("Ethan" of "Ethan Chen") is the client's too."""
    known = KnownIdentifiers(full_name="Zihan Chen", first_name="Zihan", other_names=["Ethan Chen"])
    out = Pseudonymizer(known).pseudonymize("您好，我是Zihan的妈妈。他的英文名是Ethan。")
    assert "Zihan" not in out and "Ethan" not in out, out
    assert "的妈妈" in out and "他的英文名是" in out


@pytest.mark.parametrize(
    ("text", "spelled"),
    [("MY SON J-A-Y-D-E-N SCHOOL INTERPRETER NOT SHOW-UP", "J-A-Y-D-E-N"),
     ("name is j.a.y.d.e.n brooks", "j.a.y.d.e.n")],
)
def test_a_fingerspelled_name_is_the_clients(text, spelled):
    """ASL gloss spells a name letter by letter."""
    known = KnownIdentifiers(full_name="Jayden Brooks", first_name="Jayden", last_name="Brooks")
    out = Pseudonymizer(known).pseudonymize(text)
    assert spelled not in out and "<CLIENT_" in out, out


def test_spelled_letters_that_are_not_the_name_stay():
    known = KnownIdentifiers(full_name="Jayden Brooks", first_name="Jayden", last_name="Brooks")
    text = "the form code is J-A-Y-4 and my initials are J.B."
    assert "J-A-Y-4" in Pseudonymizer(known).pseudonymize(text)


@pytest.mark.parametrize("text", ["born in January 2010", "DOB: January, 2010", "born 01/2010"])
def test_the_month_and_year_of_birth_go(text):
    out = Pseudonymizer(KnownIdentifiers(date_of_birth=date(2010, 1, 26))).pseudonymize(text)
    assert "2010" not in out and "<CLIENT_DOB_1>" in out, out


def test_another_month_of_the_birth_year_stays():
    text = "we moved here in March 2010 and started school 09/2010"
    known = KnownIdentifiers(date_of_birth=date(2010, 1, 26))
    assert Pseudonymizer(known).pseudonymize(text) == text
