"""The demo school: a realistic fictional collège built from a seed, to try the service on.

The plain values come from :mod:`cli.demo.data`, :mod:`~cli.demo.people`
and :mod:`~cli.demo.events`; this module writes them in one transaction, in bulk.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from cli.demo.data import school_identity
from cli.demo.events import EventPlan, EventPlanner, ReasonInfo
from cli.demo.lessons import add_demo_lessons
from cli.demo.people import plan_population
from cli.demo.store import BATCH, write_population
from core.errors import Conflict, Invalid
from core.models import (
    ClosedDay,
    Event,
    EventSource,
    JustificationType,
    Reason,
    School,
    SchoolYear,
)
from core.queries.calendar import load_calendar
from core.services import audit
from core.services.audit import Actor
from core.services.schools.operators import set_operator
from core.services.schools.school import create_school
from core.services.schools.users import add_user

DEMO_UAI = "0999001X"
DEMO_PASSWORD = "absences-demo"
DEMO_DOMAIN = "demo.absences.test"
# (the email's local part, role, display name; empty: the head named on the letterhead)
STAFF = (
    ("admin", "admin", "Administrateur de la démo"),
    ("direction", "direction", ""),
    ("cpe", "cpe", "CPE"),
    ("vie-scolaire", "vie_scolaire", "Vie scolaire"),
    ("prof", "teacher", "Professeur principal"),
    ("prof2", "teacher", "Professeure d'anglais"),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    school_uai: str
    school_name: str
    students: int
    divisions: int
    guardians: int
    events: int
    logins: list[DemoLogin]


@dataclass(frozen=True)
class _Ids:
    """Database ids the event rows refer to, by their natural keys."""

    school: int
    students: Mapping[str, int]  # SIECLE ELEVE_ID →
    users: Mapping[str, int]  # role →
    reasons: Mapping[str, int]  # code →
    justifications: Mapping[str, int]  # code →


async def build_demo(
    *,
    students: int = 600,
    weeks: int = 4,
    seed: int = 1,
    today: date | None = None,
    uai: str = DEMO_UAI,
    password: str = DEMO_PASSWORD,
) -> DemoSummary:
    """Create a fictional collège with ``students`` pupils and ``weeks`` weeks of events.

    The same seed and the same ``today`` give the same data. Events fall on the school's
    half-days of the current school year, from ``weeks`` weeks before ``today`` to the day
    before it. Raises Invalid for students < 1 or weeks < 0, Conflict if the UAI exists.
    """
    if students < 1 or weeks < 0:
        raise Invalid("the demo needs at least 1 student and 0 or more weeks")
    uai = uai.strip().upper()
    if await School.exists(uai=uai):
        raise Conflict(f"the school {uai} already exists")
    today = today or date.today()
    rng = random.Random(seed)
    name, letterhead = school_identity(rng, uai)
    async with in_transaction():
        school = await create_school(  # a zone C collège: its holidays are closed days
            uai, name, Actor.system("demo"), today=today, letterhead=letterhead, holiday_zone="C"
        )
        head = str(letterhead["head_name"])
        summary = await _populate(school, rng, students, weeks, today, password, head)
        await add_demo_lessons(school)
        await _record(school, summary, seed, weeks, today)
    return summary


async def _populate(
    school: School,
    rng: random.Random,
    students: int,
    weeks: int,
    today: date,
    password: str,
    head: str,
) -> DemoSummary:
    """Everything but the school itself: closed days, people, staff, events."""
    year = await SchoolYear.get(school=school)
    first = max(today - timedelta(weeks=weeks), year.starts_on)
    last = min(today - timedelta(days=1), year.ends_on)
    await _write_staff_day(school, rng, first, last)
    population = plan_population(rng, students, year.start_year)
    student_ids = await write_population(school, population, year.starts_on)
    users, logins = await _write_staff(school, school.uai, password, head)
    planner = EventPlanner(
        rng,
        await load_calendar(school),
        first=first,
        last=last,
        today=today,
        reasons=await _reason_infos(school),
    )
    plans = planner.plan([s.siecle_id for s in population.students])
    ids = await _ids(school, student_ids, users)
    await Event.bulk_create([_event_row(ids, p) for p in plans], batch_size=BATCH)
    return DemoSummary(
        school.uai,
        school.name,
        students,
        len(population.divisions),
        len(population.persons),
        len(plans),
        logins,
    )


async def _write_staff_day(school: School, rng: random.Random, first: date, last: date) -> None:
    """One afternoon closed for a staff day in the window (the zone's holidays and the
    public holidays are closed days since the school was created)."""
    closed = set(await ClosedDay.filter(school=school).values_list("day", flat=True))
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    open_days = [d for d in span if d.weekday() in (0, 1, 3, 4) and d not in closed]
    if open_days:
        day = rng.choice(open_days)
        await ClosedDay.create(school=school, day=day, half="pm", label="Journée pédagogique")


def login_email(local: str, uai: str) -> str:
    """``cpe@demo.absences.test`` for the default demo, ``cpe.<uai>@…`` for another UAI."""
    suffix = "" if uai == DEMO_UAI else f".{uai.lower()}"
    return f"{local}{suffix}@{DEMO_DOMAIN}"


async def _write_staff(
    school: School, uai: str, password: str, head: str
) -> tuple[dict[str, int], list[DemoLogin]]:
    """One account per role and a second teacher; the first user of each role by role."""
    users: dict[str, int] = {}
    logins: list[DemoLogin] = []
    for local, role, name in STAFF:
        email = login_email(local, uai)
        user = await add_user(
            email, password, school, role, Actor.system("demo"), display_name=name or head
        )
        users.setdefault(role, user.id)
        logins.append(DemoLogin(email, role, password))
        if role == "admin":  # the demo's admin runs the install: creates schools
            await set_operator(email, Actor.system("demo"))
    return users, logins


async def _reason_infos(school: School) -> dict[str, ReasonInfo]:
    return {
        r.code: ReasonInfo(r.legitimate_by_default, r.counts)
        for r in await Reason.filter(school=school, active=True)
    }


async def _ids(school: School, students: Mapping[str, int], users: Mapping[str, int]) -> _Ids:
    reasons: dict[str, int] = dict(await Reason.filter(school=school).values_list("code", "id"))
    justifications: dict[str, int] = dict(
        await JustificationType.filter(school=school).values_list("code", "id")
    )
    return _Ids(school.id, students, users, reasons, justifications)


def _event_row(ids: _Ids, plan: EventPlan) -> Event:
    recorder, cpe = ids.users[plan.recorded_by], ids.users["cpe"]
    decided = plan.decided_at
    judged = plan.accepted is not None
    justification = ids.justifications.get(plan.justification) if plan.justification else None
    return Event(
        school_id=ids.school,
        student_id=ids.students[plan.student],
        kind=plan.kind,
        starts_at=plan.start,
        ends_at=plan.end,
        reason_id=ids.reasons[plan.reason],
        reason_by_id=recorder,
        reason_at=decided or plan.recorded_at,
        justification_id=justification,
        accepted=plan.accepted,
        accepted_by_id=cpe if judged else None,
        accepted_at=decided if judged else None,
        settled=plan.settled,
        settled_by_id=cpe if plan.settled else None,
        settled_at=decided if plan.settled else None,
        counts=plan.counts,
        comment=plan.comment,
        source=EventSource.DEMO,
        recorded_by_id=recorder,
        recorded_at=plan.recorded_at,
        recorded_from="demo",
    )


async def _record(school: School, summary: DemoSummary, seed: int, weeks: int, today: date) -> None:
    after: dict[str, Any] = {
        "students": summary.students,
        "divisions": summary.divisions,
        "guardians": summary.guardians,
        "events": summary.events,
        "seed": seed,
        "weeks": weeks,
        "today": today.isoformat(),
    }
    await audit.record(Actor.system("demo"), "demo.build", school, school_id=school.id, after=after)
