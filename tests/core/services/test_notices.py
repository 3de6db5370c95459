"""Absence notices, written with the event: one per half-day, to whom, when, and cancelled by
corrections before they leave."""

from __future__ import annotations

from datetime import UTC, timedelta

from core.models import (
    ChatLink,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    EventSource,
    Notice,
    NoticeStatus,
    School,
    Student,
    Usability,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, delete_event
from core.services.notices.absence import scheduled_deliveries
from tests.core.services.notice_support import (
    FATHER_MOBILE,
    MONDAY,
    MOTHER_MOBILE,
    TUESDAY,
    absence,
    at,
    deliveries_of,
    history,
    make_family,
    notices_of,
)

RECORDED = at(MONDAY, 8, 30)


async def test_an_absence_tells_both_legal_guardians_after_the_delay(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)

    [notice] = await notices_of(pupil)
    assert (notice.kind, notice.status, notice.event_id) == ("absence", "pending", event.id)
    assert notice.dedupe_key == f"absence:{pupil.id}:2026-03-02:am"
    deliveries = await deliveries_of(notice)
    assert [(d.channel, d.to, d.status) for d in deliveries] == [
        ("sms", MOTHER_MOBILE, "scheduled"),
        ("sms", FATHER_MOBILE, "scheduled"),
    ]  # the grandmother is a contact: never notified
    assert {d.not_before for d in deliveries} == {
        (RECORDED + timedelta(minutes=20)).astimezone(UTC)
    }
    assert await history(deliveries[0]) == [("", "scheduled", "plan")]
    due = await scheduled_deliveries(event.id)
    assert sorted(d.delivery_id for d in due) == [d.id for d in deliveries]


async def test_two_events_on_the_same_half_day_make_one_notice(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 9), now=RECORDED)
    second = await absence(school_a, system, pupil, at(MONDAY, 10), at(MONDAY, 11), now=RECORDED)

    [notice] = await notices_of(pupil)
    assert len(await deliveries_of(notice)) == 2
    assert await scheduled_deliveries(second.id) == []


async def test_justified_before_sending_cancels_the_notice(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    later = RECORDED + timedelta(minutes=2)
    await correct_event(school_a, system, event.id, EventPatch(accepted=True), now=later)

    [notice] = await notices_of(pupil)
    assert notice.status == NoticeStatus.CANCELLED
    assert notice.payload["reason"]
    for delivery in await deliveries_of(notice):
        assert delivery.status == DeliveryStatus.CANCELLED
        assert await history(delivery) == [
            ("", "scheduled", "plan"),
            ("scheduled", "cancelled", "correction"),
        ]
    assert await scheduled_deliveries(event.id) == []


async def test_deleted_as_a_mistake_cancels_the_notice(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    await delete_event(school_a, system, event.id, now=RECORDED + timedelta(minutes=1))

    [notice] = await notices_of(pupil)
    assert notice.status == NoticeStatus.CANCELLED
    assert {d.status for d in await deliveries_of(notice)} == {DeliveryStatus.CANCELLED}


async def test_entered_again_after_a_mistake_the_notice_opens_again(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    wrong = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    await delete_event(school_a, system, wrong.id, now=RECORDED)
    right = await absence(school_a, system, pupil, at(MONDAY, 9), at(MONDAY, 11), now=RECORDED)

    [notice] = await notices_of(pupil)
    assert (notice.status, notice.event_id) == (NoticeStatus.PENDING, right.id)
    statuses = [d.status for d in await deliveries_of(notice)]
    assert statuses == ["cancelled", "cancelled", "scheduled", "scheduled"]


async def test_moved_to_another_half_day_the_notice_follows(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    patch = EventPatch(start=at(MONDAY, 14), end=at(MONDAY, 16))
    await correct_event(school_a, system, event.id, patch, now=RECORDED)

    morning, afternoon = await notices_of(pupil)
    assert morning.status == NoticeStatus.CANCELLED
    assert (afternoon.status, afternoon.payload["half"]) == (NoticeStatus.PENDING, "pm")
    assert len(await deliveries_of(afternoon)) == 2


async def test_another_event_of_the_half_day_keeps_the_notice(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    first = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 9), now=RECORDED)
    second = await absence(school_a, system, pupil, at(MONDAY, 10), at(MONDAY, 11), now=RECORDED)
    await correct_event(school_a, system, first.id, EventPatch(accepted=True), now=RECORDED)

    [notice] = await notices_of(pupil)
    assert (notice.status, notice.event_id) == (NoticeStatus.PENDING, second.id)
    assert {d.status for d in await deliveries_of(notice)} == {DeliveryStatus.SCHEDULED}


async def test_quiet_hours_hold_sms_until_the_next_morning_but_not_email(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    family.father.preferred_channel = "email"
    await family.father.save()
    evening = at(MONDAY, 19, 50)
    await absence(school_a, system, pupil, at(MONDAY, 14), at(MONDAY, 17), now=evening)

    [notice] = await notices_of(pupil)
    sms, email = await deliveries_of(notice)
    assert (sms.channel, sms.not_before) == ("sms", at(TUESDAY, 8).astimezone(UTC))
    assert (email.channel, email.to) == ("email", "marc.martin@example.org")
    assert email.not_before == (evening + timedelta(minutes=20)).astimezone(UTC)


async def test_nobody_reachable_makes_a_failed_notice_staff_can_see(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(person_id__in=[family.mother.id, family.father.id]).update(
        usability=Usability.INVALID
    )
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)

    [notice] = await notices_of(pupil)
    assert notice.status == NoticeStatus.FAILED
    assert notice.payload["reason"] == "no guardian can be reached"
    assert await deliveries_of(notice) == []


async def test_a_linked_chat_comes_first_in_the_default_order(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ChatLink.create(person=family.mother, chat_id="424242")
    await ChatLink.create(person=family.father, chat_id="434343", active=False)
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)

    [notice] = await notices_of(pupil)
    mother, father = await deliveries_of(notice)
    assert (mother.channel, mother.to, mother.contact_id) == ("chat", "424242", None)
    assert (father.channel, father.to) == ("sms", FATHER_MOBILE)


async def test_lateness_is_notified_only_when_the_school_asks(
    school_a: School, system: Actor, pupil: Student, classmate: Student
) -> None:
    await make_family(school_a, pupil)
    await make_family(school_a, classmate)
    late = EventKind.LATENESS
    start, end = at(MONDAY, 8, 5), at(MONDAY, 8, 15)
    await absence(school_a, system, pupil, start, end, now=RECORDED, kind=late)
    assert await notices_of(pupil) == []

    school_a.notify_lateness = True
    await school_a.save()
    await absence(school_a, system, classmate, start, end, now=RECORDED, kind=late)
    [notice] = await notices_of(classmate)
    assert notice.kind == "lateness"


async def test_no_notice_for_what_the_family_told_or_a_justified_absence(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    told = EventSource.FAMILY_NOTICE
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 9), now=RECORDED, source=told)
    await absence(
        school_a, system, pupil, at(MONDAY, 10), at(MONDAY, 11), now=RECORDED, reason="MALADIE"
    )
    assert await notices_of(pupil) == []


async def test_an_absence_entered_days_later_is_notified_naming_its_day(
    school_a: School, system: Actor, pupil: Student
) -> None:
    """Friday's paper roll call typed in on Monday: the family hears of it, the text names the
    day; one entered more than ``late_notice_days`` later gets no notice."""
    await make_family(school_a, pupil)
    friday = MONDAY - timedelta(days=3)
    await absence(school_a, system, pupil, at(friday, 14), at(friday, 15), now=RECORDED)
    [notice] = await notices_of(pupil)
    assert notice.payload == {"day": friday.isoformat(), "half": "pm", "past": True}
    assert len(await deliveries_of(notice)) == 2  # both legal guardians, after the delay

    school_a.late_notice_days = 2
    await school_a.save(update_fields=["late_notice_days"])
    await absence(school_a, system, pupil, at(friday, 8), at(friday, 9), now=RECORDED)
    assert len(await notices_of(pupil)) == 1  # three days late: too late for this school

    school_a.late_notice_days = 0
    await school_a.save(update_fields=["late_notice_days"])
    await absence(school_a, system, pupil, at(friday, 10), at(friday, 11), now=RECORDED)
    await absence(school_a, system, pupil, at(MONDAY, 14), at(MONDAY, 15), now=RECORDED)
    [_, today] = await notices_of(pupil)
    assert today.payload["past"] is False


async def test_an_absence_entered_ahead_leaves_after_it_starts(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    sunday = at(MONDAY - timedelta(days=1), 11)
    await absence(school_a, system, pupil, at(MONDAY, 10), None, now=sunday)

    [notice] = await notices_of(pupil)
    assert notice.payload == {"day": "2026-03-02", "half": "am", "past": False}
    when = {d.not_before for d in await Delivery.filter(notice_id=notice.id)}
    assert when == {at(MONDAY, 10, 20).astimezone(UTC)}
    assert await Notice.all().count() == 1
