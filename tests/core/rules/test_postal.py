"""The lines of an envelope, from a guardian's postal address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.rules.postal import (
    address_lines,
    envelope,
    household_envelope,
    household_key,
    households,
)


@dataclass
class Point:
    value: str
    address: Mapping[str, object] | None


@dataclass
class Guardian:
    display_name: str


def test_name_street_then_town_in_capitals() -> None:
    address = {"lines": ["12 rue des Lilas", "Bât. B"], "postal_code": "75011", "city": "Paris"}
    assert address_lines("Mme MARTIN Anne", address) == (
        "Mme MARTIN Anne",
        "12 rue des Lilas",
        "Bât. B",
        "75011 PARIS",
    )


def test_the_country_ends_an_address_abroad_only() -> None:
    abroad = {"lines": ["Rue du Marché 3"], "postal_code": "1204", "city": "Genève"}
    assert address_lines("M. DURAND", {**abroad, "country": "Suisse"})[-1] == "SUISSE"
    assert address_lines("M. DURAND", {**abroad, "country": "France"})[-1] == "1204 GENÈVE"


def test_the_contact_value_stands_in_for_an_address_without_street_nor_town() -> None:
    assert address_lines("M. DURAND", None, "2 place de la Mairie") == (
        "M. DURAND",
        "2 place de la Mairie",
    )
    assert address_lines(None, {"lines": ["1 rue A"]}, "ignored") == ("1 rue A",)


def test_the_envelope_of_a_contact_point_names_its_guardian() -> None:
    point = Point("12 rue des Lilas", {"lines": ["12 rue des Lilas"], "postal_code": "75011"})
    assert envelope(point, Guardian("Mme MARTIN Anne")) == (
        "Mme MARTIN Anne",
        "12 rue des Lilas",
        "75011",
    )
    assert envelope(Point("2 place de la Mairie", None), None) == ("2 place de la Mairie",)
    assert envelope(None, Guardian("M. DURAND")) == ("M. DURAND",)


def test_one_home_is_one_key_whatever_the_spelling() -> None:
    class Card:
        def __init__(self, value: str, address: dict[str, object] | None) -> None:
            self.value, self.address = value, address

    one = Card("x", {"lines": ["5, rue de l'Église"], "postal_code": "75011", "city": "Paris"})
    two = Card("x", {"lines": ["5 RUE DE L EGLISE"], "postal_code": "75011", "city": "PARIS"})
    three = Card("x", {"lines": ["7 rue de l'Église"], "postal_code": "75011", "city": "Paris"})
    assert household_key(one) == household_key(two) == "5 RUE DE L EGLISE 75011 PARIS"
    assert household_key(three) != household_key(one)
    assert household_key(None) == "" and household_key(Card("", {})) == ""


def test_envelopes_keep_the_order_and_never_join_unknown_addresses() -> None:
    rows = [("a", "H1"), ("b", ""), ("c", "H2"), ("d", "H1"), ("e", ""), ("f", "H2")]
    grouped = households(rows, lambda row: row[1])
    assert [[name for name, _ in group] for group in grouped] == [
        ["a", "d"],
        ["b"],
        ["c", "f"],
        ["e"],
    ]


def test_a_household_envelope_names_everyone_within_the_window() -> None:
    street = ("12 rue des Roses", "75011 PARIS")
    assert household_envelope(["Mme ROUX Claire", "M. ROUX Marc"], street) == (
        "Mme ROUX Claire et M. ROUX Marc",
        *street,
    )
    long = ["Mme ROUX-DELAGRANGE Claire", "M. ROUX-DELAGRANGE Marc-Antoine"]
    assert household_envelope(long, street) == (*long, *street)
    many = [f"M. NOM{n} Prénom" for n in range(6)]
    found = household_envelope(many, street)
    assert len(found) == 6 and found[-2:] == street and found[3].endswith("M. NOM5 Prénom")
    assert household_envelope(["Mme A", "Mme A"], street) == ("Mme A", *street)
