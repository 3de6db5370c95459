"""Teachers the timetable brought have no login until an admin gives them an email: the
invitation gives that account the email and a password, or joins it to the account the person
already has (their lessons and STS id follow); login-less accounts never sign in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import NotFound
from core.models import AuditEntry, Lesson, Membership, Role, School, User
from core.services.access.login import log_in
from core.services.schools import invitations
from core.services.schools.users import add_user
from tests.core.services.test_timetable_import import ADMIN, EXPECTED, export, run, school

NOW = datetime(2026, 9, 23, 8, tzinfo=UTC)
PASSWORD = "a long enough password"
__all__ = ["school"]


async def login_less(school: School) -> Membership:
    await run(export())
    sts_id = next(iter(EXPECTED["teachers"]))
    return await Membership.get(school=school, sts_id=sts_id).prefetch_related("user")


async def test_an_invited_teacher_gets_the_account_the_import_made(school: School) -> None:
    member = await login_less(school)
    lessons = await Lesson.filter(teacher_id=member.user_id).count()
    assert lessons > 0 and member.user.email is None
    invitation = await invitations.invite_staff(
        school, "odile@college.example", "admin", ADMIN, now=NOW, member_id=member.user_id
    )
    assert invitation.role == Role.TEACHER  # the member's role, not the one posted
    found = await invitations.issue_link(invitation.id, NOW)
    assert found is not None
    user = await invitations.accept_with_new_account(found[1], "", PASSWORD, now=NOW)
    assert user.id == member.user_id and user.email == "odile@college.example"
    assert user.display_name == member.user.display_name
    assert await Lesson.filter(teacher_id=user.id).count() == lessons
    assert await log_in("odile@college.example", PASSWORD, "127.0.0.1", now=NOW) is not None
    assert await AuditEntry.filter(action="user.login", entity_id=str(user.id)).exists()


async def test_a_teacher_with_an_account_takes_over_the_lessons(school: School) -> None:
    member = await login_less(school)
    lessons = await Lesson.filter(teacher_id=member.user_id).count()
    other = await School.create(uai="0699999Z", name="Autre collège")
    known = await add_user("prof@elsewhere.example", PASSWORD, other, "teacher", ADMIN)
    invitation = await invitations.invite_staff(
        school, "prof@elsewhere.example", "teacher", ADMIN, now=NOW, member_id=member.user_id
    )
    found = await invitations.issue_link(invitation.id, NOW)
    assert found is not None
    user = await invitations.accept_with_account(found[1], PASSWORD, "127.0.0.1", now=NOW)
    assert user.id == known.id
    assert await Lesson.filter(teacher_id=known.id).count() == lessons
    joined = await Membership.get(school=school, user=known)
    assert (joined.role, joined.sts_id) == (Role.TEACHER, member.sts_id)
    assert not await User.exists(id=member.user_id)
    again = await run(export())  # the next import finds them by their STS id
    assert again.changes == 0


async def test_only_a_login_less_member_of_the_school_can_be_given_an_email(
    school: School,
) -> None:
    await login_less(school)
    staff = await add_user("cpe@college.example", PASSWORD, school, "cpe", ADMIN)
    with pytest.raises(NotFound):
        await invitations.invite_staff(
            school, "x@college.example", "teacher", ADMIN, now=NOW, member_id=staff.id
        )
    assert await log_in("", "", "127.0.0.1", now=NOW) is None
