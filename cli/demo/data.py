"""The demo school's people as plain values: structure, students, guardians and their contacts.

Everything is drawn from the ``random.Random`` passed in (never the global one), so a seed
always gives the same school. Names, streets and towns are invented; phone numbers are in the
ranges ARCEP keeps for fiction (06 39 98 xx xx mobiles, 01 99 00 xx xx landlines); emails use
the reserved example.org/.com/.net domains.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date


def _names(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())


LAST_NAMES = _names("""
Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre
Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent
Muller Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia
Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Masson Marchand Duval Denis Dumont
Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard
Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger
Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Benoît Rey Leclerc Payet
Rolland Guillaume Lecomte Lopez Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin
Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Poirier Marty Aubry Guyot
Carré Renault Charpentier Ménard Maillard Baron Bailly Hervé Schneider Fernandez Le_Gall Collet
Léger Bouvier Prévost Millet Perrot Le_Roux Cousin Germain Breton Besson Langlois Le_Goff
Pelletier Da_Silva Nguyen Diallo Traoré Haddad Benali Mendes Ferreira Rossi Yilmaz Diop Camara
Mansouri Pereira Gomes Hoarau Grondin Kaya Cohen Tran
""")
GIRLS = _names("""
Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Mia Léna Manon Juliette
Lou Zoé Camille Agathe Sarah Romane Jeanne Eva Nina Lucie Clémence Margaux Maëlys Yasmine
Salomé Lola Océane Elsa
""")
BOYS = _names("""
Gabriel Léo Raphaël Arthur Louis Lucas Adam Jules Hugo Maël Liam Noah Paul Ethan Tiago Sacha
Gabin Nathan Mohamed Aaron Tom Théo Noé Mathis Timéo Axel Enzo Nolan Rayan Yanis Antoine
Baptiste Clément Évan Kylian
""")
WOMEN = _names("""
Nathalie Isabelle Sylvie Catherine Sandrine Céline Stéphanie Aurélie Virginie Émilie Julie
Caroline Sophie Valérie Karine Laetitia Audrey Élodie Fatima Samia Marie Anne Christine Hélène
Delphine Monique Jacqueline Françoise
""")
MEN = _names("""
Nicolas Julien Sébastien Christophe Stéphane Frédéric Laurent David Olivier Thomas Guillaume
Jérôme Vincent Alexandre Mickaël Karim Mehdi Cédric Fabrice Franck Pascal Éric Philippe Romain
Yann Michel Gérard Bernard
""")
PATRONS = (
    "Lucie Aubrac", "Marie Curie", "Simone Veil", "Victor Hugo", "Jules Verne", "Louise Michel",
    "Albert Camus", "George Sand", "Jean Jaurès", "Olympe de Gouges", "Paul Éluard", "Colette",
)  # fmt: skip
STREETS = (
    "RUE DES LILAS", "AVENUE JEAN JAURES", "ALLEE DES TILLEULS", "CHEMIN DU MOULIN",
    "BOULEVARD PASTEUR", "IMPASSE DES ROSES", "RUE VICTOR HUGO", "PLACE DE LA MAIRIE",
    "RUE DE LA GARE", "RUE DU STADE", "ROUTE DE LA FORET", "RUE DES ECOLES", "RUE DU PARC",
    "AVENUE DES ACACIAS", "RUE DES VIGNES", "CHEMIN DES PRES",
)  # fmt: skip
TOWNS = (
    ("07990", "SAINT-DEMO-SUR-LOIRE"), ("07991", "VILLEFICTIVE"), ("07992", "LES ESSAIS"),
    ("07993", "BOURG-EXEMPLE"), ("07994", "MONTPLACEBO"),
)  # fmt: skip
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
MOBILE_PREFIX = "+3363998"  # 06 39 98 xx xx, kept by ARCEP for fiction
LANDLINE_PREFIX = "+3319900"  # 01 99 00 xx xx, likewise


@dataclass(frozen=True)
class Level:
    digit: str
    mef_code: str
    label: str
    edition: str
    age: int  # the age reached during the calendar year the school year starts


LEVELS = (
    Level("6", "10010012110", "6EME", "6eme", 11),
    Level("5", "10110001110", "5EME", "5eme", 12),
    Level("4", "10210001110", "4EME", "4eme", 13),
    Level("3", "10310019110", "3EME", "3eme", 14),
)


@dataclass(frozen=True)
class DivisionPlan:
    code: str
    label: str
    level: Level


@dataclass(frozen=True)
class GroupPlan:
    code: str
    label: str
    division_codes: tuple[str, ...]
    student_ids: tuple[str, ...]


@dataclass(frozen=True)
class StudentPlan:
    siecle_id: str
    elenoet: str
    ine: str
    last_name: str
    first_name: str
    sex: str
    birth_date: date
    division: DivisionPlan
    regime: str


@dataclass(frozen=True)
class ContactPlan:
    kind: str  # a ContactKind value
    value: str
    raw_value: str = ""
    label: str = ""
    consent: bool = True
    usability: str = "ok"
    note: str = ""
    address: dict[str, object] | None = None


@dataclass(frozen=True)
class PersonPlan:
    siecle_id: str
    civility: str
    last_name: str
    first_name: str
    contacts: tuple[ContactPlan, ...]


@dataclass(frozen=True)
class LinkPlan:
    student_id: str
    person_id: str
    level: int  # 1 legal representative, 2 person in charge, 3 contact
    relationship: str  # SIECLE CODE_PARENTE
    pays_fees: bool
    priority: int


@dataclass(frozen=True)
class Population:
    divisions: list[DivisionPlan]
    groups: list[GroupPlan]
    students: list[StudentPlan]
    persons: list[PersonPlan]
    links: list[LinkPlan]


def division_plans(students: int) -> list[DivisionPlan]:
    """About 25 students a division, the same number of divisions on each of the 4 levels."""
    per_level = max(1, round(students / 25 / len(LEVELS)))
    plans: list[DivisionPlan] = []
    for level in LEVELS:
        for i in range(per_level):
            suffix = chr(ord("A") + i) if per_level <= 26 else f"{i + 1:02d}"
            plans.append(DivisionPlan(level.digit + suffix, f"{level.label} {suffix}", level))
    return plans


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Le Gall' → 'legall', 'Éric' → 'eric'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def school_identity(rng: random.Random, uai: str) -> tuple[str, dict[str, object]]:
    """The school's name and its letterhead (address, phone, the head's name)."""
    patron = rng.choice(PATRONS)
    woman = rng.random() < 0.5
    head = f"{'Mme' if woman else 'M.'} {rng.choice(WOMEN if woman else MEN)} "
    head += rng.choice(LAST_NAMES)
    postcode, town = TOWNS[0]
    return f"Collège {patron}", {
        "name": f"Collège {patron}",
        "lines": [f"{rng.randint(1, 40)} {rng.choice(STREETS)}"],
        "postal_code": postcode,
        "city": town,
        "country": "FRANCE",
        "phone": f"{LANDLINE_PREFIX}{rng.randrange(10_000):04d}",
        "email": f"ce.{uai.lower()}@example.org",
        "head_name": head,
        "head_title": "Principale" if woman else "Principal",
    }


class Numbers:
    """Fictional phone numbers without repeats (while the 10,000 of each range last)."""

    def __init__(self, rng: random.Random) -> None:
        self._mobiles = rng.sample(range(10_000), 10_000)
        self._landlines = rng.sample(range(10_000), 10_000)
        self._used = {"mobile": 0, "landline": 0}

    def next(self, kind: str) -> tuple[str, str]:
        """(E.164, the number as a SIECLE export may write it)."""
        mobile = kind == "mobile"
        pool, prefix = (
            (self._mobiles, MOBILE_PREFIX) if mobile else (self._landlines, LANDLINE_PREFIX)
        )
        suffix = pool[self._used[kind] % len(pool)]
        self._used[kind] += 1
        number = f"{prefix}{suffix:04d}"
        national = "0" + number[3:]
        return number, " ".join(national[i : i + 2] for i in range(0, 10, 2))
