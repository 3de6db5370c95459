"""The conversation after a reply: which child, when to ask, reading the answer, acknowledging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.rules.conversation import (
    ACKS_PER_NUMBER_AND_DAY,
    Ask,
    Attach,
    Child,
    Keep,
    Question,
    decide,
    looks_automatic,
    may_acknowledge,
    read_choice,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEA = Child(1, "Léa", (11, 12))
HUGO = Child(2, "Hugo", (21,))
ZOE = Child(3, "Zoé", ())


def test_one_child_with_open_absences_needs_no_question() -> None:
    assert decide("il était malade", [LEA, ZOE], None, NOW) == Attach(1, (11, 12))


def test_the_child_named_is_the_one() -> None:
    assert decide("Hugo avait rdv chez le dentiste", [LEA, HUGO], None, NOW) == Attach(2, (21,))
    assert decide("hugoo malade", [LEA, HUGO], None, NOW) == Attach(2, (21,))


def test_several_children_none_named_the_family_is_asked() -> None:
    assert decide("malade", [LEA, HUGO, ZOE], None, NOW) == Ask((LEA, HUGO))
    assert decide("Léa et Hugo étaient malades", [LEA, HUGO], None, NOW) == Ask((LEA, HUGO))


def test_no_open_absence_the_reply_waits_for_the_cpe() -> None:
    assert decide("malade", [ZOE], None, NOW) == Keep()
    assert decide("malade", [], None, NOW) == Keep()


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("1", 1),
        ("2", 2),
        ("le 2", 2),
        ("2️⃣", 2),
        ("Hugo", 2),
        ("lea", 1),
        ("3", None),
        ("1 et 2", None),
        ("merci", None),
        ("0", None),
    ],
)
def test_the_answer_to_the_question(answer: str, chosen: int | None) -> None:
    question = Question((1, 2), NOW - timedelta(hours=2))
    child = read_choice(answer, question, [LEA, HUGO])
    assert (child.student_id if child else None) == chosen


def test_an_answer_attaches_while_the_question_is_open_only() -> None:
    asked = Question((1, 2), NOW - timedelta(hours=23))
    assert decide("2", [LEA, HUGO], asked, NOW) == Attach(2, (21,))
    stale = Question((1, 2), NOW - timedelta(days=1, seconds=1))
    assert decide("2", [LEA, HUGO], stale, NOW) == Ask((LEA, HUGO))


@pytest.mark.parametrize(
    "text",
    [
        "Réponse automatique : je suis absent du bureau jusqu'au 5",
        "Ceci est un message automatique, merci de ne pas répondre",
        "Out of office",
        "Je suis actuellement absente",
    ],
)
def test_an_auto_responder_is_never_acknowledged(text: str) -> None:
    assert looks_automatic(text)
    assert not may_acknowledge(text, acknowledged_today=False, acknowledgements_to_number_today=0)


def test_one_acknowledgement_per_conversation_and_day_and_a_few_per_number() -> None:
    text = "il était malade"
    assert may_acknowledge(text, acknowledged_today=False, acknowledgements_to_number_today=0)
    assert not may_acknowledge(text, acknowledged_today=True, acknowledgements_to_number_today=1)
    assert not may_acknowledge(
        text, acknowledged_today=False, acknowledgements_to_number_today=ACKS_PER_NUMBER_AND_DAY
    )
