"""Exact scoring of PHQ-9, GAD-7 and DASS-21 at every band edge, incomplete forms, and the flags a
clinician must see (item 9 whatever the total, severe band, a rise of 5+)."""

from __future__ import annotations

import pytest

from agent.outreach.instruments import (
    DASS21,
    GAD7,
    PHQ9,
    InvalidAnswers,
    flags,
    score,
)


def answers_totalling(total: int, items: int, *, item9: int | None = 0) -> dict[int, int]:
    """Answers 0-3 summing to `total` over `items` items (PHQ-9's item 9 fixed to `item9`)."""
    result = {i: 0 for i in range(1, items + 1)}
    remaining = total
    if items == 9 and item9 is not None:
        result[9] = item9
        remaining -= item9
    for i in range(1, items + 1):
        if items == 9 and i == 9:
            continue
        take = min(3, remaining)
        result[i] = take
        remaining -= take
    assert remaining == 0, "total not reachable"
    return result


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_phq9_band_edges(total, band):
    result = score("phq9", answers_totalling(total, 9))
    assert result.total == total
    assert result.scales["total"].band == band


def test_phq9_maximum_is_27_and_severe():
    result = score("phq9", {i: 3 for i in range(1, 10)})
    assert result.total == 27 and result.scales["total"].band == "severe"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_edges(total, band):
    result = score("gad7", answers_totalling(total, 7))
    assert result.total == total
    assert result.scales["total"].band == band


def dass_with(depression: int, anxiety: int, stress: int) -> dict[int, int]:
    """DASS-21 answers whose RAW subscale sums are the given values."""
    answers: dict[int, int] = {}
    for scale, raw in zip(DASS21.scales, (depression, anxiety, stress), strict=True):
        remaining = raw
        for item in scale.items:
            answers[item] = min(3, remaining)
            remaining -= answers[item]
        assert remaining == 0
    return answers


@pytest.mark.parametrize(
    ("scale", "raw", "band"),
    [
        # Depression x2: normal 0-9, mild 10-13, moderate 14-20, severe 21-27, extreme 28+
        ("depression", 4, "normal"),
        ("depression", 5, "mild"),
        ("depression", 6, "mild"),
        ("depression", 7, "moderate"),
        ("depression", 10, "moderate"),
        ("depression", 11, "severe"),
        ("depression", 13, "severe"),
        ("depression", 14, "extremely severe"),
        # Anxiety x2: normal 0-7, mild 8-9, moderate 10-14, severe 15-19, extreme 20+
        ("anxiety", 3, "normal"),
        ("anxiety", 4, "mild"),
        ("anxiety", 5, "moderate"),
        ("anxiety", 7, "moderate"),
        ("anxiety", 8, "severe"),
        ("anxiety", 9, "severe"),
        ("anxiety", 10, "extremely severe"),
        # Stress x2: normal 0-14, mild 15-18, moderate 19-25, severe 26-33, extreme 34+
        ("stress", 7, "normal"),
        ("stress", 8, "mild"),
        ("stress", 9, "mild"),
        ("stress", 10, "moderate"),
        ("stress", 12, "moderate"),
        ("stress", 13, "severe"),
        ("stress", 16, "severe"),
        ("stress", 17, "extremely severe"),
    ],
)
def test_dass21_subscale_band_edges(scale, raw, band):
    raws = {"depression": 0, "anxiety": 0, "stress": 0, scale: raw}
    result = score("dass21", dass_with(raws["depression"], raws["anxiety"], raws["stress"]))
    assert result.scales[scale].score == raw * 2
    assert result.scales[scale].band == band


def test_dass21_items_map_to_the_published_subscales():
    # item 3 ("couldn't experience any positive feeling") is depression; 2 (dry mouth) anxiety;
    # 1 ("hard to wind down") stress.
    result = score("dass21", {**{i: 0 for i in range(1, 22)}, 3: 3, 2: 2, 1: 1})
    assert result.scales["depression"].score == 6
    assert result.scales["anxiety"].score == 4
    assert result.scales["stress"].score == 2
    assert sorted(i for s in DASS21.scales for i in s.items) == list(range(1, 22))


def test_phq9_item9_positive_is_crisis_whatever_the_total():
    result = score("phq9", answers_totalling(3, 9, item9=1))
    assert result.total == 3 and result.scales["total"].band == "minimal"
    found = flags(result)
    assert [f.kind for f in found if f.crisis] == ["item9_positive"]


def test_phq9_item9_zero_raises_no_crisis():
    found = flags(score("phq9", answers_totalling(12, 9, item9=0)))
    assert not any(f.crisis for f in found)


def test_phq9_prorates_with_two_missing_and_not_three():
    answers = {i: 2 for i in range(1, 10)}
    answers[9] = 0
    del answers[1], answers[2]  # 7 answered, sum 12 -> 12 * 9/7 = 15.43 -> 15
    result = score("phq9", answers)
    assert result.total == 15 and result.scales["total"].prorated
    assert result.scales["total"].band == "moderately severe"
    del answers[3]
    result = score("phq9", answers)
    assert result.total is None and not result.scorable
    assert [f.kind for f in flags(result)] == ["unscorable"]


def test_phq9_missing_item9_is_flagged_not_silently_prorated():
    answers = {i: 1 for i in range(1, 9)}  # item 9 skipped
    result = score("phq9", answers)
    assert result.total == 9  # 8 * 9/8
    kinds = [f.kind for f in flags(result)]
    assert "item9_unanswered" in kinds
    assert not any(f.crisis for f in flags(result))


def test_gad7_allows_one_missing_item_only():
    result = score("gad7", {1: 3, 2: 3, 3: 3, 4: 0, 5: 0, 6: 0})  # 9 * 7/6 = 10.5 -> 11
    assert result.total == 11 and result.scales["total"].band == "moderate"
    result = score("gad7", {1: 3, 2: 3, 3: 3, 4: 0, 5: 0})
    assert result.total is None


def test_dass21_one_missing_per_subscale_prorates_two_do_not():
    answers = dass_with(6, 0, 0)
    del answers[3]  # a depression item answered 3: remaining 3 over 6 items -> 3.5 -> 4 -> x2 = 8
    result = score("dass21", answers)
    assert result.scales["depression"].score == 8 and result.scales["depression"].prorated
    del answers[5]
    result = score("dass21", answers)
    assert result.scales["depression"].score is None
    assert result.scales["anxiety"].score == 0


@pytest.mark.parametrize(
    ("previous", "current", "rise"),
    [(6, 10, False), (6, 11, True), (2, 7, True)],
)
def test_rise_of_five_points_is_flagged(previous, current, rise):
    before = score("phq9", answers_totalling(previous, 9))
    after = score("phq9", answers_totalling(current, 9))
    assert ("rise" in [f.kind for f in flags(after, before)]) is rise


@pytest.mark.parametrize(
    ("instrument", "total", "severe"),
    [
        ("phq9", 19, False),
        ("phq9", 20, True),
        ("gad7", 14, False),
        ("gad7", 15, True),
    ],
)
def test_severe_band_is_flagged_for_review(instrument, total, severe):
    items = 9 if instrument == "phq9" else 7
    found = flags(score(instrument, answers_totalling(total, items)))
    assert ("severe_band" in [f.kind for f in found]) is severe


def test_dass21_severe_subscale_flagged():
    found = flags(score("dass21", dass_with(11, 0, 0)))
    assert [(f.kind, f.scale) for f in found] == [("severe_band", "depression")]


@pytest.mark.parametrize(
    ("instrument", "answers", "field"),
    [
        ("phq9", {1: 4}, "item 1"),
        ("phq9", {10: 1}, "item 10"),
        ("gad7", {1: -1}, "item 1"),
        ("gad7", {"x": 1}, "item 'x'"),
        ("bdi", {1: 1}, "instrument"),
        ("phq9", {2: True}, "item 2"),
    ],
)
def test_bad_answers_name_the_field(instrument, answers, field):
    with pytest.raises(InvalidAnswers, match=field):
        score(instrument, answers)


def test_loinc_codes_are_on_the_right_instrument():
    assert PHQ9.panel_loinc == "44249-1" and PHQ9.scales[0].loinc == "44261-6"
    assert GAD7.panel_loinc == "69737-5" and GAD7.scales[0].loinc == "70274-6"
    assert PHQ9.items[8].loinc == "44260-8"


# --- the chart write of a prorated form (collector -> EHR, both adapters share the mapping) ---
def test_prorated_form_is_written_to_the_chart_with_the_prorated_total(tmp_path):
    """One skipped PHQ-9 item (not item 9) is within the manual's rule: the chart gets the
    result, the skipped item left out and the prorated total marked, and the FHIR resources
    that carry it validate against R4B."""
    import os
    from datetime import UTC, date, datetime, timedelta

    from agent.outreach.assessments import AssessmentCollector, Submission
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database
    from agent.store.outreach import OutreachStore
    from tools.ehr import fhir_mapping as fm
    from tools.ehr.models import AssessmentSubmission
    from tools.ehr.sandbox import SandboxEHR

    now = datetime(2026, 3, 2, 15, tzinfo=UTC)
    ehr = SandboxEHR(tmp_path / "ehr.db", anchor=date(2026, 3, 2), clock=lambda: now)
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", cipher=FieldCipher([os.urandom(32)]))
    db.create_all()
    client = ehr.list_clients()[3]
    token = OutreachStore(db).issue_form(
        send_key="assessments:x:phq9-initial:request", client_id=client.id,
        instrument="phq9", now=now, valid=timedelta(days=7),
    )  # fmt: skip
    collector = AssessmentCollector(ehr=ehr, db=db, crisis=None)
    answers = {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 9: 0}  # item 8 skipped: 7 x 9/8 = 7.9

    outcome = collector.submit(token, Submission(answers=answers), now=now)

    assert outcome.written_to_chart and outcome.scores["total"] == 8
    charted = ehr.assessment_history(client.id, "PHQ-9")[-1]
    assert charted.id == outcome.result_id and charted.prorated and charted.total_score == 8
    assert charted.answers[7] is None and charted.answers[8] == 0
    qr, obs = fm.assessment_resources(
        AssessmentSubmission(
            client_id=client.id, instrument="PHQ-9", answers=list(charted.answers),
            total_score=8, severity="mild", completed_at=now, prorated=True,
        ),
        qr_reference="QuestionnaireResponse/qr-1", qr_id="qr-1", obs_id="obs-1",
    )  # fmt: skip
    fm.validated(qr), fm.validated(obs)
    assert [i["linkId"] for i in qr["item"]] == ["1", "2", "3", "4", "5", "6", "7", "9"]
    assert obs["valueInteger"] == 8 and "Prorated" in obs["note"][0]["text"]
    assert fm.assessment_of(qr, obs).answers == charted.answers


def test_form_too_incomplete_to_prorate_is_not_charted(tmp_path):
    import os
    from datetime import UTC, date, datetime, timedelta

    from agent.outreach.assessments import AssessmentCollector, Submission
    from agent.store.crypto import FieldCipher
    from agent.store.db import Database
    from agent.store.outreach import OutreachStore
    from tools.ehr.sandbox import SandboxEHR

    now = datetime(2026, 3, 2, 15, tzinfo=UTC)
    ehr = SandboxEHR(tmp_path / "ehr.db", anchor=date(2026, 3, 2), clock=lambda: now)
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", cipher=FieldCipher([os.urandom(32)]))
    db.create_all()
    client = ehr.list_clients()[3]
    before = len(ehr.assessment_history(client.id, "PHQ-9"))
    token = OutreachStore(db).issue_form(
        send_key="assessments:x:phq9-initial:request", client_id=client.id,
        instrument="phq9", now=now, valid=timedelta(days=7),
    )  # fmt: skip
    outcome = AssessmentCollector(ehr=ehr, db=db, crisis=None).submit(
        token, Submission(answers={1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 9: 0}), now=now
    )
    assert not outcome.written_to_chart and outcome.review_id is not None
    assert len(ehr.assessment_history(client.id, "PHQ-9")) == before
