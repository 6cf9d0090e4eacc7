"""The crisis screen's learned layer: what a clinician would notice (an understated crisis caught,
a past-resolved disclosure left alone, a broken weights file sending messages to a human) and
what the next engineer relies on (shipped weights fitted on the current data, a deterministic
refit)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.safety import crisis as crisis_module
from agent.safety import crisis_model
from agent.safety.__main__ import clause_vectors, main
from agent.safety.crisis import CrisisScreen


def test_shipped_weights_were_fitted_on_the_current_training_data():
    """Editing the dev split without `python -m agent.safety train` must fail here."""
    shipped = crisis_model.load()
    rows = crisis_model.training_rows()
    assert shipped.weights.data_sha256 == crisis_model.data_hash(rows), (
        "crisis_model.json is stale: run `python -m agent.safety train`"
    )
    assert all(r["split"] == "dev" for r in rows)  # never the held-out split
    assert main(["train", "--check"]) == 0


def test_refit_is_deterministic_and_reproduces_the_shipped_weights():
    rows = crisis_model.training_rows()
    first = crisis_model.fit(rows, clause_vectors)
    again = crisis_model.fit(rows, clause_vectors)
    assert first == again
    shipped = crisis_model.load().weights
    assert first.data_sha256 == shipped.data_sha256
    assert first.threshold == pytest.approx(shipped.threshold, abs=0.011)
    assert np.allclose(first.coef, shipped.coef, atol=1e-3)
    assert first.out_of_fold["crisis"]["flagged"] > 0


def test_threshold_favours_recall_within_the_false_alarm_budget():
    labels = np.array(["crisis"] * 4 + ["hard_negative"] * 100 + ["routine"] * 100)
    scores = np.concatenate([[0.95, 0.9, 0.6, 0.4], np.linspace(0.0, 0.7, 100), np.zeros(100)])
    threshold = crisis_model.choose_threshold(scores, labels)
    hard = scores[4:104]
    assert (hard >= threshold).sum() <= 3  # within the 3% budget...
    assert (hard >= round(threshold - 0.01, 2)).sum() > 3  # ...and the lowest threshold that is


def test_understated_crisis_is_caught_by_the_learned_layer_alone(screen):
    """No risk word, no exemplar close enough: only the learned layer pages, and the evidence is
    the clause that scored highest, with the category of its nearest curated exemplar."""
    text = "There's a man on TV who says I need to get rid of my neighbors and I think he's right."
    result = screen.screen(text)
    assert result.crisis and result.error is None
    assert {e.layer for e in result.evidence} == {"learned"}
    evidence = result.evidence[0]
    assert text[evidence.start : evidence.end] == evidence.text
    assert "get rid of my neighbors" in evidence.text or "man on TV" in evidence.text
    assert evidence.category in crisis_module.CATEGORIES
    without = CrisisScreen()
    without.learned = _Never()
    assert not without.screen(text).crisis


class _Never:
    """A learned model that never fires (the screen as it was before the layer)."""

    threshold = 2.0

    def message_score(self, vectors):
        return 0.0


@pytest.mark.parametrize(
    "text",
    [
        "Back in high school I went through a time of wanting to disappear. I've been in a good "
        "place for years now, I just need my records sent to my new doctor.",
        "When I was in college I self-harmed for a while. It's been 8 years and I'm stable. "
        "Does my new insurance need that history?",
        "Hola, me pueden mandar la factura de octubre? No la veo.",
    ],
)
def test_past_resolved_disclosures_and_spanish_routine_do_not_page(screen, text):
    assert not screen.screen(text).crisis


@pytest.mark.parametrize(
    "content",
    [
        None,  # missing file
        b"not json at all",
        b'{"coef": [0.1, 0.2], "intercept": 0, "threshold": 0.5, "C": 1, "rows": 1, '
        b'"data_sha256": "' + b"0" * 64 + b'"}',  # wrong shape
    ],
    ids=["missing", "garbage", "wrong-shape"],
)
def test_missing_or_corrupt_weights_send_messages_to_a_human(tmp_path, monkeypatch, content):
    path = tmp_path / "crisis_model.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(crisis_model.LearnedLayerError):
        crisis_model.load(path)
    monkeypatch.setattr(crisis_module, "_learned_model", lambda: crisis_model.load(path))
    broken = CrisisScreen()
    routine = broken.screen("Can I move my Thursday appointment to the afternoon?")
    assert routine.crisis and routine.categories[-1] == "screen_error"
    assert "learned layer" in routine.error
    caught = broken.screen("I want to kill myself tonight. Also can I move Thursday?")
    assert caught.crisis and caught.severity == "imminent"
    assert "suicidal_ideation" in caught.categories and "screen_error" in caught.categories


def test_non_finite_weights_are_refused(tmp_path):
    weights = json.loads(crisis_model.WEIGHTS_PATH.read_text(encoding="utf-8"))
    weights["coef"][0] = "NaN"
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(weights).replace('"NaN"', "NaN"), encoding="utf-8")
    with pytest.raises(crisis_model.LearnedLayerError):
        crisis_model.load(path)
