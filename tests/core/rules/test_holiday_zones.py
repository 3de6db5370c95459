"""A school's holiday zone from its UAI: every French département has its académie and zone."""

from __future__ import annotations

import pytest

from core.rules.holiday_zones import (
    ACADEMIES,
    ACADEMY_ZONES,
    ZONES,
    academy_of,
    departement_of,
    public_holiday_subdivision,
    zone_of_uai,
)

# Every département (INSEE), its académie and the académie's zone in 2026-2027.
EXPECTED: dict[str, tuple[str, str]] = {
    "01": ("Lyon", "A"), "02": ("Amiens", "B"), "03": ("Clermont-Ferrand", "A"),
    "04": ("Aix-Marseille", "B"), "05": ("Aix-Marseille", "B"), "06": ("Nice", "B"),
    "07": ("Grenoble", "A"), "08": ("Reims", "B"), "09": ("Toulouse", "C"),
    "10": ("Reims", "B"), "11": ("Montpellier", "C"), "12": ("Toulouse", "C"),
    "13": ("Aix-Marseille", "B"), "14": ("Normandie", "B"), "15": ("Clermont-Ferrand", "A"),
    "16": ("Poitiers", "A"), "17": ("Poitiers", "A"), "18": ("Orléans-Tours", "B"),
    "19": ("Limoges", "A"), "2A": ("Corse", "Corse"), "2B": ("Corse", "Corse"),
    "21": ("Dijon", "A"), "22": ("Rennes", "B"), "23": ("Limoges", "A"),
    "24": ("Bordeaux", "A"), "25": ("Besançon", "A"), "26": ("Grenoble", "A"),
    "27": ("Normandie", "B"), "28": ("Orléans-Tours", "B"), "29": ("Rennes", "B"),
    "30": ("Montpellier", "C"), "31": ("Toulouse", "C"), "32": ("Toulouse", "C"),
    "33": ("Bordeaux", "A"), "34": ("Montpellier", "C"), "35": ("Rennes", "B"),
    "36": ("Orléans-Tours", "B"), "37": ("Orléans-Tours", "B"), "38": ("Grenoble", "A"),
    "39": ("Besançon", "A"), "40": ("Bordeaux", "A"), "41": ("Orléans-Tours", "B"),
    "42": ("Lyon", "A"), "43": ("Clermont-Ferrand", "A"), "44": ("Nantes", "B"),
    "45": ("Orléans-Tours", "B"), "46": ("Toulouse", "C"), "47": ("Bordeaux", "A"),
    "48": ("Montpellier", "C"), "49": ("Nantes", "B"), "50": ("Normandie", "B"),
    "51": ("Reims", "B"), "52": ("Reims", "B"), "53": ("Nantes", "B"),
    "54": ("Nancy-Metz", "B"), "55": ("Nancy-Metz", "B"), "56": ("Rennes", "B"),
    "57": ("Nancy-Metz", "B"), "58": ("Dijon", "A"), "59": ("Lille", "B"),
    "60": ("Amiens", "B"), "61": ("Normandie", "B"), "62": ("Lille", "B"),
    "63": ("Clermont-Ferrand", "A"), "64": ("Bordeaux", "A"), "65": ("Toulouse", "C"),
    "66": ("Montpellier", "C"), "67": ("Strasbourg", "B"), "68": ("Strasbourg", "B"),
    "69": ("Lyon", "A"), "70": ("Besançon", "A"), "71": ("Dijon", "A"),
    "72": ("Nantes", "B"), "73": ("Grenoble", "A"), "74": ("Grenoble", "A"),
    "75": ("Paris", "C"), "76": ("Normandie", "B"), "77": ("Créteil", "C"),
    "78": ("Versailles", "C"), "79": ("Poitiers", "A"), "80": ("Amiens", "B"),
    "81": ("Toulouse", "C"), "82": ("Toulouse", "C"), "83": ("Nice", "B"),
    "84": ("Aix-Marseille", "B"), "85": ("Nantes", "B"), "86": ("Poitiers", "A"),
    "87": ("Limoges", "A"), "88": ("Nancy-Metz", "B"), "89": ("Dijon", "A"),
    "90": ("Besançon", "A"), "91": ("Versailles", "C"), "92": ("Versailles", "C"),
    "93": ("Créteil", "C"), "94": ("Créteil", "C"), "95": ("Versailles", "C"),
    "971": ("Guadeloupe", "Guadeloupe"), "972": ("Martinique", "Martinique"),
    "973": ("Guyane", "Guyane"), "974": ("La Réunion", "La Réunion"),
    "975": ("Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon"),
    "976": ("Mayotte", "Mayotte"), "977": ("Guadeloupe", "Guadeloupe"),
    "978": ("Guadeloupe", "Guadeloupe"),
}  # fmt: skip


def uai_of(departement: str) -> str:
    """A UAI of the département, as the RNE writes them (Corsica: 620 and 720)."""
    head = {"2A": "620", "2B": "720"}.get(departement, departement.rjust(3, "0"))
    return f"{head}1234X"


def test_every_departement_is_listed_once() -> None:
    metropolitan = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    assert len(metropolitan) == 96
    listed = [dep for deps in ACADEMIES.values() for dep in deps]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(EXPECTED) == {*metropolitan, *(str(n) for n in range(971, 979))}
    assert set(ACADEMY_ZONES) == set(ACADEMIES) and set(ACADEMY_ZONES.values()) <= set(ZONES)


@pytest.mark.parametrize("departement", sorted(EXPECTED))
def test_each_departement_has_its_academy_and_zone(departement: str) -> None:
    academy, zone = EXPECTED[departement]
    assert academy_of(departement) == academy
    uai = uai_of(departement)
    assert departement_of(uai) == departement
    assert zone_of_uai(uai) == zone
    assert zone_of_uai(uai.lower()) == zone


@pytest.mark.parametrize(
    ("uai", "zone"),
    [
        ("0751234X", "C"),  # Paris
        ("0690002B", "A"),  # Rhône
        ("0130001A", "B"),  # Bouches-du-Rhône
        ("02A1234X", "Corse"),
        ("02B1234X", "Corse"),
        ("6200002D", "Corse"),
        ("9741234X", "La Réunion"),
        ("9761234X", "Mayotte"),
        ("0999001X", None),  # the demo's: no département
        ("0201234X", None),  # 20 is Corsica's former number
        ("0961234X", None),
        ("9831234X", None),  # Nouvelle-Calédonie: its vice-rectorat chooses
        ("9791234X", None),
        ("", None),
        ("12", None),
    ],
)
def test_a_uai_tells_its_zone_or_none(uai: str, zone: str | None) -> None:
    assert zone_of_uai(uai) == zone


@pytest.mark.parametrize(
    ("uai", "subdivision"),
    [
        ("0571234X", "57"),
        ("0671234X", "6AE"),
        ("0681234X", "6AE"),
        ("9711234X", "971"),
        ("9741234X", "974"),
        ("9751234X", "PM"),
        ("0751234X", None),
        ("6200002D", None),
        ("0999001X", None),
    ],
)
def test_local_public_holidays_follow_the_departement(uai: str, subdivision: str | None) -> None:
    assert public_holiday_subdivision(uai) == subdivision
