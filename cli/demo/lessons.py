"""The demo school's lessons: each teacher account teaches a few divisions every weekday.

Called by :func:`cli.demo.build.build_demo` once the staff and the divisions exist, so that
a teacher who logs in to the demo finds today's lessons on the roll call page.
"""

from __future__ import annotations

from typing import Any

from core.models import Division, Lesson, Membership, Role, School, TimetableSlot
from core.services import audit
from core.services.audit import Actor

SUBJECTS = ("Mathématiques", "Anglais", "Histoire-géographie", "Français", "SVT", "EPS")
LESSONS_PER_DAY = 3


def _lessons_of(
    school: School,
    teacher_id: int,
    rank: int,
    teachers: int,
    slots: list[TimetableSlot],
    divisions: list[Division],
) -> list[Lesson]:
    """Every ``teachers``-th slot of each weekday from ``rank``: teachers never clash."""
    rows: list[Lesson] = []
    for weekday in range(5):
        day = [s for s in slots if s.weekday == weekday][rank::teachers][:LESSONS_PER_DAY]
        for number, slot in enumerate(day):
            division = divisions[(rank + number * teachers) % len(divisions)]
            rows.append(
                Lesson(
                    school=school,
                    teacher_id=teacher_id,
                    division=division,
                    weekday=weekday,
                    start_minute=slot.start_minute,
                    end_minute=slot.end_minute,
                    subject=SUBJECTS[rank % len(SUBJECTS)],
                )
            )
    return rows


async def add_demo_lessons(school: School) -> int:
    """Give each teacher of ``school`` a few lessons a day on its timetable; returns how many."""
    found: list[Any] = await Membership.filter(school=school, role=Role.TEACHER).values_list(
        "user_id", flat=True
    )
    teacher_ids = sorted(int(i) for i in found)
    divisions = await Division.filter(school=school, active=True).order_by("code")
    slots = await TimetableSlot.filter(school=school).order_by("weekday", "start_minute")
    if not teacher_ids or not divisions:
        return 0
    rows: list[Lesson] = []
    for rank, teacher_id in enumerate(teacher_ids):
        rows.extend(_lessons_of(school, teacher_id, rank, len(teacher_ids), slots, divisions))
    await Lesson.bulk_create(rows)
    await audit.record(
        Actor.system("demo"),
        "demo.lessons",
        "lesson",
        school_id=school.id,
        after={"lessons": len(rows), "teachers": len(teacher_ids)},
    )
    return len(rows)
