"""Medication reactions told as a side-effect question are medical emergencies: the word layer
names them (messages of our own; the look-alikes are the ordinary questions beside them)."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "restarted my lamotrigine at the full dose last week and now there's a rash on my chest "
        "with blisters, is that normal? also can I move Friday",
        "new rash all over since the tegretol went up, and sores inside my mouth, my eyes sting",
        "the skin on my arms is peeling and there's a rash spreading, started carbamazepine monday",
        "had soy sauce and old cheddar with my nardil and now the worst headache of my life, "
        "my neck is stiff",
        "my heart is pounding and it's the worst headache in my whole life, just took my emsam",
        "my brother's muscles are rigid and he has a fever of 104 since the haldol shot",
        "burning up and my legs keep jerking since they added the tramadol to my zoloft",
        "been on trazodone, had an erection for over 4 hours now",
    ],
)
def test_a_medication_reaction_is_a_medical_emergency(lexicon_only, text):
    result = lexicon_only.screen(text)
    assert result.crisis and "overdose_or_medical_emergency" in result.categories, text


@pytest.mark.parametrize(
    "text",
    [
        "my daughter has a poison ivy rash with blisters, can she still come to group tomorrow",
        "the prior auth call gave me the worst headache of my life lol, is it approved yet",
        "had the flu last week with a fever, muscles still a bit sore. can we do telehealth",
        "is it normal to get a mild rash on lamictal? it's a small spot, no other symptoms",
        "blister pack for my lithium came damaged, can the pharmacy resend it",
    ],
)
def test_the_ordinary_questions_beside_them_stay_quiet(quiet, text):
    quiet(text)
