"""Which students a reader may see, and how much of them: the query side of
:mod:`core.rules.visibility`, shared by the panel and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import NotFound
from core.models import School, Student
from core.models.lesson import Lesson
from core.rules.visibility import EVERYTHING, Visibility, visibility

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """``students`` None: every student of the school; else only these ids. ``view``: what the
    reader sees of them."""

    students: frozenset[int] | None = None
    view: Visibility = EVERYTHING

    def allows(self, student_id: int | None) -> bool:
        """Whether the reader may see that student (None: nobody's, e.g. an unmatched reply)."""
        if self.students is None:
            return True
        return student_id is not None and student_id in self.students

    def narrow(self, found: QuerySet[M], field: str = "student_id") -> QuerySet[M]:
        """``found`` limited to the rows about the reader's students."""
        if self.students is None:
            return found
        return found.filter(**{f"{field}__in": sorted(self.students)})

    def check(self, student_id: int | None, what: str = "student") -> None:
        """Not found when the reader may not see that student (as if it did not exist)."""
        if not self.allows(student_id):
            raise NotFound(f"no {what} here")


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
    """A teacher reads only the students they teach, redacted; the other roles the whole
    school (:func:`core.rules.visibility.visibility` decides)."""
    view = visibility(role, teachers_see_reasons=school.teachers_see_reasons)
    if view.whole_school:
        return Scope(None, view)
    return Scope(await taught_students(school, user_id), view)
