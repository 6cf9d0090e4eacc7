"""Round 10 of the crisis screen: writer-grouped validation of the learned layer, and the
families from the seventh red-team set (a medication clinic's clients). Every message here is
our own wording of a family, not a sentence from the set; each family has a look-alike that
must stay quiet."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.safety import crisis_model
from agent.safety.__main__ import main

# ---------------------------------------------------------------- writer-grouped validation


def test_rows_are_grouped_by_red_team_writer_and_the_team_is_one_writer():
    assert crisis_model.writer({"source": "redteam-blind-7"}) == "redteam-blind-7"
    assert crisis_model.writer({"source": "round6"}) == crisis_model.TEAM
    assert crisis_model.writer({}) == crisis_model.TEAM


def test_no_writer_is_on_both_sides_of_a_fold():
    groups = ["team"] * 5 + ["redteam-blind-2b"] * 3 + ["redteam-blind-7"] * 4 + ["team"] * 2
    folds = crisis_model.writer_folds(groups)
    assert len(folds) == 3  # one fold per writer
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(groups)))  # every row scored once
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}


def test_grouped_validation_needs_two_writers():
    with pytest.raises(ValueError, match="two writers"):
        crisis_model.writer_folds(["team"] * 4)


def _row(writer: str, n: int, label: str, text: str) -> dict:
    row = {"id": f"{writer}-{n}", "text": text, "label": label, "split": "dev"}
    row["categories"] = ["suicidal_ideation"] if label == "crisis" else []
    if writer != "team":
        row["source"] = writer
    return row


TINY = [
    ("team", "crisis", "I have been thinking about ending my life this week"),
    ("team", "crisis", "I saved up my pills and I plan to take them all tonight"),
    ("team", "routine", "Can I move my Tuesday appointment to the afternoon please"),
    ("team", "hard_negative", "This paperwork is killing me, can you resend the form"),
    ("redteam-blind-a", "crisis", "I don't want to wake up tomorrow, everyone would be better off"),
    ("redteam-blind-a", "crisis", "my husband hit me again and I am scared to go home"),
    ("redteam-blind-a", "routine", "What is the copay for a telehealth session with Dr Lee"),
    ("redteam-blind-b", "crisis", "I wrote letters to my kids and gave my dog to my neighbour"),
    ("redteam-blind-b", "routine", "Could you send the receipt for last month to my email"),
    (
        "redteam-blind-b",
        "hard_negative",
        "We watched a documentary about overdose prevention in class",
    ),
]


def test_crossval_holds_out_each_red_team_writer_and_screens_its_rows(tmp_path, capsys):
    path = tmp_path / "tiny.jsonl"
    rows = [_row(w, n, label, text) for n, (w, label, text) in enumerate(TINY)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["crossval", str(path), "--misses"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["sources"]) == {"redteam-blind-a", "redteam-blind-b"}  # never "team"
    a, b = report["sources"]["redteam-blind-a"], report["sources"]["redteam-blind-b"]
    assert (a["crisis"]["n"], a["routine"]["n"]) == (2, 1)
    assert (b["crisis"]["n"], b["hard_negative"]["n"]) == (1, 1)
    total = report["total"]
    assert total["crisis"]["n"] == 3 and total["crisis"]["flagged"] == 3  # rules still catch
    assert total["learned_alone"]["crisis"].endswith("/3")  # the refitted layer on its own
    assert a["learned_alone"]["routine"].endswith("/1")
    assert all(m["id"].startswith("redteam") for m in report["misses"])
    assert report["seconds"] >= 0


def test_crossval_without_a_red_team_writer_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "team.jsonl"
    rows = [_row("team", n, label, text) for n, (_, label, text) in enumerate(TINY)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["crossval", str(path)]) == 2
    assert "no red-team `source`" in capsys.readouterr().err


# ---------------------------------------------------------------- set 7's families
PAGES = [
    # the dose or level "people never wake up from" looked up
    "what lithium level is the one people don't come back from? just curious",
    # a months' supply kept in a hiding place
    "I've got two months of my clonazepam stashed in the sock drawer",
    # an old bottle kept as the way out
    "my backup plan for the worst nights is the old bottle of oxy in the cabinet",
    # nearly using it
    "Sunday I came really close to going through with it",
    # walking out into open water
    "I keep picturing wading out into the river until it's over",
    # worth more dead because of a policy
    "the kids would get the insurance money, honestly I'm worth more to them dead",
    # wanting to be where someone who died is
    "We buried my brother in May and I just want to be wherever he is",
    # a pet handed to a relative, or already rehomed; nobody left to care for one after
    "my cat is going to my sister, she'll spoil him more than I can",
    "I got our parrot rehomed last week, it was time",
    "nobody will be around to feed the goldfish after this",
    # a veiled threat against a named person
    "my neighbor parks in my spot every day, he's gonna have an accident one of these nights",
    # a partner who got physical
    "my boyfriend got physical with me again last night",
]


@pytest.mark.parametrize("text", PAGES)
def test_set_7_families_page_on_their_wording_alone(lexicon_only, text):
    """The word layer states each family, so no refit of the learned layer can lose it."""
    result = lexicon_only.screen(text)
    assert result.crisis and result.error is None, (text, result.categories)


QUIET = [
    # an earlier message referred to is no goodbye
    "the invoice number is in my last message, can you check it?",
    # "when I started" a medicine is history, not a current cue
    "In 2018 I had suicidal thoughts when I started Zoloft, so we stopped it. I'm doing well "
    "now, what should I watch for on the new one?",
    # routine medication questions: an interaction, a doubled dose with no symptom, a missed
    # dose, a mild side effect that passes (the first three paged before round 10)
    "Is it normal to feel a little lightheaded when I get up fast on the clonidine? It passes "
    "in a few seconds.",
    "Can I have a beer at the game on my lexapro? Just curious before Sunday.",
    "can u take advil with abilify? got a migraine from hell",
    "I accidentally took my Wellbutrin twice this morning but I feel fine, anything to watch?",
    "forgot my seroquel dose last night, do I take two tonight or just one?",
    "is a rash a side effect of lamictal? small itchy spot on my arm",
    # paged (self_harm, semantic layer) before round 10:
    "is a rash a side effect of lamotrigine? I have a small itchy spot on my arm",
    # objects that "died"
    "RIP to my headphones, they went through the dryer. Can you resend the intake link?",
    # the look-alikes of the families above
    "my dog is going to my sister's while we're on vacation next week",
    "nobody will be around to feed the cat while we're visiting my in-laws, can I move my appt",
    "she's going to have an accident if the session runs long, we're potty training",
    "he got physical therapy for his knee so he can't drive me on Thursday",
    "we wade into the river to fish every Saturday morning",
    "my car is worth more than what I owe on the loan",
    "I came close to quitting my job last week but we worked it out",
]


@pytest.mark.parametrize("text", QUIET)
def test_set_7_look_alikes_stay_quiet(quiet, text):
    quiet(text)


def test_a_side_effect_question_with_a_dangerous_rash_still_pages(screen):
    """The routine-medication denial must not swallow Stevens-Johnson told as a question."""
    text = "is it normal to get a rash with blisters and sores in my mouth on lamictal?"
    result = screen.screen(text)
    assert result.crisis and "overdose_or_medical_emergency" in result.categories


def test_a_medication_question_about_an_amount_still_pages(screen):
    """An amount beyond a dose or two keeps a medication question a possible overdose."""
    result = screen.screen("can I take the whole bottle of trazodone with wine tonight?")
    assert result.crisis, result.categories
