"""GET /api/v1/schools/{uai}/stats/absenteeism: school A made from the 2026-27 SIECLE sample,
absences recorded through the API's services; the figure now and as it stood; who may ask."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from core.models import Role, School, Student
from core.rules.counting import EventKind
from core.services.access.tokens import create_token
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, record_event
from core.services.schools.operators import set_operator
from core.services.schools.users import add_user, grant_role
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.web.conftest import UAI_A, UAI_B, Api
from tests.web.personas import PASSWORD, log_in_as

SIECLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin-2026"
URL = f"/schools/{UAI_A}/stats/absenteeism"
PARIS = ZoneInfo("Europe/Paris")


async def imported_student(school: School) -> Student:
    """A student of the SIECLE import, in a division (the personas left when it came)."""
    student = (
        await Student.filter(school=school, active=True, division_id__isnull=False)
        .exclude(siecle_id=None)
        .order_by("id")
        .first()
    )
    assert student is not None
    return student


async def test_the_months_indicator_now_and_as_it_stood(api: Api) -> None:
    actor = Actor.system("test")
    await import_siecle(load_export([SIECLE]), actor, school_uai=UAI_A, force_year=True)
    school = await School.get(uai=UAI_A)
    student = await imported_student(school)
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
    for bad_as_of in ("hier", "9999-12-31", "0001-01-01", "2026-11-31", "2026-12-01T25:00"):
        status, body = await api.call("GET", f"{URL}?month=2026-11&as_of={bad_as_of}", as_="admin")
        assert status in (400, 422) and body["error"]["code"] == "as_of_invalid", bad_as_of
    status, _ = await api.call("GET", URL, as_="admin")
    assert status == 400
    for role in ("teacher",):
        status, _ = await api.call("GET", f"{URL}?month=2026-11", as_=role)
        assert status == 403
    status, _ = await api.call(
        "GET", "/schools/0759999Z/stats/absenteeism?month=2026-11", as_="admin"
    )
    assert status in (403, 404)


async def test_the_academy_view_lists_the_schools_the_token_may_see(api: Api) -> None:
    actor = Actor.system("test")
    await import_siecle(load_export([SIECLE]), actor, school_uai=UAI_A, force_year=True)
    school_a, school_b = api.schools[UAI_A], api.schools[UAI_B]
    student = await imported_student(school_a)
    await record_event(
        school_a,
        actor,
        student_id=student.id,
        kind=EventKind.ABSENCE,
        start=datetime.combine(date(2026, 11, 2), time(7), tzinfo=PARIS),
        end=datetime.combine(date(2026, 11, 3), time(19), tzinfo=PARIS),
    )
    inspector = await add_user(
        "ia@academie.example", "a long enough password", school_a, "direction", actor
    )
    await grant_role(inspector, school_b, Role.DIRECTION, actor)
    token = await create_token("ia@academie.example", actor)
    api.tokens["inspector"] = token
    status, body = await api.call("GET", "/stats/absenteeism?month=2026-11", as_="inspector")
    assert status == 200, body
    assert [s["uai"] for s in body["schools"]] == sorted([UAI_A, UAI_B])
    a = next(s for s in body["schools"] if s["uai"] == UAI_A)
    assert a["over_threshold"] == 1 and a["enrolled"] > 400
    assert body["median"] is not None and body["schools_above"] == [UAI_A]
    status, body = await api.call(
        "GET", "/stats/absenteeism?month=2026-11&above=0.5", as_="inspector"
    )
    assert status == 200 and body["schools_above"] == []
    # An operator of the install sees every school, with a role in none of them.
    await add_user("dsi@academie.example", "a long enough password", school_b, "teacher", actor)
    await set_operator("dsi@academie.example", actor)
    api.tokens["operator"] = await create_token("dsi@academie.example", actor)
    status, body = await api.call("GET", "/stats/absenteeism?month=2026-11", as_="operator")
    assert status == 200 and len(body["schools"]) == 2
    # A CPE of school A only sees school A; a teacher has no school with the right.
    status, body = await api.call("GET", "/stats/absenteeism?month=2026-11", as_="cpe")
    assert status == 200 and [s["uai"] for s in body["schools"]] == [UAI_A]
    status, _ = await api.call("GET", "/stats/absenteeism?month=2026-11", as_="teacher")
    assert status == 403
    status, _ = await api.call("GET", "/stats/absenteeism?month=2026-11", as_=None)
    assert status == 401
    status, _ = await api.call("GET", "/stats/absenteeism?month=13-2026", as_="cpe")
    assert status in (400, 422)


async def test_the_academy_page_shows_the_schools_in_french(api: Api) -> None:
    actor = Actor.system("test")
    await import_siecle(load_export([SIECLE]), actor, school_uai=UAI_A, force_year=True)
    school_a, school_b = api.schools[UAI_A], api.schools[UAI_B]
    inspector = await add_user("ia@academie.example", PASSWORD, school_a, "direction", actor)
    await grant_role(inspector, school_b, Role.DIRECTION, actor)
    client = api.client
    await log_in_as(client, "ia@academie.example")
    home = await (await client.get("/")).text()
    assert 'href="/stats/academy"' in home
    page = await client.get("/stats/academy?month=2026-11")
    text = await page.text()
    assert page.status == 200 and "Absentéisme des établissements" in text
    assert UAI_A in text and UAI_B in text and "Taux médian" in text
    bad = await client.get("/stats/academy?month=2026-13")
    assert bad.status == 400 and "Mois invalide" in await bad.text()
