"""Writes the demo's planned population: levels, divisions, groups, students, guardians.

Everything in bulk (a few statements per table, a few per teaching group), never a statement
per student: the caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tortoise.fields.relational import ManyToManyRelation

from cli.demo.data import LEVELS, ContactPlan, Population, StudentPlan
from core.models import (
    ContactKind,
    ContactPoint,
    Division,
    DivisionSet,
    Enrolment,
    GuardianLink,
    Mef,
    Person,
    ResponsibilityLevel,
    School,
    Student,
    TeachingGroup,
    Usability,
)

BATCH = 1000


async def write_population(
    school: School, population: Population, starts_on: date
) -> dict[str, int]:
    """Levels, divisions, groups, students with their enrolment, guardians; students' ids."""
    mefs, divisions = await _write_structure(school, population)
    students = await _write_students(school, population, mefs, divisions, starts_on)
    await _write_groups(school, population, divisions, students)
    ids = {key: student.id for key, student in students.items()}
    await _write_guardians(school, population, ids)
    return ids


async def _write_students(
    school: School,
    population: Population,
    mefs: Mapping[str, Mef],
    divisions: Mapping[str, Division],
    starts_on: date,
) -> dict[str, Student]:
    """The students and their enrolment in their division, from the year's first day."""
    rows = [_student(school, s, mefs, divisions, starts_on) for s in population.students]
    await Student.bulk_create(rows, batch_size=BATCH)
    students = {s.siecle_id or "": s for s in await Student.filter(school=school)}
    await Enrolment.bulk_create(
        [
            Enrolment(
                student=students[s.siecle_id],
                division=divisions[s.division.code],
                starts_on=starts_on,
            )
            for s in population.students
        ],
        batch_size=BATCH,
    )
    return students


def _student(
    school: School,
    plan: StudentPlan,
    mefs: Mapping[str, Mef],
    divisions: Mapping[str, Division],
    starts_on: date,
) -> Student:
    return Student(
        school=school,
        siecle_id=plan.siecle_id,
        elenoet=plan.elenoet,
        ine=plan.ine,
        last_name=plan.last_name,
        first_name=plan.first_name,
        birth_date=plan.birth_date,
        sex=plan.sex,
        mef=mefs[plan.division.level.mef_code],
        regime=plan.regime,
        division=divisions[plan.division.code],
        entered_on=starts_on,
    )


async def _write_structure(
    school: School, population: Population
) -> tuple[dict[str, Mef], dict[str, Division]]:
    """The 4 levels (MEF), the divisions, and a division set per level."""
    await Mef.bulk_create(
        [
            Mef(school=school, code=lv.mef_code, label=lv.label, short_label=lv.edition)
            for lv in LEVELS
        ]
    )
    mefs = {mef.code: mef for mef in await Mef.filter(school=school)}
    await Division.bulk_create(
        [
            Division(school=school, code=d.code, label=d.label, mef=mefs[d.level.mef_code])
            for d in population.divisions
        ]
    )
    divisions = {division.code: division for division in await Division.filter(school=school)}
    names = {f"Niveau {lv.digit}e": lv for lv in LEVELS}
    await DivisionSet.bulk_create([DivisionSet(school=school, name=name) for name in names])
    for division_set in await DivisionSet.filter(school=school):
        level = names[division_set.name]
        members = [divisions[d.code] for d in population.divisions if d.level == level]
        await division_set.divisions.add(*members)
    return mefs, divisions


async def _write_groups(
    school: School,
    population: Population,
    divisions: Mapping[str, Division],
    students: Mapping[str, Student],
) -> None:
    """Teaching groups with their divisions and students (a few inserts per group)."""
    plans = {g.code: g for g in population.groups}
    await TeachingGroup.bulk_create(
        [TeachingGroup(school=school, code=g.code, label=g.label) for g in plans.values()]
    )
    for group in await TeachingGroup.filter(school=school):
        plan = plans[group.code]
        await group.divisions.add(*(divisions[code] for code in plan.division_codes))
        # the reverse side of Student.groups, which the model does not annotate
        members: ManyToManyRelation[Student] = group.students  # type: ignore[attr-defined]
        chosen = [students[key] for key in plan.student_ids]
        for start in range(0, len(chosen), 500):
            await members.add(*chosen[start : start + 500])


async def _write_guardians(
    school: School, population: Population, students: Mapping[str, int]
) -> None:
    """Persons, their links to the students, and their contact points."""
    await Person.bulk_create(
        [
            Person(
                school=school,
                siecle_id=p.siecle_id,
                civility=p.civility,
                last_name=p.last_name,
                first_name=p.first_name,
            )
            for p in population.persons
        ],
        batch_size=BATCH,
    )
    persons: dict[str, int] = dict(
        await Person.filter(school=school).values_list("siecle_id", "id")
    )
    links = [
        GuardianLink(
            student_id=students[link.student_id],
            person_id=persons[link.person_id],
            level=ResponsibilityLevel(link.level),
            relationship=link.relationship,
            pays_fees=link.pays_fees,
            priority=link.priority,
        )
        for link in population.links
    ]
    await GuardianLink.bulk_create(links, batch_size=BATCH)
    contacts = [_contact(persons[p.siecle_id], c) for p in population.persons for c in p.contacts]
    await ContactPoint.bulk_create(contacts, batch_size=BATCH)


# The SIECLE field each kind comes from (core/siecle/rows.py): the demo's contact points are
# imported ones, so that a family's reply from its mobile is matched as in a real school.
SIECLE_FIELDS = {
    "mobile": "TEL_PORTABLE",
    "landline": "TEL_PERSONNEL",
    "email": "MEL",
    "postal": "ADRESSE",
}


def _contact(person_id: int, plan: ContactPlan) -> ContactPoint:
    """As the SIECLE import writes it: the home phone after the mobile."""
    return ContactPoint(
        person_id=person_id,
        siecle_field=SIECLE_FIELDS.get(plan.kind),
        kind=ContactKind(plan.kind),
        value=plan.value,
        raw_value=plan.raw_value,
        address=plan.address,
        label=plan.label,
        consent=plan.consent,
        usability=Usability(plan.usability),
        usability_note=plan.note,
        priority=2 if plan.kind == "landline" else 1,
    )
