"""Students of a school, with their division, groups and guardians."""

from __future__ import annotations

from core.queries import lists
from core.rules.permissions import Permission
from web.api.registry import Call, Route
from web.api.schemas import StudentOut, StudentPage, StudentQuery

STUDENTS = "/schools/{uai}/students"


async def list_students(call: Call) -> StudentPage:
    """A page of students, filtered by division, name prefix and whether they are active."""
    scope = await call.scope()
    rows, total = await lists.student_page(call.school, call.query_as(StudentQuery), scope)
    return StudentPage(items=[StudentOut.of(*row) for row in rows], total=total)


async def get_student(call: Call) -> StudentOut:
    """One student of the school (one the caller may not see is not found)."""
    student_id = call.path_id()
    (await call.scope()).check(student_id)
    return StudentOut.of(*await lists.student_detail(call.school, student_id))


ROUTES = [
    Route(
        "GET",
        STUDENTS,
        list_students,
        summary="List the school's students",
        permission=Permission.READ,
        response=StudentPage,
        query=StudentQuery,
        tag="students",
        description="Ordered by name. Guardians come in the order they are contacted.",
    ),
    Route(
        "GET",
        STUDENTS + "/{id}",
        get_student,
        summary="Get one student",
        permission=Permission.READ,
        response=StudentOut,
        tag="students",
    ),
]
