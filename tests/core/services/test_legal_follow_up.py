"""The legal follow-up (L131-8, R131-7) on a school created from its SIECLE export (Collège Jean
Moulin, 2026-2027): who crossed the monthly and persistent thresholds and on which day, the
month's letter, the actions taken (the legal types, added to a school created before them);
and the families who did not answer the school's requests.

Events are recorded through the events service, the letters planned by the nightly planner and
the notices sent by the real transports (letter and outbox) as the worker sends them.
"""

# ruff: noqa: F401, F811 - the story's fixtures, school and pupil, are imported by name
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import Invalid
from core.models import ActionType, AuditEntry, Delivery, Notice, School, Student
from core.queries.calendar import load_calendar
from core.queries.choices import action_types
from core.queries.legal import crossed_this_month, legal_crossings, unanswered_families
from core.services.delivery.send import deliver
from core.services.events.actions import record_action
from core.services.notices.inbound import receive_sms
from core.services.schools.defaults import ACTION_TYPES, LEGAL_ACTION_TYPES
from tests.core.services.letter_support import channels
from tests.core.services.test_threshold_rules import (
    CPE,
    FRI,
    MON,
    THU,
    TUE,
    absent,
    at,
    planned,
    pupil,
    school,
    whole_day,
)
from workers.senders import render

NOW = at(date(2026, 10, 12), 18)  # the Monday after


async def classmate(school: School, pupil: Student) -> Student:
    found = (
        await Student.filter(school=school, active=True).exclude(id=pupil.id).order_by("id").first()
    )
    assert found is not None
    return found


async def send_notices(student: Student, when: date, tmp_path: Path) -> None:
    """The worker's sending of the student's notices due by ``when`` 18:00."""
    box = channels(tmp_path)
    for delivery in await Delivery.filter(notice__student_id=student.id, status="scheduled"):
        await deliver(delivery.id, box.senders, now=at(when, 18), render=render)


async def test_the_list_says_the_day_the_threshold_was_reached_the_letter_and_the_actions(
    school: School, pupil: Student, tmp_path: Path
) -> None:
    await whole_day(school, pupil, MON, entered=MON)  # 2 half-days
    await absent(school, pupil, at(TUE, 8), at(TUE, 12))  # 3
    await whole_day(school, pupil, THU, entered=THU)  # 4 on Thursday morning, 5
    await planned(school, FRI)  # the night after: the October letter
    await send_notices(pupil, FRI, tmp_path)
    await record_action(school, CPE, pupil.id, "APPEL", at(date(2026, 9, 30), 9))  # before
    await record_action(school, CPE, pupil.id, "ENTRETIEN", at(FRI, 17), "Reçue avec son père")

    calendar = await load_calendar(school)
    [row] = await legal_crossings(school, calendar, NOW)
    assert (row.student_id, row.month, row.count, row.level) == (
        pupil.id,
        "2026-10",
        5,
        "threshold",
    )
    assert (row.crossed_on, row.persistent_on) == (THU, None)
    [letter] = row.letters
    assert (letter.kind, letter.status) == ("threshold", "pending")  # to post
    # a legal letter goes by post, to both parents: made the evening it was due, not posted
    [paper] = letter.lines  # both copies: to print
    assert (paper.channel, paper.state, paper.at, paper.count) == (
        "letter",
        "to_print",
        at(FRI, 18),
        2,
    )
    assert [(a.type_code, a.comment) for a in row.actions] == [("ENTRETIEN", "Reçue avec son père")]
    assert await crossed_this_month(school, calendar, NOW) == 1
    assert await crossed_this_month(school, calendar, at(date(2026, 11, 2), 9)) == 0


async def test_the_persistent_threshold_has_its_day_and_each_month_its_row(
    school: School, pupil: Student
) -> None:
    school.persistent_threshold_half_days = 6
    await school.save()
    for day in (MON, TUE, THU):
        await whole_day(school, pupil, day, entered=day)  # 4 on Tuesday evening, 6 on Thursday
    november = [date(2026, 11, 2), date(2026, 11, 3)]
    for day in november:
        await whole_day(school, pupil, day, entered=day)
    await record_action(school, CPE, pupil.id, "COMMISSION_EDUCATIVE", at(date(2026, 10, 15), 14))
    await record_action(school, CPE, pupil.id, "ENTRETIEN", at(date(2026, 11, 4), 9))

    calendar = await load_calendar(school)
    rows = await legal_crossings(school, calendar, at(date(2026, 11, 5), 9))
    assert [(r.month, r.level, r.count, r.crossed_on, r.persistent_on) for r in rows] == [
        ("2026-11", "threshold", 4, november[1], None),
        ("2026-10", "persistent", 6, TUE, THU),
    ]
    assert [a.type_code for a in rows[0].actions] == ["ENTRETIEN"]
    assert [a.type_code for a in rows[1].actions] == ["COMMISSION_EDUCATIVE"]  # until November
    assert rows[0].letters == rows[1].letters == []  # the planner has not run


async def test_a_justified_absence_takes_the_student_off_the_list(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    await whole_day(school, pupil, TUE, entered=TUE, reason="MALADIE")  # accepted as given
    assert await legal_crossings(school, await load_calendar(school), NOW) == []


async def test_the_legal_types_are_added_to_a_school_created_before_them_and_audited(
    school: School, pupil: Student
) -> None:
    await ActionType.filter(school=school, code="DOCUMENT_SIGNE").delete()  # an older school
    offered = await action_types(school, ACTION_TYPES, LEGAL_ACTION_TYPES)
    assert {c.value for c in offered} == set(LEGAL_ACTION_TYPES)
    assert "Document signé avec la famille" in {c.label for c in offered}

    action = await record_action(school, CPE, pupil.id, "DOCUMENT_SIGNE", at(FRI, 10))
    kind = await ActionType.get(school=school, code="DOCUMENT_SIGNE")
    assert action.type_id == kind.id  # type: ignore[attr-defined]
    assert await AuditEntry.filter(action="action_type.create").count() == 1
    assert await AuditEntry.filter(action="action.record").count() == 1

    kind.active = False  # the school turned it off: it stays off
    await kind.save()
    with pytest.raises(Invalid, match="action type"):
        await record_action(school, CPE, pupil.id, "DOCUMENT_SIGNE", at(FRI, 11))
    offered = await action_types(school, ACTION_TYPES, LEGAL_ACTION_TYPES)
    assert "DOCUMENT_SIGNE" not in {c.value for c in offered}


async def test_families_who_did_not_answer_and_those_whose_reason_stayed_unknown(
    school: School, pupil: Student, tmp_path: Path
) -> None:
    other = await classmate(school, pupil)
    await whole_day(school, pupil, MON, entered=MON)
    await whole_day(school, other, MON, entered=MON, reason="INCONNU")
    await send_notices(pupil, MON, tmp_path)
    await send_notices(other, MON, tmp_path)
    calendar = await load_calendar(school)

    # the next day the family still has time to answer
    assert [r.student_id for r in await unanswered_families(school, calendar, at(TUE, 18))] == [
        other.id
    ]
    rows = {r.student_id: r for r in await unanswered_families(school, calendar, NOW)}
    assert set(rows) == {pupil.id, other.id}
    silent = rows[pupil.id]
    assert (silent.absences, silent.without_reply, silent.reason_refused) == ([MON], 1, 0)
    [request] = silent.requests
    assert (request.kind, request.at, sorted(request.channels)) == (
        "absence",
        at(MON, 18),
        ["letter", "sms"],
    )
    assert silent.last_reply is None
    assert (rows[other.id].without_reply, rows[other.id].reason_refused) == (0, 1)

    # the family answers by SMS: it is no longer a family that does not answer
    [mobile] = [d.to for d in await Delivery.filter(notice__student_id=pupil.id, channel="sms")]
    await receive_sms("ovh", "r-1", mobile, "Il était malade", at(TUE, 19), {})
    rows = {r.student_id: r for r in await unanswered_families(school, calendar, NOW)}
    assert set(rows) == {other.id}


async def test_an_absence_nobody_was_asked_about_is_not_a_family_that_did_not_answer(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)  # its notices never left
    assert await unanswered_families(school, await load_calendar(school), NOW) == []
    assert await Notice.filter(student_id=pupil.id).count() == 1
