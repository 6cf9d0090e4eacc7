"""Round 11 of the crisis screen: the families from the eighth red-team set (an employee-
assistance practice: drivers, seafarers, warehouse and gig workers, owners gone bankrupt,
gamblers, people facing court; much of it voice-to-text). Every message here is our own
wording of a family, not a sentence from the set; each family has look-alikes that must stay
quiet."""

from __future__ import annotations

import pytest

# (message, a category the page must carry)
PAGES = [
    # stepping in front of a train or a lorry, with words between "the" and the vehicle
    (
        "I keep thinking about stepping in front of the early coal train by the crossing",
        "suicidal_ideation",
    ),
    ("some nights I want to walk out in front of a big rig on the interstate", "suicidal_ideation"),
    # turning the wheel into oncoming traffic or off a bridge
    (
        "on the night run I was thinking about jerking the wheel into the oncoming lane",
        "suicidal_ideation",
    ),
    ("almost steered the truck off the bridge on the way home", "suicidal_ideation"),
    # bad weather is no reason: only avoiding something cancels it
    ("roads were icy and I kept thinking about yanking the wheel into a semi", "suicidal_ideation"),
    # "cease to exist" as dictation spells it
    ("i'd rather sease to exist than go back to that courtroom", "suicidal_ideation"),
    # a gun in the lap, a boat with fuel for one way, a motel alone paid in cash
    (
        "parked at the rest stop with my pistol in my lap, been here since dark",
        "suicide_plan_or_intent",
    ),
    (
        "taking the skiff out at dawn with just enough gas to get out past the reef",
        "suicide_plan_or_intent",
    ),
    ("got a hotel room saturday, alone, paid cash so nobody traces it", "suicide_plan_or_intent"),
    # suicide told as money
    (
        "my wife and kids would be better off with the life insurance than with me",
        "suicide_plan_or_intent",
    ),
    ("the suicide clause on my policy runs out in june and then it pays", "suicide_plan_or_intent"),
    ("the debts get cleared either way, my life insurance pays", "suicide_plan_or_intent"),
    ("going to settle all my debts once and for all this weekend", "suicide_plan_or_intent"),
    ("they'd do better collecting on my policy than feeding me", "suicide_plan_or_intent"),
    ("honestly I'm tired of being everyone's burden", "suicidal_ideation"),
    # letters for the family beside the insurance papers or passwords
    (
        "left a note for each of my girls in the drawer with the insurance policy and the deed",
        "goodbye_or_giving_away",
    ),
    (
        "he posted 'see ya on the other side, love you all' and now his phone is off",
        "goodbye_or_giving_away",
    ),
    # threats of violence: running someone over, settling up with a whole shift, a gun shown
    (
        "if my ex's new boyfriend comes by again I'm running him over with the truck",
        "harm_to_others",
    ),
    (
        "a driver on our crew said he'd settle the score with the whole night shift",
        "harm_to_others",
    ),
    (
        "a coworker flashed another driver a handgun from his jacket in the break room",
        "harm_to_others",
    ),
    # a lender's men who broke bones and named the client's child next
    ("the loan shark's men smashed my hand last week and said my son is next", "abuse_or_violence"),
    # the voice of a dead relative telling the client to turn the wheel or step off
    (
        "my grandma who passed keeps telling me to swerve into the oncoming traffic",
        "command_hallucinations",
    ),
    # lithium toxicity told as a question (a set-7 message the round-11 refit left to the
    # learned layer's threshold; the word layer now states it)
    (
        "Dad takes lithium and since they added a water pill he's slurring and stumbling to "
        "the bathroom, should we wait for Monday?",
        "overdose_or_medical_emergency",
    ),
]


LITHIUM_QUIET = [
    "my lithium level came back normal, I'm a little shaky in the mornings, is that expected?",
    "I've been on lithium for years, can the refill go to the pharmacy on Elm?",
]


@pytest.mark.parametrize("text", LITHIUM_QUIET)
def test_routine_lithium_questions_stay_quiet(quiet, text):
    quiet(text)


@pytest.mark.parametrize(("text", "category"), PAGES)
def test_set_8_families_page_on_their_wording_alone(lexicon_only, text, category):
    """The word layer states each family, so no refit of the learned layer can lose it."""
    result = lexicon_only.screen(text)
    assert result.crisis and result.error is None, (text, result.categories)
    assert category in result.categories, (text, result.categories)


# Each of the first nine paged before round 11 (full screen, the round-10 code and model).
QUIET = [
    # estate planning and beneficiaries with no own death in view (semantic: plan)
    "We're expecting twins. Can the legal benefit help us draft wills and pick beneficiaries for "
    "my life insurance policy?",
    # the executor of someone else's estate (semantic: plan)
    "Since mom passed I've been the executor, paying off her debts and closing her accounts. Is "
    "probate covered by the legal benefit?",
    # a child's game threat at a sibling, no weapon, no injury (semantic: dependent at risk)
    "my 8 year old screamed 'I will kill you' at her little brother after losing at minecraft, "
    "grandma thinks it's a warning sign",
    # a joke someone laughed at (lexicon: rather die)
    "I told my husband I'd rather die than go to another work happy hour and he laughed. Can "
    "he come to a session?",
    # a typo reported (semantic: goodbye)
    "voice to text keeps changing counselor to cancel her, I don't want to cancel her I love her",
    # past, resolved history (semantic: attempt; lexicon: self-harm; lexicon: goodbye)
    "A decade ago I got arrested for drunk driving and finished treatment, been sober 10 years. "
    "The DOT physical wants a letter from you.",
    "In my 20s I used to cut my arms, that was 15 years ago and I haven't since. My daughter is "
    "12, how do I talk to her about it if she asks?",
    "Finally got my affairs in order: rolled over the old 401k and changed the beneficiary. "
    "Can we work on a budget next time?",
    # planning ahead in long recovery (semantic: overdose, plan)
    "Wisdom teeth come out Friday. Four years clean off heroin and I'm nervous about the "
    "painkillers, can we make a plan so I don't relapse?",
    # a medication interaction question with a paperwork request
    "my prescriber raised the zoloft, is it ok with my birth control? and will she have to send "
    "the pharmacy a new prior auth",
    # a referral for a relative
    "do you have someone for gambling problems? it's for my uncle, he finally agreed to go",
    # the look-alikes of the page families above
    "I swerved into the oncoming lane to avoid a deer last night and I'm still shaky",
    "the old program will cease to exist next year, will my benefits change?",
    "I got a letter from my life insurance company about the premium going up",
    "My overdose was years ago; the life insurance application wants a letter saying I'm stable",
    "see you all on the other side of the holidays!",
    "I ran my resume over to the warehouse office this morning",
    "I almost ran him over in the parking lot, he walked right behind my truck",
    "I booked a hotel for the conference, just me this time, paid cash at the desk",
    "we took the boat out with just enough gas to get out to the sandbar and back",
    "my boss said my promotion is next after the audit",
]


@pytest.mark.parametrize("text", QUIET)
def test_set_8_look_alikes_stay_quiet(quiet, text):
    quiet(text)


def test_estate_words_with_the_clients_own_death_in_view_still_page(screen):
    """The estate denial must not swallow a will written beside a payout told as a plan."""
    text = "updated my beneficiaries so the kids would be better off with the payout once I'm gone"
    result = screen.screen(text)
    assert result.crisis, result.categories


def test_a_game_threat_with_an_injury_still_pages(screen):
    """A child's threat over a game with a weapon named is not sibling play."""
    text = (
        "my 12 year old said 'I'm gonna kill you' over the xbox and went at his brother "
        "with a knife"
    )
    result = screen.screen(text)
    assert result.crisis, result.categories


def test_a_will_updated_beside_a_gun_and_things_given_away_still_pages(screen):
    """A will is paperwork only when nothing else puts a death in view."""
    text = (
        "my brother gave his tools away, kept one rifle and updated his will, says it's all handled"
    )
    result = screen.screen(text)
    assert result.crisis, result.categories


def test_a_typo_report_does_not_hide_a_risk_sentence_after_it(screen):
    """The typo denial covers the sentence that reports the typo, not the rest of the message."""
    text = "my phone changed counseling to canceling lol. honestly I don't want to be here anymore"
    result = screen.screen(text)
    assert result.crisis, result.categories


def test_long_recovery_with_use_now_still_pages(screen):
    """Planning ahead in recovery is quiet only while nothing says the client is using now."""
    text = "I was 4 years in recovery but I relapsed and took a handful of oxy tonight"
    result = screen.screen(text)
    assert result.crisis, result.categories
