"""The plan_notices task through the in-process queue: registered with the periodic tasks, it
plans each school's day once and its deliveries go out through the real outbox adapter."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.models import Notice, School, Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from gateway.outbox.transport import OutboxTransport
from tests.core.services.notice_support import MOTHER_MOBILE, absence, make_family
from workers.planning import PLAN, plan_notices
from workers.queue import InlineQueue
from workers.senders import Channels, wrap
from workers.tasks import CRON, FUNCTIONS

SYSTEM = Actor.system("tests")


ZONES = (  # offsets all round the clock: one of them is always in its working hours
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/Paris",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Tokyo",
    "Pacific/Noumea",
    "Pacific/Auckland",
)


def daytime_zone() -> str:
    """A zone where it is now between 9:00 and 17:00, so that what the planner writes may
    leave at once (dated notices never leave before 8:00 local)."""
    now = datetime.now(UTC)
    return next(z for z in ZONES if 9 <= now.astimezone(ZoneInfo(z)).hour < 17)


def recent_weekday(today: date) -> date:
    """A school day whose absence calls for a reminder today (3 to 10 days ago)."""
    day = today - timedelta(days=3)
    while day.weekday() >= 5 or day.weekday() == 2:  # Wednesday: no afternoon, keep it simple
        day -= timedelta(days=1)
    return day


def local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


@pytest.fixture
async def channels(tmp_path: Path) -> AsyncIterator[Channels]:
    kit = wrap({c: OutboxTransport(tmp_path, channel=c) for c in ("sms", "email")})
    yield kit
    await kit.close()


@pytest.fixture
async def queue(channels: Channels) -> AsyncIterator[InlineQueue]:
    ctx: dict[str, Any] = {"channels": channels}
    runner = InlineQueue(FUNCTIONS, ctx)
    ctx["queue"] = runner
    await runner.start()
    yield runner
    await runner.close()


async def school_with_an_old_absence(uai: str, zone: str) -> tuple[School, Student]:
    """A school where it is daytime now, without quiet hours, and a pupil absent a few school
    days ago, whose absence is still not justified."""
    tz = ZoneInfo(zone)
    today = datetime.now(UTC).astimezone(tz).date()
    school = await create_school(uai, f"Collège {uai}", SYSTEM, timezone=zone, today=today)
    school.quiet_hours = None
    await school.save()
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
    await make_family(school, pupil)
    day = recent_weekday(today)
    await absence(
        school, SYSTEM, pupil, local(day, 8, tz), local(day, 10, tz), now=local(day, 9, tz)
    )
    return school, pupil


def test_planning_runs_with_the_other_periodic_tasks() -> None:
    assert FUNCTIONS[PLAN] is plan_notices and PLAN in CRON


async def test_the_task_plans_each_school_once_and_the_reminders_go_out(
    db: str, queue: InlineQueue, tmp_path: Path
) -> None:
    zone = daytime_zone()
    first, pupil = await school_with_an_old_absence("0750001A", zone)
    second, other = await school_with_an_old_absence("0690002B", zone)

    assert await queue.enqueue(PLAN, job_id="plan:1")
    await queue.drain(timeout=10)

    reminders = await Notice.filter(kind="reminder").order_by("student_id")
    assert [n.student_id for n in reminders] == [pupil.id, other.id]
    sent = [json.loads(p.read_text()) for p in (tmp_path / "outbox").glob("*.json")]
    assert len(sent) == 4  # both parents of both pupils, by SMS
    assert {m["to"] for m in sent} >= {MOTHER_MOBILE}
    assert all("toujours pas le motif" in m["body"] for m in sent)
    assert {(await School.get(id=s.id)).planned_on for s in (first, second)} == {
        datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    }
    assert queue.jobs_failed == 0

    assert await plan_notices({"queue": queue}) == 0  # the day is planned: nothing again
    await queue.drain(timeout=10)
    assert await Notice.filter(kind="reminder").count() == 2
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 4


async def test_a_school_that_fails_does_not_stop_the_others(
    db: str, queue: InlineQueue, tmp_path: Path
) -> None:
    broken, _ = await school_with_an_old_absence("0750001A", daytime_zone())
    await school_with_an_old_absence("0690002B", daytime_zone())
    planned_before = date(2020, 1, 1)
    await School.filter(id=broken.id).update(
        timezone="Mars/Olympus_Mons", planned_on=planned_before
    )

    assert await plan_notices({"queue": queue}) == 2  # the good school's two parents
    await queue.drain(timeout=10)
    assert (await School.get(id=broken.id)).planned_on == planned_before  # tried next run
    assert await Notice.filter(kind="reminder").count() == 1
