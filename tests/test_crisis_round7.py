"""Crisis screen, round 7: Spanish read through a word-level gloss, and the false-alarm families
of the fourth red-team set (OCD intrusive thoughts disowned, a firearm already removed, a
check-in that denies). No phrasing here is a dataset message. Each quiet family is paired with
the wording that must still page, so a fix cannot pass by going quiet."""

from __future__ import annotations

import pytest

from agent.safety import crisis as crisis_module
from agent.safety.crisis import CrisisScreen
from agent.safety.crisis_gloss import gloss


# ---------------------------------------------------------------- the gloss itself
def test_gloss_turns_spanish_risk_words_into_english() -> None:
    english = gloss("Hoy me paré en el puente y pensé en tirarme")
    assert english is not None
    assert "bridge" in english and "throw myself off" in english and "today" in english


def test_gloss_reads_spanish_idioms_as_idioms() -> None:
    english = gloss("Este tráfico me está matando")
    assert english is not None and "kill" not in english and "annoying" in english


def test_gloss_drops_unknown_words_and_declines_too_little() -> None:
    assert gloss("No lo encuentro.") is None
    assert "xqzt" not in (gloss("las pastillas xqzt de mi mamá") or "")


# ---------------------------------------------------------------- Spanish the gloss catches
# (Round 9 moved "cuántas pastillas ... serían peligrosas" into the lexicon: test_crisis_round9.)
GLOSS_CATCHES = [
    "Mañana voy a regresar al puente y esta vez no me voy a bajar.",
    "Compré las pastillas para irme con mi mamá, ella murió en marzo.",
    "Hoy me paré en la azotea del edificio una hora pensando en saltar.",
    "Mi hermano escucha una voz que le ordena castigar a su esposa, hoy afilaba un cuchillo.",
]


@pytest.mark.parametrize("text", GLOSS_CATCHES)
def test_spanish_veiled_risk_pages_through_the_gloss(
    screen: CrisisScreen, lexicon_only: CrisisScreen, text: str
) -> None:
    assert not lexicon_only.screen(text).crisis  # the Spanish lexicon alone misses these
    assert screen.screen(text).crisis


def test_without_the_gloss_these_are_missed(
    screen: CrisisScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catches above come from the glossed clause, not from MiniLM reading Spanish."""
    monkeypatch.setattr(crisis_module.crisis_gloss, "gloss", lambda *a, **k: None)
    assert sum(screen.screen(t).crisis for t in GLOSS_CATCHES) <= 1


@pytest.mark.parametrize(
    "text",
    [
        "Este tráfico me está matando, ¿podemos mover la cita al viernes?",
        "Mi jefe me mata con tanto trabajo jaja, nos vemos el martes.",
        "¿Me puede mandar la factura de marzo al correo? Gracias.",
        "Me corté el pelo y quiero cambiar la foto del portal.",
        "Vamos de viaje largo a Guatemala en enero, ¿podemos hacer sesiones por teléfono?",
    ],
)
def test_spanish_routine_and_idioms_stay_quiet(text: str, quiet) -> None:
    quiet(text)


def test_gloss_only_adds_a_spanish_lexicon_hit_stands(screen: CrisisScreen) -> None:
    result = screen.screen("Esta noche pienso tirarme del puente que está cerca de mi casa.")
    assert result.crisis and result.evidence


# ---------------------------------------------------------------- OCD intrusive thoughts
@pytest.mark.parametrize(
    "text",
    [
        "ERP log: the 'what if I stab my wife' thought came while cutting bread. I do not want "
        "to, I let the anxiety come down without checking.",
        "Intrusive thoughts this week: what if I shove someone onto the tracks (I don't want "
        "to). Anxiety 60 then 20.",
    ],
)
def test_disowned_intrusive_thoughts_do_not_page(text: str, quiet) -> None:
    quiet(text)


def test_intrusive_thought_with_intent_still_pages(screen: CrisisScreen) -> None:
    text = (
        "My OCD thoughts about stabbing my wife are getting louder and tonight I'm going to do it."
    )
    assert screen.screen(text).crisis


# ---------------------------------------------------------------- a firearm already removed
def test_firearm_already_sold_does_not_page(quiet) -> None:
    quiet(
        "My husband keeps asking for his rifle. We sold it to a dealer last summer and there "
        "are no guns in the house now. How do I answer him?"
    )


def test_firearm_still_at_home_pages(screen: CrisisScreen) -> None:
    text = (
        "My husband keeps asking for his rifle and it is in the closet, he says he knows what "
        "to do with it."
    )
    assert screen.screen(text).crisis


# ---------------------------------------------------------------- a check-in that denies
def test_denying_check_in_does_not_page(quiet) -> None:
    quiet("update: no self harm, no suicidal thoughts, meds going fine. see you next week")


def test_check_in_taken_back_pages(screen: CrisisScreen) -> None:
    text = (
        "update: no self harm, no suicidal thoughts, but I wrote a goodbye letter last night "
        "and I keep rereading it."
    )
    assert screen.screen(text).crisis
