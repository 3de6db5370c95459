"""A teacher's token reads only the students they teach, as the panel shows them: lists are
filtered, another pupil's id is not found, and comments, medical details and (unless the school
allows it) the local reason stay hidden."""

from __future__ import annotations

from core.models import Division, Event, GenericReason, Lesson, Reason, User
from core.rules.counting import EventKind
from core.services.events.record import record_event
from core.services.schools.school import SchoolSettingsPatch, update_settings
from tests.web.conftest import MONDAY, PERSONAS, SYSTEM, UAI_A, Api, at
from tests.web.test_api_notices import next_monday

BASE = f"/schools/{UAI_A}"


async def _taught(api: Api) -> dict[str, Event]:
    """The teacher teaches 5B (Marie, Léo), not 4A (Inès); Marie and Inès were away, with an
    angina (a local reason under the generic « Maladie de l'élève ») and a comment."""
    school = api.schools[UAI_A]
    teacher = await User.get(email=PERSONAS["teacher"][0])
    d5b = await Division.get(school=school, code="5B")
    await Lesson.create(
        school=school, teacher=teacher, division=d5b, weekday=0, start_minute=480, end_minute=540
    )
    generic = await GenericReason.get(code="MALADIE")
    await Reason.create(school=school, generic=generic, code="ANGINE", label="Angine")
    events = {}
    for name in ("marie", "ines"):
        events[name] = await record_event(
            school,
            SYSTEM,
            student_id=api.sid(name),
            kind=EventKind.ABSENCE,
            start=at(MONDAY, 8),
            end=at(MONDAY, 12),
            reason="ANGINE",
            comment="Angine, antibiotiques",
        )
    return events


async def test_a_teachers_token_lists_only_their_own_students(api: Api) -> None:
    await _taught(api)
    status, page = await api.call("GET", f"{BASE}/students?limit=500", as_="teacher")
    assert status == 200
    assert sorted(s["first_name"] for s in page["items"]) == ["Léo", "Marie"]
    assert page["total"] == 2
    [marie] = [s for s in page["items"] if s["first_name"] == "Marie"]
    assert marie["guardians"][0]["mobile"] == "+33612345678"  # their own pupil's family
    status, page = await api.call("GET", f"{BASE}/students?limit=500", as_="cpe")
    assert (status, page["total"]) == (200, 4)


async def test_a_pupil_the_teacher_does_not_teach_is_not_found(api: Api) -> None:
    events = await _taught(api)
    status, body = await api.call("GET", f"{BASE}/students/{api.sid('ines')}", as_="teacher")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert "Martin" not in str(body)
    assert (await api.call("GET", f"{BASE}/students/{api.sid('marie')}", as_="teacher"))[0] == 200
    status, body = await api.call("GET", f"{BASE}/events/{events['ines'].id}", as_="teacher")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert (await api.call("GET", f"{BASE}/events/{events['ines'].id}", as_="direction"))[0] == 200
    # An event out of scope reads exactly as one that does not exist: nothing to count.
    nowhere = await api.call("GET", f"{BASE}/events/999999", as_="teacher")
    assert nowhere == (status, body)


async def test_a_teacher_lists_only_their_students_events_without_comment_nor_local_reason(
    api: Api,
) -> None:
    events = await _taught(api)
    status, page = await api.call("GET", f"{BASE}/events?limit=500&from=2026-03-01", as_="teacher")
    assert status == 200
    assert [e["id"] for e in page["items"]] == [events["marie"].id] and page["total"] == 1
    [shown] = page["items"]
    assert (shown["reason"], shown["comment"], shown["justification"]) == ("MALADIE", "", None)
    status, one = await api.call("GET", f"{BASE}/events/{events['marie'].id}", as_="teacher")
    assert (status, one) == (200, shown)
    status, cpe = await api.call("GET", f"{BASE}/events/{events['marie'].id}", as_="cpe")
    assert (cpe["reason"], cpe["comment"]) == ("ANGINE", "Angine, antibiotiques")


async def test_the_school_may_let_teachers_see_the_reason_never_the_comment(api: Api) -> None:
    events = await _taught(api)
    patch = SchoolSettingsPatch(teachers_see_reasons=True)
    await update_settings(api.schools[UAI_A], patch, SYSTEM)
    status, one = await api.call("GET", f"{BASE}/events/{events['marie'].id}", as_="teacher")
    assert (status, one["reason"], one["comment"]) == (200, "ANGINE", "")


async def test_a_teacher_reads_the_notices_of_their_students_without_their_deliveries(
    api: Api,
) -> None:
    await _taught(api)
    for name in ("marie", "ines"):  # absences to come, with no reason: the families are told
        start = at(next_monday(), 8).isoformat()
        new = {"student_id": api.sid(name), "kind": "absence", "start": start}
        assert (await api.call("POST", f"{BASE}/events", json=new))[0] == 201
    _, page = await api.call("GET", f"{BASE}/notices?limit=500", as_="cpe")
    marie = [n for n in page["items"] if n["student_id"] == api.sid("marie")]
    assert marie and marie[0]["deliveries"][0]["to"] == "+33612345678"
    assert any(n["student_id"] == api.sid("ines") for n in page["items"])
    status, page = await api.call("GET", f"{BASE}/notices?limit=500", as_="teacher")
    assert status == 200
    assert {n["student_id"] for n in page["items"]} == {api.sid("marie")}
    assert all(n["deliveries"] == [] for n in page["items"])
    asked = f"{BASE}/notices?student={api.sid('ines')}"
    status, page = await api.call("GET", asked, as_="teacher")
    assert (status, page["items"], page["total"]) == (200, [], 0)
