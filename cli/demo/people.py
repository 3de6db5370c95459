"""The demo school's population as plain values: families of students and guardians.

Families come one after another: 1–3 children (siblings share their guardians) with mostly
two legal representatives, sometimes one, now and then a third person in charge or a contact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from cli.demo.data import (
    BOYS,
    EMAIL_DOMAINS,
    GIRLS,
    LAST_NAMES,
    LEVELS,
    MEN,
    STREETS,
    TOWNS,
    WOMEN,
    ContactPlan,
    GroupPlan,
    LinkPlan,
    Numbers,
    PersonPlan,
    Population,
    StudentPlan,
    ascii_slug,
    division_plans,
)


@dataclass(frozen=True)
class _Guardian:
    person: PersonPlan
    level: int
    relationship: str
    pays_fees: bool


_INE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_GROUPS = {
    "BIL": "BILANGUE ANGLAIS-ALLEMAND",
    "ESP": "ESPAGNOL LV2",
    "ALL": "ALLEMAND LV2",
    "LAT": "LATIN",
}


class _PopulationBuilder:
    """Families one after another: 1–3 children sharing 1–3 guardians."""

    def __init__(self, rng: random.Random, students: int, start_year: int) -> None:
        self.rng = rng
        self.start_year = start_year
        self.numbers = Numbers(rng)
        self.divisions = division_plans(students)
        self.by_level = {lv.digit: [d for d in self.divisions if d.level == lv] for lv in LEVELS}
        self.seats = dict.fromkeys(self.by_level, 0)
        self.pool = [LEVELS[i % len(LEVELS)].digit for i in range(students)]
        rng.shuffle(self.pool)
        self.students: list[StudentPlan] = []
        self.persons: list[PersonPlan] = []
        self.links: list[LinkPlan] = []
        self.eleve_id = rng.randint(1_200_000, 1_500_000)
        self.elenoet = rng.randint(1_000, 3_000)
        self.person_id = rng.randint(300_000, 400_000)
        self.seen: set[str] = set()  # INEs and emails already given

    def build(self) -> Population:
        while len(self.students) < len(self.pool):
            self._family()
        return Population(self.divisions, self._groups(), self.students, self.persons, self.links)

    def _family(self) -> None:
        remaining = len(self.pool) - len(self.students)
        size = min(remaining, self.rng.choices((1, 2, 3), (80, 16, 4))[0])
        name = self.rng.choice(LAST_NAMES)
        children = [self._student(name) for _ in range(size)]
        guardians = self._guardians(name)
        guardians += self._extra(name, len(guardians))
        for child in children:
            for priority, g in enumerate(guardians, start=1):
                link = LinkPlan(
                    child.siecle_id,
                    g.person.siecle_id,
                    g.level,
                    g.relationship,
                    g.pays_fees,
                    priority,
                )
                self.links.append(link)

    def _student(self, name: str) -> StudentPlan:
        rng = self.rng
        digit = self.pool[len(self.students)]
        division = self.by_level[digit][self.seats[digit] % len(self.by_level[digit])]
        self.seats[digit] += 1
        born = self.start_year - division.level.age + rng.choices((0, -1, 1), (90, 8, 2))[0]
        sex = rng.choice("FM")
        self.eleve_id += rng.randint(1, 4)
        student = StudentPlan(
            siecle_id=str(self.eleve_id),
            elenoet=str(self.elenoet + len(self.students)),
            ine=self._ine(),
            last_name=name,
            first_name=rng.choice(GIRLS if sex == "F" else BOYS),
            sex=sex,
            birth_date=date(born, 1, 1) + timedelta(days=rng.randrange(365)),
            division=division,
            regime=rng.choices(("2", "0"), (70, 30))[0],  # demi-pensionnaire, externe
        )
        self.students.append(student)
        return student

    def _ine(self) -> str:
        while True:
            letters = "".join(self.rng.choices(_INE_LETTERS, k=2))
            ine = f"{self.rng.randrange(10**8, 10**9)}{letters}"
            if ine not in self.seen:
                self.seen.add(ine)
                return ine

    def _guardians(self, name: str) -> list[_Guardian]:
        """Mostly both parents (the one paying the fees first), sometimes one, or a tutor."""
        rng = self.rng
        home = self._address()
        kind = rng.random()
        if kind < 0.70:
            mother_name = name if rng.random() < 0.55 else rng.choice(LAST_NAMES)
            father_home = self._address() if rng.random() < 0.2 else home
            pair = [(self._person("F", mother_name, home), "10")]
            pair.append((self._person("M", name, father_home), "20"))
            if rng.random() < 0.4:
                pair.reverse()
            return [_Guardian(p, 1, rel, i == 0) for i, (p, rel) in enumerate(pair)]
        if kind < 0.95:
            sex, relationship = ("F", "10") if kind < 0.86 else ("M", "20")
            return [_Guardian(self._person(sex, name, home), 1, relationship, True)]
        relationship = "50" if kind < 0.98 else "38"  # a tutor, or a grandparent
        person = self._person(rng.choice("FM"), rng.choice(LAST_NAMES), home)
        return [_Guardian(person, 1, relationship, True)]

    def _extra(self, name: str, present: int) -> list[_Guardian]:
        """Now and then a third person: a grandparent or relative in charge, or a contact."""
        rng = self.rng
        if present >= 3 or rng.random() >= 0.12:
            return []
        relationship = rng.choices(("38", "39", "90"), (70, 20, 10))[0]
        level = 2 if relationship == "38" and rng.random() < 0.3 else 3
        home = self._address() if rng.random() < 0.6 else None
        last = name if relationship == "38" and rng.random() < 0.5 else rng.choice(LAST_NAMES)
        person = self._person(rng.choice("FM"), last, home, legal=False)
        return [_Guardian(person, level, relationship, False)]

    def _person(
        self, sex: str, last: str, home: ContactPlan | None, *, legal: bool = True
    ) -> PersonPlan:
        rng = self.rng
        self.person_id += rng.randint(1, 5)
        first = rng.choice(WOMEN if sex == "F" else MEN)
        contacts: list[ContactPlan] = []
        if rng.random() < (0.95 if legal else 0.85):
            contacts.append(self._phone("mobile"))
        if rng.random() < 0.3:
            contacts.append(self._phone("landline"))
        if rng.random() < (0.85 if legal else 0.5):
            contacts.append(ContactPlan("email", self._email(first, last), label="personal"))
        if home is not None:
            contacts.append(home)
        civility = "Mme" if sex == "F" else "M."
        person = PersonPlan(str(self.person_id), civility, last, first, tuple(contacts))
        self.persons.append(person)
        return person

    def _phone(self, kind: str) -> ContactPlan:
        number, raw = self.numbers.next(kind)
        draw = self.rng.random()
        consent = kind != "mobile" or draw >= 0.04  # ACCEPTE_SMS = 0 for a few
        wrong = 0.04 <= draw < 0.06
        return ContactPlan(
            kind,
            number,
            raw_value=raw,
            label="personal" if kind == "mobile" else "home",
            consent=consent,
            usability="wrong_number" if wrong else "ok",
            note="Numéro signalé erroné par la famille" if wrong else "",
        )

    def _email(self, first: str, last: str) -> str:
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        if self.rng.random() < 0.3:
            local += str(self.rng.randint(1, 99))
        domain = self.rng.choice(EMAIL_DOMAINS)
        email = f"{local}@{domain}"
        if email in self.seen:
            email = f"{local}.{self.person_id}@{domain}"
        self.seen.add(email)
        return email

    def _address(self) -> ContactPlan:
        rng = self.rng
        postcode, town = rng.choice(TOWNS)
        lines = [f"{rng.randint(1, 120)} {rng.choice(STREETS)}"]
        if rng.random() < 0.25:
            lines.append(f"APPARTEMENT {rng.randint(1, 60)}")
        address: dict[str, object] = {
            "lines": lines,
            "postal_code": postcode,
            "city": town,
            "country": "FRANCE",
        }
        return ContactPlan("postal", lines[0], label="home", address=address)

    def _groups(self) -> list[GroupPlan]:
        """Bilingual 6e, then from 5e a second language for all and Latin for a few."""
        members: dict[str, list[StudentPlan]] = {}
        for student in self.students:
            digit = student.division.level.digit
            codes = ["BIL"] if digit == "6" and self.rng.random() < 0.12 else []
            if digit != "6":
                codes.append("ESP" if self.rng.random() < 0.65 else "ALL")
                if self.rng.random() < 0.15:
                    codes.append("LAT")
            for code in codes:
                members.setdefault(f"{digit}_{code}", []).append(student)
        return [
            GroupPlan(
                code,
                f"{_GROUPS[code[2:]]} {code[0]}E",
                tuple(sorted({m.division.code for m in group})),
                tuple(m.siecle_id for m in group),
            )
            for code, group in sorted(members.items())
        ]


def plan_population(rng: random.Random, students: int, start_year: int) -> Population:
    """Divisions, groups, students and their guardians for a collège of ``students`` pupils."""
    return _PopulationBuilder(rng, students, start_year).build()
