"""A school's holiday zone from its UAI: département → académie → zone.

A UAI's first three characters name its département: ``075`` Paris, ``069`` Rhône, ``620`` and
``720`` Corse-du-Sud and Haute-Corse (also written ``02A``, ``02B``), ``971`` to ``976`` the
overseas départements (``977`` Saint-Barthélemy and ``978`` Saint-Martin belong to the
académie of Guadeloupe). The zones are those of the school year 2026-2027 (arrêté of
22 October 2025, unchanged since the académies merged in 2020): metropolitan académies are in
zone A, B or C; Corse and each overseas académie set their own calendar and are a zone of
their own. The Pacific's vice-rectorats and anything else give no zone: the school chooses.
"""

from __future__ import annotations

METROPOLITAN_ZONES = ("A", "B", "C")
OVERSEAS = ("Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte")
SPM = "Saint-Pierre-et-Miquelon"
ZONES: tuple[str, ...] = (*METROPOLITAN_ZONES, "Corse", *OVERSEAS, SPM)

# Each académie's départements (INSEE codes; 2A and 2B for Corsica).
ACADEMIES: dict[str, tuple[str, ...]] = {
    "Aix-Marseille": ("04", "05", "13", "84"),
    "Amiens": ("02", "60", "80"),
    "Besançon": ("25", "39", "70", "90"),
    "Bordeaux": ("24", "33", "40", "47", "64"),
    "Clermont-Ferrand": ("03", "15", "43", "63"),
    "Corse": ("2A", "2B"),
    "Créteil": ("77", "93", "94"),
    "Dijon": ("21", "58", "71", "89"),
    "Grenoble": ("07", "26", "38", "73", "74"),
    "Lille": ("59", "62"),
    "Limoges": ("19", "23", "87"),
    "Lyon": ("01", "42", "69"),
    "Montpellier": ("11", "30", "34", "48", "66"),
    "Nancy-Metz": ("54", "55", "57", "88"),
    "Nantes": ("44", "49", "53", "72", "85"),
    "Nice": ("06", "83"),
    "Normandie": ("14", "27", "50", "61", "76"),
    "Orléans-Tours": ("18", "28", "36", "37", "41", "45"),
    "Paris": ("75",),
    "Poitiers": ("16", "17", "79", "86"),
    "Reims": ("08", "10", "51", "52"),
    "Rennes": ("22", "29", "35", "56"),
    "Strasbourg": ("67", "68"),
    "Toulouse": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "Versailles": ("78", "91", "92", "95"),
    "Guadeloupe": ("971", "977", "978"),
    "Martinique": ("972",),
    "Guyane": ("973",),
    "La Réunion": ("974",),
    "Mayotte": ("976",),
    SPM: ("975",),
}

ACADEMY_ZONES: dict[str, str] = {
    **{
        name: "A"
        for name in (
            "Besançon",
            "Bordeaux",
            "Clermont-Ferrand",
            "Dijon",
            "Grenoble",
            "Limoges",
            "Lyon",
            "Poitiers",
        )
    },
    **{
        name: "B"
        for name in (
            "Aix-Marseille",
            "Amiens",
            "Lille",
            "Nancy-Metz",
            "Nantes",
            "Nice",
            "Normandie",
            "Orléans-Tours",
            "Reims",
            "Rennes",
            "Strasbourg",
        )
    },
    **{name: "C" for name in ("Créteil", "Montpellier", "Paris", "Toulouse", "Versailles")},
    "Corse": "Corse",
    **{name: name for name in (*OVERSEAS, SPM)},
}

_ACADEMY_OF: dict[str, str] = {dep: name for name, deps in ACADEMIES.items() for dep in deps}
_CORSICA = {"620": "2A", "02A": "2A", "720": "2B", "02B": "2B"}

# The `holidays` package's subdivision for local public holidays: Alsace-Moselle's two extra
# days, the overseas départements' abolition of slavery, Saint-Pierre-et-Miquelon's.
_LOCAL_HOLIDAYS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    **{dep: dep for dep in ("971", "972", "973", "974", "976")},
    "975": "PM",
    "977": "BL",
    "978": "MF",
}


def departement_of(uai: str) -> str | None:
    """The département a UAI's first three characters name (``"75"``, ``"2A"``, ``"974"``),
    or None when they name none."""
    head = uai.strip().upper()[:3]
    if head in _CORSICA:
        return _CORSICA[head]
    if head.startswith("97"):
        return head if head in _ACADEMY_OF else None
    if head.startswith("0") and head[1:].isdigit():
        return head[1:] if head[1:] in _ACADEMY_OF else None
    return None


def academy_of(departement: str) -> str | None:
    return _ACADEMY_OF.get(departement)


def zone_of_uai(uai: str) -> str | None:
    """The holiday zone of the school of ``uai`` (A, B, C, Corse or its overseas académie),
    or None when its UAI tells none."""
    departement = departement_of(uai)
    academy = academy_of(departement) if departement else None
    return ACADEMY_ZONES.get(academy) if academy else None


def public_holiday_subdivision(uai: str) -> str | None:
    """The `holidays` package's subdivision whose public holidays the school also keeps (its
    département's own days), or None: only France's."""
    departement = departement_of(uai)
    return None if departement is None else _LOCAL_HOLIDAYS.get(departement)
