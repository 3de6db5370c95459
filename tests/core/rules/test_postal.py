"""The lines of an envelope, from a guardian's postal address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.rules.postal import address_lines, envelope


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
