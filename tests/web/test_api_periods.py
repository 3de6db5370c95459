"""The reporting periods over the JSON API: listed for anyone of the school; a period's SIECLE
absences file for direction, CPEs and admins (XML in ISO-8859-1, audited); another school's
period not found."""

from __future__ import annotations

from datetime import date

from defusedxml import ElementTree

from core.models import AuditEntry, Student, User
from core.rules.counting import EventKind
from core.rules.periods import PeriodSpan
from core.services.events.record import record_event
from core.services.schools.periods import set_periods
from tests.web.conftest import MONDAY, SYSTEM, UAI_A, UAI_B, Api, at

PERIODS = f"/schools/{UAI_A}/periods"


async def test_the_periods_are_listed_and_one_is_exported_for_siecle(api: Api) -> None:
    school = api.schools[UAI_A]
    await Student.filter(id=api.sid("marie")).update(elenoet="4242")  # as SIECLE gives it
    late = at(MONDAY, 8).replace(day=3)
    await record_event(
        school, SYSTEM, student_id=api.sid("marie"), kind=EventKind.ABSENCE,
        start=at(MONDAY, 8), end=at(MONDAY, 17),
    )  # fmt: skip
    await record_event(
        school, SYSTEM, student_id=api.sid("marie"), kind=EventKind.LATENESS,
        start=late, end=late.replace(minute=10),
    )  # fmt: skip
    spans = [
        PeriodSpan("1er semestre", date(2025, 9, 1), date(2026, 1, 31)),
        PeriodSpan("2e semestre", date(2026, 2, 1), date(2026, 7, 4)),
    ]
    first, second = await set_periods(school, spans, SYSTEM, today=MONDAY)
    status, listed = await api.call("GET", PERIODS, as_="teacher")
    assert status == 200 and listed == {
        "items": [
            {"id": first.id, "name": "1er semestre", "start": "2025-09-01", "end": "2026-01-31"},
            {"id": second.id, "name": "2e semestre", "start": "2026-02-01", "end": "2026-07-04"},
        ],
        "total": 2,
    }
    response = await api.client.get(
        f"/api/v1{PERIODS}/{second.id}/siecle-absences",
        headers={"Authorization": f"Bearer {api.tokens['direction']}"},
    )
    assert response.status == 200, await response.text()
    assert (response.content_type, response.charset) == ("application/xml", "iso-8859-1")
    assert (response.headers["X-Students"], response.headers["X-Students-Skipped"]) == ("1", "2")
    root = ElementTree.fromstring(await response.read())
    assert [dict(e.attrib) for e in root] == [
        {"elenoet": "4242", "nbAbs": "2", "nbNonJustif": "2", "nbRet": "1"}
    ]
    direction = await User.get(email="direction@a.example.org")
    row = await AuditEntry.get(action="period.export_siecle")
    assert (row.actor_id, row.entity_id) == (direction.id, str(second.id))

    status, _ = await api.call("GET", f"{PERIODS}/{first.id}/siecle-absences", as_="teacher")
    assert status == 403
    theirs = f"/schools/{UAI_B}/periods/{second.id}/siecle-absences"
    status, answer = await api.call("GET", theirs, as_="other_cpe")
    assert (status, answer["error"]["code"]) == (404, "period_unknown")
    assert await AuditEntry.filter(action="period.export_siecle").count() == 1
