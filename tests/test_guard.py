"""The draft guard: each rule blocks what it must (with a reason a reviewer can act on), lets
ordinary replies through, and any rule that crashes blocks the draft as `guard_error`."""

from __future__ import annotations

import pytest

import agent.safety.guard as guard_module
from agent.safety.guard import GuardResult, check_draft, reading_grade

DOMAINS = ["northside-counseling.com", "psychologytoday.com"]


def run(draft: str, **overrides) -> GuardResult:
    options = {"intents": ["schedule_change"], "allowed_domains": DOMAINS}
    options.update(overrides)
    return check_draft(draft, **options)


def rules(result: GuardResult) -> set[str]:
    return {f.rule for f in result.findings}


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Maria, I moved your appointment to Thursday at 3 pm with Dr. Lee. You can see it at "
        "https://portal.northside-counseling.com/appointments. See you then!",
        "Thanks for asking about your medication. Dr. Lee will talk with you about it at your "
        "next visit. For anything urgent, please call your prescriber or pharmacist.",
        "Your refill request was sent to Dr. Lee's office today.",
        "Your copay for the session on May 5 was $30. You can pay it in the portal.",
        "The intake forms are ready. Please fill them out before Monday.",
        "Here is the parking info: www.northside-counseling.com/visit.",
        "Please bring a list of the medications you take to your first visit.",
        "Do not stop or change a medication without talking with your prescriber.",
        "If you have symptoms of COVID, please switch to telehealth or reschedule.",
        "Your record set includes intake forms, progress notes and billing records.",
    ],
)
def test_ordinary_replies_pass(draft):
    result = run(draft)
    assert result.passed, result.findings


# --- medication_advice ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "draft",
    [
        "You can take 50 mg of sertraline in the morning instead.",
        "It is fine to stop taking your Lexapro for a few days.",
        "Try taking two pills at night if you can't sleep.",
        "Go ahead and skip your dose tonight.",
        "You could switch to Wellbutrin, many clients do.",
    ],
)
def test_medication_advice_is_blocked_with_a_plain_reason(draft):
    result = run(draft, intents=["medication"])
    findings = [f for f in result.findings if f.rule == "medication_advice"]
    assert not result.passed and findings
    assert "prescriber" in findings[0].message
    assert findings[0].span


def test_handing_the_question_to_the_prescriber_is_not_advice():
    draft = "Please talk to your prescriber before you stop taking any medication."
    assert "medication_advice" not in rules(run(draft))


# --- clinical_judgement -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "draft",
    [
        "It sounds like you are experiencing symptoms of depression.",
        "You may have an anxiety disorder, which is very treatable.",
        "You should try some breathing exercises before bed.",
        "These could be signs of PTSD.",
        "You're catastrophizing a bit about the bill.",
    ],
)
def test_clinical_judgement_in_a_non_clinical_reply_is_blocked(draft):
    result = run(draft, intents=["billing"])
    findings = [f for f in result.findings if f.rule == "clinical_judgement"]
    assert findings and "clinician" in findings[0].message


def test_clinical_language_is_allowed_when_the_intent_is_clinical():
    draft = "It sounds like you are experiencing symptoms of depression."
    assert "clinical_judgement" not in rules(run(draft, intents=["clinical"]))


# --- foreign_identifier -----------------------------------------------------------------------
def test_another_clients_identifiers_are_blocked_without_echoing_them():
    foreign = ["Jordan Blake", "(617) 555-0199", "jblake@mail.test"]
    draft = "Jordan Blake called from 617.555.0199, or JBLAKE@mail.test"
    result = run(draft, foreign_identifiers=foreign)
    findings = [f for f in result.findings if f.rule == "foreign_identifier"]
    assert len(findings) == 3
    assert all(f.span is None for f in findings)  # never show one client's PHI in another's review
    assert run("Jordan called about the form.", foreign_identifiers=foreign).passed


def test_foreign_phone_matches_its_formats_not_unrelated_numbers():
    foreign = ["+1-555-0303"]
    assert "foreign_identifier" in rules(run("Call 555.0303 today.", foreign_identifiers=foreign))
    assert "foreign_identifier" in rules(run("Call (1) 555 0303.", foreign_identifiers=foreign))
    unrelated = "On 11/15 at 5:50 in room 303, see you then."
    assert run(unrelated, foreign_identifiers=foreign).passed


# --- link_not_allowed -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Pay here: http://bit.ly/abc", "http://bit.ly/abc"),
        ("Log in at northside-counseling.com.evil.io/x", "northside-counseling.com.evil.io/x"),
        ("See evil-northside-counseling.com for forms", "evil-northside-counseling.com"),
        ("Click javascript:alert(1) now", "javascript:alert(1)"),
    ],
)
def test_links_outside_the_allowlist_are_blocked(draft, span):
    result = run(draft)
    assert [f.span for f in result.findings if f.rule == "link_not_allowed"] == [span]


def test_allowlisted_domains_and_their_subdomains_pass():
    draft = ("Forms: https://portal.northside-counseling.com/forms and "
             "https://www.psychologytoday.com/us/therapists.")
    assert run(draft).passed


def test_no_allowlist_blocks_every_link():
    result = run("See https://northside-counseling.com", allowed_domains=[])
    assert "link_not_allowed" in rules(result)


# --- unfilled_placeholder ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "draft",
    [
        "Hi <CLIENT_NAME>, see you soon.",
        "Your visit is on {{ appointment.date }}.",
        "Hi {first_name}, your forms are ready.",
        "See you at [Time] on [Day].",
        "Dear [Client Name], thanks for writing.",
        "We will call you at [insert phone].",
        "Your balance is ${balance}.",
        "TODO: add the address here.",
    ],
)
def test_template_syntax_and_placeholders_are_blocked(draft):
    findings = [f for f in run(draft).findings if f.rule == "unfilled_placeholder"]
    assert findings and findings[0].span


# --- prompt_leak ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "draft",
    [
        "As an AI language model, I can't see your chart.",
        "I was instructed to keep replies short.",
        "Internal note: client is often late.",
        "According to the session notes, you said work is stressful.",
        "According to the context provided, the office opens at 9.",
        "<|im_start|>assistant Hi there",
    ],
)
def test_model_talk_and_internal_notes_are_blocked(draft):
    assert "prompt_leak" in rules(run(draft))


def test_verbatim_system_prompt_is_blocked():
    system = ("You draft portal replies for a behavioral health practice. Never give medical "
              "advice and always keep the reply under one hundred and fifty words.")
    draft = ("Thanks for writing! Never give medical advice and always keep the reply under one "
             "hundred and fifty words.")
    assert "prompt_leak" in rules(run(draft, protected_texts=[system]))
    assert run("Thanks for writing! We will call you Monday.", protected_texts=[system]).passed


# --- too_long, empty, reading_grade -----------------------------------------------------------
def test_too_long_draft_is_blocked_and_says_the_limit():
    result = run("We got your message. " * 20, max_chars=200)
    finding = next(f for f in result.findings if f.rule == "too_long")
    assert "200" in finding.message


def test_empty_draft_is_blocked():
    assert rules(run("   ")) == {"empty_draft"}


COMPLEX = (
    "The comprehensive reimbursement documentation necessitates substantive verification of "
    "eligibility determinations, notwithstanding preliminary authorization communications "
    "previously distributed. Additionally, supplementary administrative considerations regarding "
    "coordination of benefits potentially necessitate clarification from your insurance "
    "organization representative."
)
SIMPLE = (
    "Thanks for your note. We got your form. Your next visit is on Monday at ten. If you need "
    "to change it, just reply here or call us. We are glad to help. See you soon, and have a "
    "good week."
)


def test_hard_to_read_draft_is_blocked_and_plain_one_passes():
    result = run(COMPLEX)
    assert "reading_grade" in rules(result)
    assert "grade" in next(f for f in result.findings if f.rule == "reading_grade").message
    assert run(SIMPLE).passed
    assert reading_grade(SIMPLE) <= 8 < reading_grade(COMPLEX)


def test_very_short_drafts_are_not_graded():
    assert reading_grade("Confirmed: Tuesday, 3 pm, telehealth.") is None
    assert run("Confirmed: Tuesday, 3 pm, telehealth.").passed


def test_reading_grade_range_comes_from_the_caller():
    assert "reading_grade" in rules(run(SIMPLE, grade_range=(6.0, 8.0)))  # below a floor of 6
    assert "reading_grade" not in rules(run(COMPLEX, grade_range=(0.0, 40.0)))


# --- fail closed ------------------------------------------------------------------------------
def test_a_rule_that_crashes_blocks_the_draft_as_guard_error(monkeypatch):
    def explode(draft):
        raise RuntimeError("boom")

    monkeypatch.setattr(guard_module, "check_placeholders", explode)
    result = run("Your appointment is confirmed for Tuesday.")
    assert not result.passed
    assert [f.rule for f in result.findings] == ["guard_error"]
    assert "unfilled_placeholder" in result.findings[0].message


def test_non_text_draft_is_a_guard_error():
    result = check_draft(None, intents=[], allowed_domains=[])  # type: ignore[arg-type]
    assert not result.passed and result.findings[0].rule == "guard_error"
