"""Today's dashboard: absent now, lateness, roll calls missing, replies waiting, failures."""

from __future__ import annotations

from datetime import timedelta

from core.models import DeliveryStatus, Lesson, Membership, Role, User
from core.queries import dashboard
from tests.core.queries.conftest import MONDAY, Data, add_notice, add_reply, at

WEDNESDAY_10 = at(MONDAY, 10, days=2)


async def test_who_is_absent_now_and_who_was_late_today(data: Data) -> None:
    board = await dashboard(data.school, WEDNESDAY_10)
    assert board.day == MONDAY + timedelta(days=2)
    assert (board.absent_now, board.absent, board.late) == (1, 1, 1)
    assert [(r.student, r.kind, r.now) for r in board.rows] == [
        ("MARTIN Inès", "absence", True),
        ("DUPUIS Léo", "lateness", False),
    ]
    after = await dashboard(data.school, at(MONDAY, 13, days=2))
    assert (after.absent_now, after.absent) == (0, 1)


async def test_replies_waiting_and_deliveries_failed_in_the_last_week(data: Data) -> None:
    before = await dashboard(data.school, WEDNESDAY_10)
    await add_notice(data, "marie_mon", DeliveryStatus.FAILED, at(MONDAY, 9))
    await add_notice(data, "marie_tue", DeliveryStatus.UNDELIVERED, at(MONDAY, 9, days=-10))
    await add_notice(data, "ines_wed", DeliveryStatus.DELIVERED, at(MONDAY, 9, days=2))
    await add_reply(data, "marie", at(MONDAY, 19), "Elle était malade")
    board = await dashboard(data.school, WEDNESDAY_10)
    assert board.failed_deliveries == before.failed_deliveries + 1
    assert (before.replies_waiting, board.replies_waiting) == (0, 1)


async def test_roll_calls_missing_are_the_lessons_begun_without_one(data: Data) -> None:
    teacher = await User.create(email="prof@alpha.example", display_name="M. Prof")
    await Membership.create(user=teacher, school=data.school, role=Role.TEACHER)
    division = await data.students["leo"].division
    assert division is not None
    for start in (8 * 60, 11 * 60):  # Wednesday 8:00 (begun) and 11:00 (not yet at 10:00)
        await Lesson.create(
            school=data.school,
            teacher=teacher,
            division=division,
            weekday=2,
            start_minute=start,
            end_minute=start + 60,
            subject="Maths",
        )
    (missing,) = (await dashboard(data.school, WEDNESDAY_10)).missing_roll_calls
    assert (missing.start, missing.teacher, missing.students) == ("08:00", "M. Prof", "5B")
