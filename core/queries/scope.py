"""Which students a reader may see: everyone in the school, or a teacher's own students."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.models import School, Student
from core.models.lesson import Lesson


@dataclass(frozen=True)
class Scope:
    """``students`` None: every student of the school; else only these ids."""

    students: frozenset[int] | None = None

    def allows(self, student_id: int) -> bool:
        return self.students is None or student_id in self.students


ALL = Scope()


async def taught_students(school: School, teacher_id: int) -> frozenset[int]:
    """The active students of the divisions and groups the teacher has a lesson with."""
    lessons = await Lesson.filter(school=school, teacher_id=teacher_id).values_list(
        "division_id", "group_id"
    )
    divisions = sorted({d for d, _ in lessons if d is not None})
    groups = sorted({g for _, g in lessons if g is not None})
    found: list[Any] = []
    if divisions:
        students = Student.filter(school=school, active=True, division_id__in=divisions)
        found += await students.values_list("id", flat=True)
    if groups:
        students = Student.filter(school=school, active=True, groups__id__in=groups)
        found += await students.values_list("id", flat=True)
    return frozenset(int(i) for i in found)


async def reader_scope(school: School, user_id: int, role: str) -> Scope:
    """A teacher reads only the students they teach; the other roles read the whole school."""
    if role != "teacher":
        return ALL
    return Scope(await taught_students(school, user_id))
