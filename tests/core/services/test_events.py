"""Events: recording, correcting, deleting as a mistake, deciding on justifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, ClosedDay, Event, EventSource, Reason, School, Student, User
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import (
    correct_event,
    delete_event,
    parse_patch,
    record_event,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # a known school week, winter time in Paris (UTC+1)
TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
SATURDAY = MONDAY + timedelta(days=5)
HOUR = timedelta(hours=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment of the school's local wall time."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


MONDAY_8, MONDAY_8_05, MONDAY_10 = at(MONDAY, 8), at(MONDAY, 8, 5), at(MONDAY, 10)


async def absence(
    school: School,
    actor: Actor,
    student: Student,
    start: datetime = MONDAY_8,
    end: datetime | None = MONDAY_10,
    **extra: Any,
) -> Event:
    return (
        await record_event(
            school,
            actor,
            student_id=student.id,
            kind=EventKind.ABSENCE,
            start=start,
            end=end,
            **extra,
        )
    ).event


async def lateness(
    school: School, actor: Actor, student: Student, start: datetime = MONDAY_8_05
) -> Event:
    return (
        await record_event(
            school,
            actor,
            student_id=student.id,
            kind=EventKind.LATENESS,
            start=start,
            end=start + timedelta(minutes=10),
        )
    ).event


async def stored(event: Event) -> Event:
    return await Event.get(id=event.id).prefetch_related("reason", "justification")


async def recode(school: School, actor: Actor, event: Event, reason: str | None) -> Event:
    """Change the event's reason alone; the event as stored after."""
    await correct_event(school, actor, event.id, parse_patch({"reason": reason}))
    return await stored(event)


async def audit_of(event: Event, action: str) -> list[AuditEntry]:
    return await AuditEntry.filter(entity="event", entity_id=str(event.id), action=action)


# record_event: the starting classification


async def test_an_absence_for_illness_is_accepted_and_counts(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await stored(await absence(school_a, cpe_actor, pupil, reason="MALADIE"))
    assert event.reason is not None and event.reason.code == "MALADIE"
    assert (event.accepted, event.counts, event.settled, event.deleted) == (
        True,
        True,
        False,
        False,
    )
    assert event.reason_by_id == cpe.id
    assert event.reason_at is not None
    assert event.recorded_by_id == cpe.id
    assert event.source == EventSource.DESK
    assert event.version == 1


async def test_the_reason_gives_the_starting_decision_and_whether_it_counts(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    expected = {  # reason: (accepted, counts)
        "ACTIVITE_ETAB": (None, False),
        "CONVENANCE": (False, True),
        "RDV_MEDICAL": (None, True),
        "TRANSPORT": (True, True),
    }
    found = {}
    for hour, reason in zip((8, 10, 13, 15), expected, strict=True):
        start = at(MONDAY, hour)
        event = await absence(
            school_a, cpe_actor, pupil, start=start, end=start + HOUR, reason=reason
        )
        found[reason] = (event.accepted, (await stored(event)).counts)
    assert found == expected


async def test_an_absence_without_a_reason_is_undecided_and_counts(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await stored(await absence(school_a, cpe_actor, pupil))
    assert event.reason is None
    assert (event.accepted, event.counts) == (None, True)
    assert (event.reason_by_id, event.reason_at) == (None, None)


async def test_a_national_code_resolves_to_the_schools_local_reason(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student
) -> None:
    await Reason.filter(school=school_a, code="MALADIE").update(code="MAL", label="Malade")
    event = await stored(await absence(school_a, cpe_actor, pupil, reason="MALADIE"))
    assert event.reason is not None
    assert (event.reason.code, event.reason.school_id) == ("MAL", school_a.id)
    assert event.accepted is True


async def test_it_records_the_times_the_source_and_where_it_came_from(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await stored(
        await absence(
            school_a,
            cpe_actor,
            pupil,
            source=EventSource.ROLL_CALL,
            recorded_from="203.0.113.7",
            comment="Absent à l'appel",
        )
    )
    assert (event.source, event.recorded_from, event.comment) == (
        EventSource.ROLL_CALL,
        "203.0.113.7",
        "Absent à l'appel",
    )
    assert event.starts_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert event.ends_at == at(MONDAY, 10)


async def test_it_writes_an_audit_row_with_the_new_event(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, reason="MALADIE")
    [entry] = await audit_of(event, "event.record")
    assert (entry.school_id, entry.actor_id, entry.actor_label) == (
        school_a.id,
        cpe.id,
        "cpe@alpha.example",
    )
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["kind"] == "absence"
    assert entry.after["accepted"] is True
    assert entry.after["reason_id"] == event.reason_id
    assert entry.after["version"] == 1


# record_event: refusals


async def test_it_refuses_naive_datetimes(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    with pytest.raises(Invalid, match="start"):
        await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8).replace(tzinfo=None))
    with pytest.raises(Invalid, match="end"):
        await absence(school_a, cpe_actor, pupil, end=at(MONDAY, 10).replace(tzinfo=None))
    assert await Event.all().count() == 0


async def test_it_refuses_an_end_that_does_not_come_after_the_start(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    for end in (at(MONDAY, 8), at(MONDAY, 7)):
        with pytest.raises(Invalid, match="end"):
            await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=end)
    assert await Event.all().count() == 0


async def test_it_refuses_an_absence_entirely_outside_lessons(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await ClosedDay.create(school=school_a, day=TUESDAY, label="Grève")
    outside = {
        "closed tuesday": (at(TUESDAY, 8), at(TUESDAY, 17)),
        "saturday": (at(SATURDAY, 8), at(SATURDAY, 12)),
        "wednesday afternoon": (at(WEDNESDAY, 13), at(WEDNESDAY, 17)),
        "monday evening": (at(MONDAY, 17), at(MONDAY, 19)),
        "before school": (at(MONDAY, 6), at(MONDAY, 8)),
    }
    accepted = []
    for name, (start, end) in outside.items():
        try:
            await absence(school_a, cpe_actor, pupil, start=start, end=end)
        except Invalid as refusal:
            assert "lesson" in refusal.message
        else:
            accepted.append(name)
    assert accepted == []
    assert await Event.all().count() == 0


async def test_it_accepts_an_absence_that_only_partly_touches_lessons(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 16), end=at(MONDAY, 19))
    assert event.id is not None


async def test_it_refuses_an_absence_of_another_schools_or_an_unknown_student(
    school_a: School, cpe_actor: Actor, pupil_b: Student
) -> None:
    with pytest.raises(NotFound):
        await absence(school_a, cpe_actor, pupil_b)
    with pytest.raises(NotFound):
        await record_event(
            school_a, cpe_actor, student_id=99999, kind=EventKind.ABSENCE, start=at(MONDAY, 8)
        )
    assert await Event.all().count() == 0


async def test_it_refuses_an_unknown_an_inactive_or_another_schools_reason(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student
) -> None:
    generic_id = (await Reason.get(school=school_b, code="ACTIVITE_ETAB")).generic_id
    await Reason.create(school=school_b, generic_id=generic_id, code="VOYAGE_B", label="Voyage")
    await Reason.filter(school=school_a, code="FETE_RELIGIEUSE").update(active=False)
    for code in ("GRASSE_MATINEE", "maladie", "", "VOYAGE_B", "FETE_RELIGIEUSE"):
        with pytest.raises(Invalid, match="reason"):
            await absence(school_a, cpe_actor, pupil, reason=code)
    assert await Event.all().count() == 0


async def test_it_refuses_an_absence_overlapping_one_of_the_same_student(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    first = await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=at(MONDAY, 10))
    overlapping: dict[str, tuple[datetime, datetime | None]] = {
        "straddling its end": (at(MONDAY, 9), at(MONDAY, 11)),
        "straddling its start": (at(MONDAY, 7), at(MONDAY, 9)),
        "inside it": (at(MONDAY, 8, 30), at(MONDAY, 9, 30)),
        "around it": (at(MONDAY, 7), at(MONDAY, 12)),
        "the same": (at(MONDAY, 8), at(MONDAY, 10)),
        "open-ended from within": (at(MONDAY, 9), None),
    }
    accepted = []
    for name, (start, end) in overlapping.items():
        try:
            await absence(school_a, cpe_actor, pupil, start=start, end=end)
        except Conflict as refusal:
            assert f"event {first.id}" in refusal.message
        else:
            accepted.append(name)
    assert accepted == []
    assert await Event.all().count() == 1


async def test_an_open_ended_absence_blocks_later_ones_until_it_is_closed(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    ongoing = await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=None)
    assert (await stored(ongoing)).ends_at is None
    with pytest.raises(Conflict):
        await absence(school_a, cpe_actor, pupil, start=at(TUESDAY, 8), end=at(TUESDAY, 10))
    patch = parse_patch({"end": "2026-03-02T17:00:00+01:00"})
    await correct_event(school_a, cpe_actor, ongoing.id, patch)
    assert (await stored(ongoing)).ends_at == at(MONDAY, 17)
    await absence(school_a, cpe_actor, pupil, start=at(TUESDAY, 8), end=at(TUESDAY, 10))


async def test_it_accepts_adjacent_absences_of_the_same_student(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 10), end=at(MONDAY, 12))
    await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=at(MONDAY, 10))
    await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 12), end=at(MONDAY, 14))
    assert await Event.filter(student=pupil).count() == 3


async def test_it_accepts_overlapping_absences_of_two_students(
    school_a: School, cpe_actor: Actor, pupil: Student, classmate: Student
) -> None:
    await absence(school_a, cpe_actor, pupil)
    await absence(school_a, cpe_actor, classmate)
    assert await Event.all().count() == 2


async def test_an_absence_deleted_as_a_mistake_no_longer_blocks_its_slot(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    first = await absence(school_a, cpe_actor, pupil)
    await delete_event(school_a, cpe_actor, first.id)
    await absence(school_a, cpe_actor, pupil)
    assert await Event.filter(student=pupil, deleted=False).count() == 1


async def test_a_lateness_may_fall_inside_an_absence_of_another_kind(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=at(MONDAY, 12))
    await lateness(school_a, cpe_actor, pupil, start=at(MONDAY, 8, 5))
    assert await Event.filter(student=pupil).count() == 2


async def test_it_refuses_two_latenesses_at_the_same_start(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await lateness(school_a, cpe_actor, pupil, start=at(MONDAY, 8, 5))
    with pytest.raises(Conflict):
        await lateness(school_a, cpe_actor, pupil, start=at(MONDAY, 8, 5))
    await lateness(school_a, cpe_actor, pupil, start=at(MONDAY, 14, 3))
    assert await Event.filter(student=pupil, kind=EventKind.LATENESS).count() == 2


# correct_event


async def test_accepting_records_who_and_when_of_the_decision_only(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await correct_event(school_a, cpe_actor, event.id, parse_patch({"accepted": True}))
    event = await stored(event)
    assert (event.accepted, event.accepted_by_id) == (True, cpe.id)
    assert event.accepted_at is not None
    assert (event.settled_by_id, event.settled_at) == (None, None)
    assert (event.counts_by_id, event.counts_at) == (None, None)


async def test_settling_records_who_and_when_of_the_settlement_only(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await correct_event(school_a, cpe_actor, event.id, parse_patch({"settled": True}))
    event = await stored(event)
    assert (event.settled, event.settled_by_id) == (True, cpe.id)
    assert event.settled_at is not None
    assert (event.accepted, event.accepted_by_id, event.accepted_at) == (None, None, None)
    assert (event.counts_by_id, event.counts_at) == (None, None)


async def test_changing_whether_it_counts_records_who_and_when(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await correct_event(school_a, cpe_actor, event.id, parse_patch({"counts": False}))
    event = await stored(event)
    assert (event.counts, event.counts_by_id) == (False, cpe.id)
    assert event.counts_at is not None
    assert (event.accepted_by_id, event.settled_by_id) == (None, None)


async def test_changing_or_clearing_the_reason_records_who_did_it(
    school_a: School, cpe: User, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    event = await recode(school_a, cpe_actor, await absence(school_a, system, pupil), "TRANSPORT")
    assert event.reason is not None and event.reason.code == "TRANSPORT"
    assert event.reason_by_id == cpe.id
    assert event.reason_at is not None
    assert (await recode(school_a, cpe_actor, event, None)).reason is None


async def test_a_new_reason_brings_its_flags_as_at_recording(
    school_a: School, cpe: User, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, system, pupil)
    event = await recode(school_a, cpe_actor, event, "ACTIVITE_ETAB")
    assert (event.counts, event.counts_by_id, event.accepted) == (False, cpe.id, None)
    event = await recode(school_a, cpe_actor, event, "TRANSPORT")
    assert (event.counts, event.accepted, event.accepted_by_id) == (True, True, cpe.id)
    assert (await recode(school_a, cpe_actor, event, "CONVENANCE")).accepted is False
    event = await recode(school_a, cpe_actor, event, "RDV_MEDICAL")
    assert event.accepted is False  # no default decision: the last one stays
    [*_, entry] = await audit_of(event, "event.correct")
    assert entry.after is not None and "reason_id" in entry.after


async def test_states_set_in_the_same_edit_win_over_the_reasons_flags(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    patch = parse_patch({"reason": "ACTIVITE_ETAB", "counts": True, "accepted": False})
    await correct_event(school_a, cpe_actor, event.id, patch)
    event = await stored(event)
    assert (event.counts, event.accepted) == (True, False)
    patch = parse_patch({"reason": "TRANSPORT", "accepted": None})
    await correct_event(school_a, cpe_actor, event.id, patch)
    assert (await stored(event)).accepted is None


async def test_clearing_a_reason_that_did_not_count_makes_the_absence_count_again(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, reason="ACTIVITE_ETAB")
    assert (await recode(school_a, cpe_actor, event, None)).counts is True


async def test_each_correction_bumps_the_version(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    first = (
        await correct_event(school_a, cpe_actor, event.id, parse_patch({"comment": "a"}))
    ).event
    patch = parse_patch({"comment": "b", "version": 2})  # the current version is accepted
    second = (await correct_event(school_a, cpe_actor, event.id, patch)).event
    assert (first.version, second.version) == (2, 3)
    assert (await stored(event)).version == 3


async def test_it_refuses_a_correction_of_a_stale_version(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await correct_event(school_a, cpe_actor, event.id, parse_patch({"comment": "vu"}))
    with pytest.raises(Conflict, match="version 2"):
        await correct_event(
            school_a, cpe_actor, event.id, parse_patch({"accepted": True, "version": 1})
        )
    event = await stored(event)
    assert (event.version, event.accepted, event.accepted_by_id) == (2, None, None)


async def test_the_correction_audit_holds_only_the_changed_keys(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, reason="MALADIE")
    patch = parse_patch({"comment": "Certificat demandé", "end": at(MONDAY, 11), "counts": True})
    await correct_event(school_a, cpe_actor, event.id, patch)
    [entry] = await audit_of(event, "event.correct")
    assert entry.actor_id == cpe.id
    assert entry.before is not None and entry.after is not None
    ends = (entry.before.pop("ends_at"), entry.after.pop("ends_at"))
    assert [datetime.fromisoformat(str(end)) for end in ends] == [at(MONDAY, 10), at(MONDAY, 11)]
    assert entry.before == {"comment": "", "version": 1}
    assert entry.after == {"comment": "Certificat demandé", "version": 2}


async def test_a_correction_overlapping_another_event_leaves_the_row_unchanged(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    first = await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 8), end=at(MONDAY, 10))
    await absence(school_a, cpe_actor, pupil, start=at(MONDAY, 10), end=at(MONDAY, 12))
    patch = parse_patch({"end": at(MONDAY, 11), "accepted": True, "comment": "prolongée"})
    with pytest.raises(Conflict):
        await correct_event(school_a, cpe_actor, first.id, patch)
    row = await stored(first)
    assert row.ends_at == at(MONDAY, 10)
    assert (row.accepted, row.accepted_by_id, row.comment, row.version) == (None, None, "", 1)
    assert await audit_of(first, "event.correct") == []


async def test_a_correction_moving_an_absence_out_of_lessons_leaves_the_row_unchanged(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    patch = parse_patch({"start": at(SATURDAY, 8), "end": at(SATURDAY, 10), "settled": True})
    with pytest.raises(Invalid, match="lesson"):
        await correct_event(school_a, cpe_actor, event.id, patch)
    row = await stored(event)
    assert (row.starts_at, row.ends_at) == (at(MONDAY, 8), at(MONDAY, 10))
    assert (row.settled, row.settled_by_id, row.version) == (False, None, 1)


async def test_a_correction_with_an_unknown_reason_leaves_the_row_unchanged(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, reason="MALADIE")
    with pytest.raises(Invalid, match="reason"):
        await correct_event(
            school_a, cpe_actor, event.id, parse_patch({"counts": False, "reason": "PANNE"})
        )
    row = await stored(event)
    assert row.reason is not None and row.reason.code == "MALADIE"
    assert (row.counts, row.counts_by_id, row.version) == (True, None, 1)


async def test_a_correction_with_a_bad_value_is_refused(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    refused = {
        "end": {"end": at(MONDAY, 7)},  # before the start
        "end must carry": {"end": "2026-03-02T11:00:00"},  # naive
        "counts": {"counts": None},
    }
    for message, data in refused.items():
        with pytest.raises(Invalid, match=message):
            await correct_event(school_a, cpe_actor, event.id, parse_patch(data))
    row = await stored(event)
    assert (row.ends_at, row.counts, row.version) == (at(MONDAY, 10), True, 1)


@pytest.mark.parametrize(
    "data",
    [
        {"deleted": True},
        {"student_id": 2},
        {"accepted": "peut-être"},
        {"start": "lundi"},
        {"kind": "sieste"},
        {"comment": "x" * 2001},
    ],
)
def test_a_correction_refuses_unknown_or_malformed_fields(data: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        parse_patch(data)


# delete_event


async def test_deleting_marks_the_event_entered_by_mistake_once_and_keeps_the_row(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await delete_event(school_a, cpe_actor, event.id)
    row = await stored(event)
    assert (row.deleted, row.deleted_by_id, row.version) == (True, cpe.id, 2)
    assert row.deleted_at is not None
    [entry] = await audit_of(event, "event.delete")
    assert entry.after == {"deleted": True, "version": 2}
    assert entry.before is not None and entry.before["deleted"] is False
    with pytest.raises(Conflict):
        await delete_event(school_a, cpe_actor, event.id)
    assert (await stored(event)).version == 2
    assert len(await audit_of(event, "event.delete")) == 1


async def test_it_refuses_to_correct_or_decide_on_an_event_deleted_as_a_mistake(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    await delete_event(school_a, cpe_actor, event.id)
    with pytest.raises(Conflict, match="mistake"):
        await correct_event(school_a, cpe_actor, event.id, parse_patch({"accepted": True}))
    row = await stored(event)
    assert (row.accepted, row.justification, row.version) == (None, None, 2)


# deciding on a justification (correct_event)


async def test_accepting_a_justification_makes_the_absence_justified_and_settled(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    accept = {"accepted": True, "justification": "CERTIFICAT_MEDICAL", "settled": True}
    await correct_event(school_a, cpe_actor, event.id, parse_patch({**accept, "reason": "MALADIE"}))
    row = await stored(event)
    assert row.justification is not None and row.justification.code == "CERTIFICAT_MEDICAL"
    assert row.reason is not None and row.reason.code == "MALADIE"
    assert (row.accepted, row.accepted_by_id) == (True, cpe.id)
    assert (row.settled, row.settled_by_id) == (True, cpe.id)
    assert row.counts is True
    assert row.version == 2


async def test_a_provisional_justification_may_leave_the_absence_unsettled(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil, reason="MALADIE")
    accept = {"accepted": True, "justification": "APPEL_TELEPHONIQUE", "settled": False}
    await correct_event(school_a, cpe_actor, event.id, parse_patch(accept))
    row = await stored(event)
    assert (row.accepted, row.settled) == (True, False)
    assert row.reason is not None and row.reason.code == "MALADIE"


async def test_accepting_an_unknown_justification_type_changes_nothing(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, cpe_actor, pupil)
    with pytest.raises(Invalid, match="justification"):
        accept = {"accepted": True, "justification": "SMS_COPAIN", "settled": True}
        await correct_event(school_a, cpe_actor, event.id, parse_patch(accept))
    row = await stored(event)
    assert (row.accepted, row.settled, row.justification, row.version) == (None, False, None, 1)


async def test_rejecting_a_justification_keeps_the_absence_unjustified_and_counting(
    school_a: School, cpe: User, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(
        school_a, cpe_actor, pupil, reason="ACTIVITE_ETAB", comment="Sortie au musée"
    )
    reject = {"accepted": False, "counts": True}
    await correct_event(school_a, cpe_actor, event.id, parse_patch(reject))
    row = await stored(event)
    assert (row.accepted, row.accepted_by_id) == (False, cpe.id)
    assert (row.counts, row.counts_by_id) == (True, cpe.id)
    assert row.comment == "Sortie au musée"


# another school's events


async def test_it_refuses_to_touch_another_schools_or_an_unknown_event(
    school_a: School, school_b: School, system: Actor, cpe_actor: Actor, pupil_b: Student
) -> None:
    other = (await absence(school_b, system, pupil_b)).id
    attempts = {
        "correct": correct_event(school_a, cpe_actor, other, parse_patch({"accepted": True})),
        "delete": delete_event(school_a, cpe_actor, other),
        "unknown": delete_event(school_a, cpe_actor, 424242),
    }
    allowed = []
    for verb, attempt in attempts.items():
        try:
            await attempt
        except NotFound:
            continue
        allowed.append(verb)
    assert allowed == []
    row = await Event.get(id=other)
    assert (row.accepted, row.deleted, row.version) == (None, False, 1)
