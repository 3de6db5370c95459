"""Reading families' replies in French: the table of replies as parents write them, then the
rules one by one (negations, children, days, STOP, the school's reason)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from core.rules.replies import (
    Intent,
    Reading,
    ReasonChoice,
    fold,
    read_reply,
    school_reason,
)
from tests.core.rules.reply_samples import REPLIES

THURSDAY = date(2026, 12, 3)
CHILDREN = ("Léa", "Hugo")


def said(reading: Reading) -> str:
    return (
        reading.generic if reading.intent == Intent.REASON and reading.generic else reading.intent
    )


def test_the_table_is_large_and_varied() -> None:
    assert len(REPLIES) >= 200
    kinds = Counter(expected for _, expected in REPLIES)
    assert len(kinds) >= 12 and kinds["none"] >= 20 and kinds["thanks"] >= 10
    assert len({text for text, _ in REPLIES}) == len(REPLIES)  # no line twice


def test_most_replies_are_read_as_a_cpe_reads_them() -> None:
    wrong = [
        (text, expected, said(read_reply(text, children=CHILDREN)))
        for text, expected in REPLIES
        if said(read_reply(text, children=CHILDREN)) != expected
    ]
    share = 1 - len(wrong) / len(REPLIES)
    print(f"\nreplies read right: {share:.1%} of {len(REPLIES)}")
    assert share >= 0.95, wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("il n'est pas malade, c'est une panne de voiture", "TRANSPORT"),
        ("Il n'est pas malade", "none"),
        ("elle n'a plus de fièvre, elle revient demain", "none"),
        ("Il ne se sent pas bien", "MALADIE"),  # the negation is the cue
        ("Pas de bus ce matin", "TRANSPORT"),
        ("il n'avait jamais raté le bus avant", "none"),
    ],
)
def test_a_negation_cancels_the_cue_it_stands_before(text: str, expected: str) -> None:
    assert said(read_reply(text)) == expected


def test_because_is_not_a_coach_but_the_school_coach_is() -> None:
    assert said(read_reply("il est resté car il était malade")) == "MALADIE"
    assert said(read_reply("le car scolaire est en panne")) == "TRANSPORT"


def test_help_is_not_a_religious_holiday() -> None:
    assert said(read_reply("merci pour votre aide")) == "thanks"
    assert said(read_reply("Aïd el Fitr")) == "FETE_RELIGIEUSE"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Fièvre 🤒 !!!", "fievre malade !"),
        ("RDV à l'hôpital", "rendez vous a l hopital"),
        ("SŒUR malaaaade", "soeur malade"),
    ],
)
def test_folding_lowercases_unaccents_and_spells_out(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_a_clear_reason_is_surer_than_a_hint_and_a_tie_is_unsure() -> None:
    clear = read_reply("gastro, fièvre et vomissements")
    hint = read_reply("il avait rendez-vous")
    tie = read_reply("panne de réveil puis le bus n'est pas passé")
    assert clear.generic == "MALADIE" and clear.confidence >= 0.8
    assert hint.generic == "RDV_MEDICAL" and hint.confidence < 0.5
    assert tie.intent == Intent.REASON and tie.confidence < 0.5
    assert 0 <= tie.confidence <= clear.confidence <= 1


def test_the_children_named_are_found_with_typos_in_the_order_named() -> None:
    assert read_reply("Léa est malade", children=CHILDREN).children == ("Léa",)
    assert read_reply("lea malade", children=CHILDREN).children == ("Léa",)
    assert read_reply("Hugoo et Léa ont la grippe", children=CHILDREN).children == ("Hugo", "Léa")
    assert read_reply("il est malade", children=CHILDREN).children == ()
    compound = read_reply("jean baptiste a de la fièvre", children=("Jean-Baptiste", "Inès"))
    assert compound.children == ("Jean-Baptiste",) and compound.generic == "MALADIE"


def test_a_childs_name_is_not_a_reason() -> None:
    reading = read_reply("Neige est au lit avec de la fièvre", children=("Neige", "Paul"))
    assert reading.generic == "MALADIE" and "TRANSPORT" not in reading.scores


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("malade aujourd'hui", [date(2026, 12, 3)]),
        ("il sera absent demain", [date(2026, 12, 4)]),
        ("il était malade hier", [date(2026, 12, 2)]),
        ("il était malade lundi", [date(2026, 11, 30)]),
        ("il sera absent lundi", [date(2026, 12, 7)]),
        ("jeudi", [date(2026, 12, 3)]),
        ("absent le 12/11", [date(2026, 11, 12)]),
        ("absent le 2 décembre", [date(2026, 12, 2)]),
        ("rdv le 30/02", []),
        ("rien de daté", []),
    ],
)
def test_the_days_named(text: str, days: list[date]) -> None:
    assert list(read_reply(text, today=THURSDAY).days) == days


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("STOP", Intent.OPT_OUT, 1.0),
        (" Arrêt. ", Intent.OPT_OUT, 1.0),
        ("stop sms svp", Intent.OPT_OUT, 1.0),
        ("je ne veux plus recevoir ces messages", Intent.OPT_OUT, 0.6),
        ("Start", Intent.OPT_IN, 1.0),
    ],
)
def test_stop_and_start(text: str, intent: Intent, confidence: float) -> None:
    reading = read_reply(text)
    assert reading.intent == intent and reading.confidence == confidence


def test_a_stop_inside_a_reason_is_the_reason() -> None:
    assert said(read_reply("stop, il était malade")) == "MALADIE"


REASONS = (
    ReasonChoice(1, "MALADIE", "MALADIE"),
    ReasonChoice(7, "MALADIE", "GRIPPE_LOCALE"),
    ReasonChoice(2, "TRANSPORT", "BUS", parents_may_choose=False),
    ReasonChoice(3, "TRANSPORT", "TRANSPORT_RETARD", for_absence=False, for_lateness=True),
    ReasonChoice(4, "TRANSPORT", "GREVE"),
)


def test_the_school_reason_under_the_generic_one() -> None:
    ill = school_reason(read_reply("malade"), REASONS)
    assert ill is not None and ill.id == 1  # the one named like the national code
    bus = school_reason(read_reply("pas de bus"), REASONS)
    assert bus is not None and bus.id == 4  # one parents may choose comes first
    late = school_reason(read_reply("pas de bus"), REASONS, lateness=True)
    assert late is not None and late.id == 3
    assert school_reason(read_reply("merci"), REASONS) is None
    assert school_reason(read_reply("enterrement"), REASONS) is None  # no such reason here


def test_reading_never_fails_on_odd_text() -> None:
    for text in ("", " ", "\x00", "😀" * 500, "a" * 10_000, "12/99/2026", "lundi" * 300):
        reading = read_reply(text, children=CHILDREN, today=THURSDAY)
        assert 0 <= reading.confidence <= 1
