"""The Lessons page on a school made from its own SIECLE export and timetable files: a class's
week (week A, week B, its groups' lessons too), a lesson moved once, given by another teacher
from a date on, cancelled and restored, a lesson added; refusals worded; a teacher reads only
their own week and changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Lesson, LessonCancellation, Membership, School, User
from core.queries.lessons import lessons_of_day
from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle.files import load_export
from core.timetable import load_timetable
from tests.web.conftest import PERSONAS, UAI_A, Api
from tests.web.test_imports_page import csrf_of, log_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
EXPECTED = json.loads((EDT / "expected.json").read_text(encoding="utf-8"))
PAGE = f"/s/{UAI_A}/lessons"
WEEK_A, WEEK_B = date(2026, 12, 7), date(2026, 12, 14)
FIFTH = {"5A", "5_ALL", "5_ESP", "5_LAT"}


async def school(api: Api) -> None:
    actor = Actor.system("t")
    await import_siecle(load_export([SIECLE]), actor, school_uai=UAI_A, force_year=True)
    await import_timetable(load_timetable([EDT]), actor, school_uai=UAI_A, force_year=True)


async def text(client: TestClient[Any, Any], url: str) -> str:
    response = await client.get(url)
    assert response.status == 200, await response.text()
    return await response.text()


def expected_week(week: str) -> int:
    return sum(
        1
        for x in EXPECTED["lessons"]
        if (x["division"] or x["group"]) in FIFTH and x["pattern"] in ("H", week)
    )


async def test_a_class_week_follows_weeks_a_and_b(api: Api) -> None:
    await school(api)
    client = api.client
    await log_in(client, PERSONAS["cpe"][0])
    week_a = await text(client, f"{PAGE}?show=division:5A&week={WEEK_A + timedelta(days=2)}")
    week_b = await text(client, f"{PAGE}?show=division:5A&week={WEEK_B}")
    assert "Cours de la semaine du lundi 7 décembre" in week_a
    assert week_a.count('class="lesson"') == expected_week("Q1")
    assert week_b.count('class="lesson"') == expected_week("Q2")
    assert "5_ESP" in week_a and 'value="division:5A" selected' in week_a
    assert "Ajouter un cours" in week_a
    bad = await client.get(f"{PAGE}?week=2026-13-45")
    assert bad.status == 400 and "AAAA-MM-JJ" in await bad.text()


async def test_moved_once_given_by_another_from_a_date_cancelled_and_restored(api: Api) -> None:
    await school(api)
    client = api.client
    await log_in(client, PERSONAS["cpe"][0])
    thursday = WEEK_A + timedelta(days=3)
    [first, *_] = await of_day(thursday)
    lesson = first.lesson
    edit = f"{PAGE}/{lesson.id}?day={thursday}"
    page = await text(client, edit)
    assert "Déplacer, changer de salle ou d&#39;enseignant" in page
    token = await csrf_of(client, edit)
    moved = await client.post(
        f"{PAGE}/{lesson.id}/move",
        data={
            "csrf": token,
            "day": str(thursday),
            "scope": "once",
            "start": "16:00",
            "end": "17:00",
            "room": "CDI",
            "teacher": str(lesson.teacher_id),
        },
    )
    assert moved.status == 200 and "Cours modifié pour ce jour seulement." in await moved.text()
    assert await LessonCancellation.exists(lesson_id=lesson.id, day=thursday)
    one_off = await Lesson.get(replaces_id=lesson.id)
    assert (one_off.starts_on, one_off.ends_on, one_off.room) == (thursday, thursday, "CDI")
    week_later = thursday + timedelta(days=14)
    assert lesson.id in [i.lesson.id for i in await of_day(week_later)]

    other = next(
        m
        for m in await Membership.filter(school__uai=UAI_A, sts_id__isnull=False)
        if m.user_id != lesson.teacher_id
    )
    token = await csrf_of(client, f"{PAGE}/{lesson.id}?day={week_later}")
    clash = await client.post(
        f"{PAGE}/{lesson.id}/move",
        data={
            "csrf": token,
            "day": str(week_later),
            "scope": "from",
            "start": "00:30",
            "end": "00:10",
            "teacher": str(other.user_id),
        },
    )
    assert clash.status == 422 and "Les horaires ne conviennent pas" in await clash.text()
    replaced = await client.post(
        f"{PAGE}/{lesson.id}/move",
        data={
            "csrf": token,
            "day": str(week_later),
            "scope": "from",
            "start": f"{lesson.start_minute // 60:02d}:{lesson.start_minute % 60:02d}",
            "end": f"{lesson.end_minute // 60:02d}:{lesson.end_minute % 60:02d}",
            "teacher": str(other.user_id),
        },
    )
    body = await replaced.text()
    if replaced.status == 422:  # the other teacher is busy then: worded, nothing changed
        assert "déjà un cours" in body
        assert not await Lesson.filter(replaces_id=lesson.id, starts_on=week_later).exists()
    else:
        assert "Cours modifié à partir de ce jour." in body
        await lesson.refresh_from_db()
        assert lesson.ends_on == week_later - timedelta(days=1)
        successor = await Lesson.get(replaces_id=lesson.id, starts_on=week_later)
        assert successor.teacher_id == other.user_id and successor.ends_on is None

    friday = WEEK_A + timedelta(days=4)
    [later, *_] = await of_day(friday)
    token = await csrf_of(client, f"{PAGE}/{later.lesson.id}?day={friday}")
    cancelled = await client.post(
        f"{PAGE}/{later.lesson.id}/cancel",
        data={"csrf": token, "day": str(friday), "scope": "once", "reason": "Sortie au musée"},
    )
    assert "Cours annulé ce jour." in await cancelled.text()
    assert later.lesson.id not in [i.lesson.id for i in await of_day(friday)]
    shown = await text(client, f"{PAGE}?show=teacher:{later.lesson.teacher_id}&week={WEEK_A}")
    assert "annulé" in shown
    restored = await client.post(
        f"{PAGE}/{later.lesson.id}/restore", data={"csrf": token, "day": str(friday)}
    )
    assert "Cours rétabli ce jour." in await restored.text()
    assert later.lesson.id in [i.lesson.id for i in await of_day(friday)]
    actions = set(await AuditEntry.filter(entity="lesson").values_list("action", flat=True))
    assert {"lesson.move_once", "lesson.cancel", "lesson.restore"} <= actions


async def test_a_lesson_added_once_and_a_teacher_reading_their_own_week(api: Api) -> None:
    await school(api)
    client = api.client
    teacher = await User.get(email=PERSONAS["teacher"][0])
    await log_in(client, PERSONAS["cpe"][0])
    saturday = WEEK_A + timedelta(days=5)
    token = await csrf_of(client, f"{PAGE}/new?show=division:5A&day={saturday}")
    form = {
        "csrf": token,
        "show": "division:5A",
        "day": str(saturday),
        "start": "09:00",
        "end": "11:00",
        "subject": "Sortie au musée",
        "teacher": str(teacher.id),
        "room": "",
    }
    added = await client.post(f"{PAGE}/new", data=form)
    assert added.status == 200 and "Cours ajouté." in await added.text()
    lesson = await Lesson.get(subject="Sortie au musée")
    assert (lesson.starts_on, lesson.ends_on, lesson.teacher_id) == (saturday, saturday, teacher.id)
    again = await client.post(f"{PAGE}/new", data=form)
    assert again.status == 422 and "déjà un cours" in await again.text()
    empty = await client.post(
        f"{PAGE}/new", data=form | {"subject": " ", "day": str(saturday + timedelta(days=7))}
    )
    assert empty.status == 422 and "matière" in (await empty.text()).lower()

    await client.post("/logout", data={"csrf": await csrf_of(client, PAGE)})
    await log_in(client, PERSONAS["teacher"][0])
    own = await text(client, f"{PAGE}?show=division:5A&week={WEEK_A}")
    assert own.count('class="lesson"') == 1 and "Sortie au musée" in own
    assert "Modifier" not in own and 'id="lessons-show"' not in own
    refused = await client.get(f"{PAGE}/{lesson.id}?day={saturday}")
    assert refused.status == 403


async def of_day(day: date) -> list[Any]:
    return await lessons_of_day(await School.get(uai=UAI_A), day)
