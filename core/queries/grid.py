"""What the entry grid reads: the students of a division, group or set, and their events."""

from __future__ import annotations

from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from core.models import Event, School, Student
from core.queries.common import overlapping

TargetKind = Literal["division", "group", "set"]


async def target_students(school: School, kind: TargetKind, key: str) -> list[Student]:
    """The active students (by name, with their division) of a division or teaching group (by
    code) or of a set of divisions (by id)."""
    query = Student.filter(school=school, active=True)
    if kind == "division":
        query = query.filter(division__code=key)
    elif kind == "group":
        query = query.filter(groups__code=key, groups__school=school)
    else:
        query = query.filter(division__division_sets__id=int(key))
    return list(
        await query.prefetch_related("division")
        .order_by("last_name", "first_name", "id")
        .distinct()
    )


async def events_touching(
    school: School, student_ids: list[int], first: date, last: date, tz: ZoneInfo
) -> list[Event]:
    """The events (not entered by mistake, reasons loaded) of these students that touch the
    days ``first``–``last``, by start."""
    if not student_ids:
        return []
    found = Event.filter(school=school, student_id__in=student_ids, deleted=False)
    return list(
        await overlapping(found, first, last, tz)
        .prefetch_related("reason__generic")
        .order_by("starts_at", "id")
    )
