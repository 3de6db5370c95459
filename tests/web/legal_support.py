"""The legal follow-up's story, for the page over HTTP and in Chromium: Collège Jean Moulin
created from its SIECLE export, its staff, and in October 2026 a pupil who reaches the monthly
threshold on Thursday 8 (the letter planned that night and made by the letter channel), a
meeting with the family recorded; a classmate's family asked about an absence that never
answered; and the panel's clock on Monday 12 October."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Delivery, School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.delivery.send import deliver
from core.services.events.actions import record_action
from core.services.events.record import record_event
from core.services.notices.planning import plan_dated_notices
from core.services.schools.school import create_school, now_utc
from core.services.schools.users import add_user
from core.services.siecle.importer import import_siecle
from core.settings import load_settings
from core.siecle.files import load_export
from tests.core.services.letter_support import channels
from web.app import create_app
from web.panel.session import CLOCK
from workers.mailroom import build_mailroom
from workers.runtime import start_runtime
from workers.senders import render

PARIS = ZoneInfo("Europe/Paris")
SIECLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
OTHER_UAI = "0759999Z"
PASSWORD = "a long enough password"
SYSTEM = Actor.system("tests")
MON, TUE, THU, FRI = date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 8), date(2026, 10, 9)
STORY_NOW = datetime.combine(date(2026, 10, 12), time(10), tzinfo=PARIS)
STAFF = {
    "cpe": "cpe@jean-moulin.example",
    "direction": "principal@jean-moulin.example",
    "vie_scolaire": "vs@jean-moulin.example",
    "teacher": "prof@jean-moulin.example",
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@dataclass
class Story:
    school: School
    pupil: Student  # crossed the threshold on Thursday
    silent: Student  # their family never answered
    stranger: Student  # a pupil of another school


async def _absent(school: School, pupil: Student, start: datetime, end: datetime) -> None:
    await record_event(
        school, SYSTEM, student_id=pupil.id, kind=EventKind.ABSENCE, start=start, end=end, now=start
    )


async def _send(student: Student, when: datetime, var_dir: Path) -> None:
    """The worker's sending of the student's notices due by ``when``."""
    box = channels(var_dir)
    for delivery in await Delivery.filter(notice__student_id=student.id, status="scheduled"):
        await deliver(delivery.id, box.senders, now=when, render=render)


async def october(var_dir: Path) -> Story:
    await import_siecle(load_export([SIECLE]), SYSTEM, today=date(2026, 9, 22))
    school = await School.get(uai=UAI)
    school.reminder_after_days = 0
    await school.save()
    for role, email in STAFF.items():
        await add_user(email, PASSWORD, school, role, SYSTEM, display_name=role.upper())
    pupil, silent = await Student.filter(school=school, active=True).order_by("id").limit(2)
    await _absent(school, pupil, at(MON, 8), at(MON, 17))
    await _absent(school, pupil, at(TUE, 8), at(TUE, 12))
    await _absent(school, pupil, at(THU, 8), at(THU, 17))
    await _absent(school, silent, at(TUE, 8), at(TUE, 12))
    await plan_dated_notices(school, at(FRI, 0, 30))
    await _send(pupil, at(FRI, 18), var_dir)
    await _send(silent, at(TUE, 18), var_dir)
    await record_action(school, SYSTEM, pupil.id, "ENTRETIEN", at(FRI, 16), "Reçue avec son père")
    other = await create_school(OTHER_UAI, "Collège B", SYSTEM, today=date(2026, 9, 1))
    stranger = await Student.create(school=other, last_name="Autre", first_name="Élève")
    return Story(school, pupil, silent, stranger)


async def serve_story(var_dir: Path) -> AsyncIterator[Any]:
    """The app as ``absences serve`` assembles it (with the mailroom), its clock on the story's
    Monday."""
    settings = load_settings(var_dir=var_dir)
    runtime = await start_runtime(settings, sweep=False)
    app = create_app(settings, runtime.queue, mailroom=build_mailroom(settings))
    app[CLOCK].offset = STORY_NOW - now_utc()
    try:
        yield app
    finally:
        await runtime.close()
