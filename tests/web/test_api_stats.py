"""GET /api/v1/schools/{uai}/stats/absenteeism: school A made from the 2026-27 SIECLE sample,
absences recorded through the API's services; the figure now and as it stood; who may ask."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from core.models import School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, record_event
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.web.conftest import UAI_A, Api

SIECLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin-2026"
URL = f"/schools/{UAI_A}/stats/absenteeism"
PARIS = ZoneInfo("Europe/Paris")


async def test_the_months_indicator_now_and_as_it_stood(api: Api) -> None:
    actor = Actor.system("test")
    await import_siecle(load_export([SIECLE]), actor, school_uai=UAI_A, force_year=True)
    school = await School.get(uai=UAI_A)
    student = (
        await Student.filter(school=school, active=True, division_id__isnull=False)
        .exclude(siecle_id=None)
        .order_by("id")
        .first()
    )
    assert student is not None
    made = []  # two whole days: 4 half-days in every counting mode
    for day in (date(2026, 11, 2), date(2026, 11, 3)):
        done = await record_event(
            school,
            actor,
            student_id=student.id,
            kind=EventKind.ABSENCE,
            start=datetime.combine(day, time(7), tzinfo=PARIS),
            end=datetime.combine(day, time(19), tzinfo=PARIS),
        )
        made.append(done.event.id)
    status, body = await api.call("GET", f"{URL}?month=2026-11", as_="direction")
    assert status == 200, body
    assert body["over_threshold"] == 1 and body["enrolled"] > 400
    assert abs(body["rate"] - 1 / body["enrolled"]) < 1e-6
    division = (await student.division).code  # type: ignore[union-attr]
    assert body["by_division"][division]["over_threshold"] == 1
    assert sum(d["enrolled"] for d in body["by_division"].values()) == body["enrolled"]
    assert sum(v["enrolled"] for v in body["by_level"].values()) == body["enrolled"]

    survey = datetime.now(UTC)
    await correct_event(school, actor, made[0], EventPatch(accepted=True))
    status, now = await api.call("GET", f"{URL}?month=2026-11", as_="cpe")
    assert status == 200 and now["over_threshold"] == 0
    stood = quote(survey.isoformat())
    status, then = await api.call("GET", f"{URL}?month=2026-11&as_of={stood}", as_="admin")
    assert status == 200 and then["over_threshold"] == 1 and then["as_of"]
    tomorrow = (datetime.now(PARIS).date() + timedelta(days=1)).isoformat()
    status, later = await api.call("GET", f"{URL}?month=2026-11&as_of={tomorrow}", as_="admin")
    assert status == 200 and later["over_threshold"] == 0


async def test_bad_months_and_roles_are_refused(api: Api) -> None:
    for bad in ("2026-13", "novembre", "2026-11-01", "9999-01"):
        status, body = await api.call("GET", f"{URL}?month={bad}", as_="admin")
        assert status in (400, 422), (bad, body)
    status, body = await api.call("GET", f"{URL}?month=2026-11&as_of=hier", as_="admin")
    assert status in (400, 422)
    status, _ = await api.call("GET", URL, as_="admin")
    assert status == 400
    for role in ("teacher",):
        status, _ = await api.call("GET", f"{URL}?month=2026-11", as_=role)
        assert status == 403
    status, _ = await api.call(
        "GET", "/schools/0759999Z/stats/absenteeism?month=2026-11", as_="admin"
    )
    assert status in (403, 404)
