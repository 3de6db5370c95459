"""POST /api/v1/schools/{uai}/imports/timetable and GET /api/v1/schools/{uai}/lessons: school A
of the personas made from the 2026-27 SIECLE sample, then its two timetable files uploaded;
a day's lessons by division (with its groups'), group and teacher; a teacher sees their own."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import FormData

from core.models import Lesson, User
from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.web.conftest import UAI_A, Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
EXPECTED = json.loads((EDT / "expected.json").read_text(encoding="utf-8"))
URL = f"/schools/{UAI_A}/imports/timetable"
LESSONS = f"/schools/{UAI_A}/lessons"
WEEK_A_MONDAY = date(2026, 12, 7)  # Q1
WEEK_B_MONDAY = date(2026, 12, 14)  # Q2


def files_form(*paths: Path, **fields: str) -> FormData:
    form = FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for path in paths:
        form.add_field("files", path.read_bytes(), filename=path.name, content_type="text/xml")
    return form


def both(**fields: str) -> FormData:
    return files_form(*sorted(EDT.glob("*.xml")), **fields)


async def imported(api: Api) -> None:
    export = load_export([SIECLE])
    await import_siecle(export, Actor.system("test"), school_uai=UAI_A, force_year=True)


def expected_on(day: date, **where: Any) -> list[tuple[str, str]]:
    week = "Q1" if (day - WEEK_A_MONDAY).days // 7 % 2 == 0 else "Q2"
    return sorted(
        (x["start"], x["division"] or x["group"])
        for x in EXPECTED["lessons"]
        if x["day"] == day.isoweekday()
        and x["pattern"] in ("H", week)
        and all(x[k] in v for k, v in where.items())
    )


async def test_an_admin_previews_then_imports_the_timetable(api: Api) -> None:
    await imported(api)
    status, preview = await api.call(
        "POST", URL, as_="admin", data=both(dry_run="true", force_year="true")
    )
    assert status == 200, preview
    assert preview["dry_run"] and preview["counts"]["lessons"]["created"] == len(
        EXPECTED["lessons"]
    )
    assert await Lesson.filter(school__uai=UAI_A).count() == 0
    status, body = await api.call("POST", URL + "?force_year=true", as_="admin", data=both())
    assert status == 200 and body["counts"]["staff"]["created"] == 30
    assert len(body["added"]) == len(EXPECTED["lessons"]) and body["unknown"] == []
    status, again = await api.call("POST", URL + "?force_year=true", as_="admin", data=both())
    assert status == 200 and again["changes"] == 0


async def test_refusals_are_one_line_and_change_nothing(api: Api) -> None:
    await imported(api)
    status, body = await api.call("POST", URL, as_="admin", data=both())
    assert status == 422 and "2026-2027" in json.dumps(body)
    bad = files_form(EDT / "emp_sts_0751234X_2026.xml")
    status, body = await api.call(
        "POST", "/schools/0759999Z/imports/timetable", as_="admin", data=bad
    )
    assert status == 403
    status, body = await api.call("POST", URL, as_="cpe", data=both(force_year="true"))
    assert status == 403
    assert await Lesson.filter(school__uai=UAI_A).count() == 0


async def test_a_days_lessons_by_division_group_and_teacher(api: Api) -> None:
    await imported(api)
    teacher = await User.get(email="teacher@a.example.org")
    sts_id, name = "41597", EXPECTED["teachers"]["41597"]
    teacher.display_name = name  # the persona is that teacher: matched by name on import
    await teacher.save()
    status, _ = await api.call("POST", URL + "?force_year=true", as_="admin", data=both())
    assert status == 200
    for day in (WEEK_A_MONDAY, WEEK_B_MONDAY, date(2026, 12, 10)):
        status, body = await api.call("GET", f"{LESSONS}?date={day}&division=5A", as_="cpe")
        assert status == 200, body
        got = sorted((i["start"][11:16], i["division"] or i["group"]) for i in body["items"])
        groups = {"5_ALL", "5_ESP", "5_LAT"}
        assert got == sorted(expected_on(day, division=("5A",)) + expected_on(day, group=groups))
    status, body = await api.call("GET", f"{LESSONS}?date={WEEK_A_MONDAY}&group=5_ESP", as_="cpe")
    item = body["items"][0] if body["items"] else None
    assert [i["group"] for i in body["items"]] == ["5_ESP"] * len(
        expected_on(WEEK_A_MONDAY, group=("5_ESP",))
    )
    if item is not None:
        assert item["division"] is None and item["start"].endswith("+01:00")
        assert item["roll_call"] == {"taken": False, "taken_at": None, "by": None}
        assert set(item) == {
            "id",
            "date",
            "start",
            "end",
            "subject",
            "teacher",
            "division",
            "group",
            "room",
            "roll_call",
        }
    thursday = date(2026, 12, 10)
    status, own = await api.call("GET", f"{LESSONS}?date={thursday}", as_="teacher")
    assert status == 200
    mine = [x for x in expected_on(thursday, teacher=(sts_id,))]
    assert len(own["items"]) == len(mine) > 0
    assert {i["teacher"]["name"] for i in own["items"]} == {name}
    status, everyone = await api.call("GET", f"{LESSONS}?date={thursday}", as_="cpe")
    assert len(everyone["items"]) == len(expected_on(thursday))
    status, none = await api.call("GET", f"{LESSONS}?date={thursday}&division=9Z", as_="cpe")
    assert status == 200 and none["items"] == []
    status, bad = await api.call("GET", f"{LESSONS}?date=2026-13-45", as_="cpe")
    assert status == 400 and "date" in json.dumps(bad)
