"""Dated notices planned once a day: reminders of absences still not justified, the monthly
letters (L131-8), the weekly summary — idempotent, and checked again when they leave."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.models import (
    AuditEntry,
    ClosedDay,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    EventSource,
    Notice,
    NoticeStatus,
    Person,
    School,
    Student,
    Usability,
)
from core.services.audit import Actor
from core.services.delivery.send import deliver
from core.services.events.record import EventPatch, correct_event, delete_event
from core.services.notices.planning import plan_dated_notices, schools_to_plan
from gateway.outbox.transport import OutboxTransport
from tests.core.services.notice_support import (
    FATHER_EMAIL,
    FATHER_MOBILE,
    MONDAY,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    deliveries_of,
    make_family,
)
from workers.senders import Channels, render, wrap

THURSDAY = MONDAY + timedelta(days=3)  # 5 March: 3 days after Monday 2 March


@pytest.fixture
async def channels(tmp_path: Path) -> AsyncIterator[Channels]:
    kit = wrap({c: OutboxTransport(tmp_path, channel=c) for c in ("sms", "email", "letter")})
    yield kit
    await kit.close()


def outbox(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "outbox").glob("*.json"))]


async def postal(person: Person, line: str, town: str = "PARIS") -> ContactPoint:
    return await ContactPoint.create(
        person=person,
        kind=ContactKind.POSTAL,
        value=line,
        address={"lines": [line], "postal_code": "75011", "city": town},
    )


async def of_kind(student: Student, kind: str) -> list[Notice]:
    return await Notice.filter(student_id=student.id, kind=kind).order_by("id")


async def fresh(school: School) -> School:
    return await School.get(id=school.id)


async def whole_days(school: School, system: Actor, pupil: Student, days: list[date]) -> None:
    for day in days:
        await absence(school, system, pupil, at(day, 8), at(day, 17), now=at(day, 8, 30))


# --- reminders ----------------------------------------------------------------------------------


async def test_a_reminder_goes_after_the_days_set_once_per_event(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))

    assert await plan_dated_notices(school_a, at(MONDAY, 23)) == []
    wednesday = await fresh(school_a)
    assert await plan_dated_notices(wednesday, at(MONDAY + timedelta(days=2), 7)) == []
    assert await of_kind(pupil, "reminder") == []

    school = await fresh(school_a)
    due = await plan_dated_notices(school, at(THURSDAY, 7))
    [reminder] = await of_kind(pupil, "reminder")
    assert (reminder.dedupe_key, reminder.event_id) == (f"reminder:{event.id}", event.id)
    assert (reminder.payload["day"], reminder.payload["half"]) == ("2026-03-02", "am")
    deliveries = await deliveries_of(reminder)
    assert [(d.channel, d.to) for d in deliveries] == [
        ("sms", MOTHER_MOBILE),
        ("sms", FATHER_MOBILE),
    ]
    assert {d.not_before for d in deliveries} == {at(THURSDAY, 8).astimezone(UTC)}  # quiet hours
    assert sorted(d.delivery_id for d in due) == [d.id for d in deliveries]
    assert (await fresh(school_a)).planned_on == THURSDAY

    assert await plan_dated_notices(await fresh(school_a), at(THURSDAY, 18)) == []  # same day
    friday = await plan_dated_notices(await fresh(school_a), at(THURSDAY + timedelta(days=1), 7))
    assert friday == [] and len(await of_kind(pupil, "reminder")) == 1
    audit = await AuditEntry.filter(action="notices.plan").order_by("id")
    assert [row.after["planned_on"] for row in audit] == [  # type: ignore[index]
        "2026-03-02",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
    ]
    assert audit[2].after["notices"] == {"reminder": [reminder.id]}  # type: ignore[index]


async def test_reminders_off_or_justified_or_told_by_the_family_plan_nothing(
    school_a: School, system: Actor, pupil: Student, classmate: Student
) -> None:
    await make_family(school_a, pupil)
    await make_family(school_a, classmate)
    justified = await absence(
        school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9)
    )
    await correct_event(school_a, system, justified.id, EventPatch(accepted=True))
    await absence(
        school_a,
        system,
        classmate,
        at(MONDAY, 8),
        at(MONDAY, 17),
        now=at(MONDAY, 7),
        source=EventSource.FAMILY_NOTICE,
    )
    school_a.reminder_after_days = 0
    await school_a.save()
    wrong = await absence(
        school_a, system, pupil, at(MONDAY, 14), at(MONDAY, 16), now=at(MONDAY, 15)
    )
    assert await plan_dated_notices(await fresh(school_a), at(THURSDAY, 7)) == []
    school = await fresh(school_a)
    school.reminder_after_days, school.planned_on = 3, None
    await school.save()
    await delete_event(school, system, wrong.id)
    assert await plan_dated_notices(await fresh(school_a), at(THURSDAY, 7)) == []
    assert await Notice.filter(kind="reminder").count() == 0


async def test_an_absence_on_a_closed_day_calls_for_no_reminder(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 17), now=at(MONDAY, 8))
    # the day was closed afterwards (a strike, a flood): nothing was missed, nothing to justify
    await ClosedDay.create(school=school_a, day=MONDAY, label="Établissement fermé")
    assert await plan_dated_notices(school_a, at(THURSDAY, 7)) == []
    assert await of_kind(pupil, "reminder") == []


async def test_a_reminder_justified_before_it_leaves_is_cancelled_when_it_would(
    school_a: School, system: Actor, pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))
    first, second = await plan_dated_notices(school_a, at(THURSDAY, 7))
    await correct_event(
        school_a, system, event.id, EventPatch(accepted=True), now=at(THURSDAY, 7, 30)
    )
    [reminder] = await of_kind(pupil, "reminder")
    assert reminder.status == NoticeStatus.PENDING  # corrections leave reminders to the check

    outcome = await deliver(first.delivery_id, channels.senders, now=at(THURSDAY, 8), render=render)
    assert outcome.status == "cancelled"
    reminder = await Notice.get(id=reminder.id)
    assert reminder.status == NoticeStatus.CANCELLED
    assert {d.status for d in await deliveries_of(reminder)} == {DeliveryStatus.CANCELLED}
    assert second.delivery_id in [d.id for d in await deliveries_of(reminder)]
    assert outbox(tmp_path) == []


async def test_a_reminder_still_wanted_is_sent_with_its_day(
    school_a: School, system: Actor, pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    await make_family(school_a, pupil)
    await absence(school_a, system, pupil, at(MONDAY, 14), at(MONDAY, 16), now=at(MONDAY, 15))
    first, _ = await plan_dated_notices(school_a, at(THURSDAY, 7))
    outcome = await deliver(first.delivery_id, channels.senders, now=at(THURSDAY, 8), render=render)
    assert outcome.status == "delivered"
    [sms] = outbox(tmp_path)
    assert sms["body"] == (
        "Collège Alpha : nous n'avons toujours pas le motif de l'absence de Léa Martin le "
        "lundi 2 mars (après-midi). Merci de nous l'indiquer en répondant à ce SMS."
    )


# --- monthly letters ----------------------------------------------------------------------------


async def letter_family(school: School, pupil: Student) -> Family:
    """The family, the mother with a postal address; the school sends no reminders (these
    tests are about letters)."""
    family = await make_family(school, pupil)
    await postal(family.mother, "12 rue des Lilas")
    school.reminder_after_days = 0
    await school.save()
    return family


def sent(tmp_path: Path, channel: str, to: str) -> dict[str, object]:
    [found] = [m for m in outbox(tmp_path) if m["channel"] == channel and m["to"] == to]
    return found


async def test_four_unjustified_half_days_send_the_threshold_letter_once(
    school_a: School, system: Actor, pupil: Student, classmate: Student
) -> None:
    await letter_family(school_a, pupil)
    await make_family(school_a, classmate)
    await whole_days(school_a, system, pupil, [MONDAY, MONDAY + timedelta(days=1)])
    await absence(school_a, system, classmate, at(MONDAY, 8), at(MONDAY, 17), now=at(MONDAY, 9))

    due = await plan_dated_notices(school_a, at(MONDAY + timedelta(days=1), 23, 30))
    [letter] = await of_kind(pupil, "threshold")
    assert letter.dedupe_key == f"threshold:{pupil.id}:2026-03"
    assert await Notice.filter(kind__in=["threshold", "persistent"]).count() == 1
    assert (letter.payload["month"], letter.payload["count"], letter.payload["threshold"]) == (
        "2026-03",
        4,
        4,
    )
    assert letter.payload["half_day_keys"] == [
        ["2026-03-02", "am"],
        ["2026-03-02", "pm"],
        ["2026-03-03", "am"],
        ["2026-03-03", "pm"],
    ]
    localized = letter.payload["localized"]
    assert isinstance(localized, dict)
    assert localized["fr"]["month_label"] == "mars 2026"
    assert localized["fr"]["half_days"][0] == {"day": "lundi 2 mars 2026", "half": "matin"}
    assert localized["en"]["half_days"][3] == {"day": "Tuesday 3 March 2026", "half": "afternoon"}
    mother, father = await deliveries_of(letter)
    assert (mother.channel, mother.to) == ("letter", "12 rue des Lilas")
    assert (father.channel, father.to) == ("email", FATHER_EMAIL)  # no address: email
    assert {d.delivery_id for d in due} == {mother.id, father.id}

    await whole_days(school_a, system, pupil, [MONDAY + timedelta(days=3)])
    again = await plan_dated_notices(await fresh(school_a), at(MONDAY + timedelta(days=4), 7))
    assert again == [] and len(await of_kind(pupil, "threshold")) == 1


async def test_absences_recoded_as_a_school_activity_no_longer_reach_the_threshold(
    school_a: School, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    await letter_family(school_a, pupil)
    tuesday = MONDAY + timedelta(days=1)
    await whole_days(school_a, system, pupil, [MONDAY])
    outing = await absence(
        school_a, system, pupil, at(tuesday, 8), at(tuesday, 17), now=at(tuesday, 8)
    )
    patch = EventPatch.model_validate({"reason": "ACTIVITE_ETAB"})
    await correct_event(school_a, cpe_actor, outing.id, patch, now=at(tuesday, 18))
    await plan_dated_notices(school_a, at(tuesday, 23, 30))
    assert await of_kind(pupil, "threshold") == []  # 2 half-days count, not 4


async def test_the_persistent_letter_replaces_the_threshold_one_reached_at_once(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await letter_family(school_a, pupil)
    await absence(
        school_a,
        system,
        pupil,
        at(MONDAY, 8),
        at(MONDAY + timedelta(days=4), 17),
        now=at(MONDAY, 8),
    )  # Monday to Friday: 9 half-days (Wednesday afternoon has no lesson)
    school_a.persistent_threshold_half_days = 9
    await school_a.save()
    await plan_dated_notices(school_a, at(MONDAY + timedelta(days=7), 7))
    assert await of_kind(pupil, "threshold") == []
    [letter] = await of_kind(pupil, "persistent")
    assert (letter.payload["count"], letter.payload["threshold"]) == (9, 9)
    assert len(letter.payload["half_day_keys"]) == 9  # type: ignore[arg-type]


async def test_the_previous_month_is_still_looked_at_and_months_do_not_add_up(
    school_a: School, system: Actor, pupil: Student
) -> None:
    await letter_family(school_a, pupil)
    # Thursday 26 and Friday 27 February, then Monday 2 March: 4 + 2 half-days.
    await whole_days(school_a, system, pupil, [date(2026, 2, 26), date(2026, 2, 27), MONDAY])
    await plan_dated_notices(school_a, at(MONDAY, 23))
    [letter] = await Notice.filter(kind="threshold")
    assert letter.dedupe_key == f"threshold:{pupil.id}:2026-02"
    assert letter.payload["count"] == 4


async def test_a_letter_justified_before_it_leaves_is_cancelled(
    school_a: School, system: Actor, pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    await letter_family(school_a, pupil)
    await whole_days(school_a, system, pupil, [MONDAY])
    tuesday = await absence(
        school_a,
        system,
        pupil,
        at(MONDAY + timedelta(days=1), 8),
        at(MONDAY + timedelta(days=1), 17),
        now=at(MONDAY + timedelta(days=1), 8),
    )
    due = await plan_dated_notices(school_a, at(MONDAY + timedelta(days=2), 7))
    letters = await Delivery.filter(id__in=[d.delivery_id for d in due], channel="letter")
    [letter_due] = [d for d in due if d.delivery_id == letters[0].id]
    await correct_event(school_a, system, tuesday.id, EventPatch(accepted=True))
    when = at(MONDAY + timedelta(days=2), 9)
    outcome = await deliver(letter_due.delivery_id, channels.senders, now=when, render=render)
    assert outcome.status == "cancelled"
    [letter] = await of_kind(pupil, "threshold")
    assert letter.status == NoticeStatus.CANCELLED
    assert outbox(tmp_path) == []


async def test_the_threshold_letter_prints_the_law_and_every_half_day(
    school_a: School, system: Actor, pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    await letter_family(school_a, pupil)
    await whole_days(school_a, system, pupil, [MONDAY, MONDAY + timedelta(days=1)])
    due = await plan_dated_notices(school_a, at(MONDAY + timedelta(days=2), 7))
    for item in due:
        outcome = await deliver(
            item.delivery_id, channels.senders, now=item.not_before, render=render
        )
        assert outcome.status == "delivered"
    letter, email = (
        sent(tmp_path, "letter", "12 rue des Lilas"),
        sent(tmp_path, "email", FATHER_EMAIL),
    )
    body = str(letter["body"])
    assert body.startswith("Le 4 mars 2026\n\nObjet : absences sans motif légitime de Léa Martin")
    assert "4 demi-journées au cours du mois de mars 2026 :" in body
    assert "– lundi 2 mars 2026, matin\n– lundi 2 mars 2026, après-midi\n" in body
    assert "– mardi 3 mars 2026, après-midi\n\nL'article L131-8 du code de l'éducation" in body
    assert "Madame, Monsieur," in body and body.endswith("Le chef d'établissement\nCollège Alpha")
    assert email["subject"] == "Absences sans motif légitime de Léa Martin en mars 2026"
    assert "Bonjour M. MARTIN Marc," in str(email["body"])


async def test_nobody_to_write_to_makes_a_failed_letter_staff_can_see(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(person_id__in=[family.mother.id, family.father.id]).update(
        usability=Usability.BOUNCED
    )
    await whole_days(school_a, system, pupil, [MONDAY, MONDAY + timedelta(days=1)])
    assert await plan_dated_notices(school_a, at(MONDAY + timedelta(days=2), 7)) == []
    [letter] = await of_kind(pupil, "threshold")
    assert (letter.status, letter.payload["reason"]) == (
        NoticeStatus.FAILED,
        "no guardian can be reached",
    )


# --- weekly summary -----------------------------------------------------------------------------


async def test_the_weekly_summary_lists_last_weeks_events_by_email_first(
    school_a: School,
    system: Actor,
    pupil: Student,
    classmate: Student,
    channels: Channels,
    tmp_path: Path,
) -> None:
    await letter_family(school_a, pupil)
    await make_family(school_a, classmate)
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8))
    await absence(
        school_a,
        system,
        pupil,
        at(MONDAY + timedelta(days=2), 8, 10),
        None,
        now=at(MONDAY + timedelta(days=2), 8, 10),
        kind="lateness",
    )
    next_monday = MONDAY + timedelta(days=7)
    assert await plan_dated_notices(school_a, at(next_monday, 6)) == []  # the setting is off
    school = await fresh(school_a)
    school.weekly_summary, school.planned_on = True, None
    await school.save()

    due = await plan_dated_notices(school, at(next_monday, 6))
    [summary] = await of_kind(pupil, "weekly_summary")
    assert await of_kind(classmate, "weekly_summary") == []  # nothing happened to him
    assert summary.dedupe_key == f"weekly:{pupil.id}:2026-W10"
    assert (summary.payload["absences"], summary.payload["lateness"]) == (1, 1)
    mother, father = await deliveries_of(summary)
    assert (mother.channel, father.channel) == ("email", "email")
    assert mother.not_before == at(next_monday, 8).astimezone(UTC)  # not before 8:00
    for item in due:
        await deliver(item.delivery_id, channels.senders, now=item.not_before, render=render)
    first = sent(tmp_path, "email", FATHER_EMAIL)
    assert first["subject"] == ("Semaine du lundi 2 mars 2026 : absences et retards de Léa Martin")
    body = str(first["body"])
    assert "– Absence, lundi 2 mars, 8h00 – 10h00 : motif attendu\n" in body
    assert "– Retard, mercredi 4 mars, 8h10 : motif attendu\n" in body
    tuesday = await plan_dated_notices(
        await fresh(school_a), at(next_monday + timedelta(days=1), 6)
    )
    assert tuesday == []


async def test_only_schools_whose_day_is_not_planned_are_looked_at(
    school_a: School, school_b: School
) -> None:
    now = at(MONDAY, 12)
    assert [s.id for s in await schools_to_plan(now)] == [school_a.id, school_b.id]
    await plan_dated_notices(school_a, now)
    assert [s.id for s in await schools_to_plan(now)] == [school_b.id]
    assert [s.id for s in await schools_to_plan(now + timedelta(days=1))] == [
        school_a.id,
        school_b.id,
    ]
    stale = await School.get(id=school_b.id)
    await plan_dated_notices(school_b, now)
    assert await plan_dated_notices(stale, now) == []  # another planner had claimed the day
    assert await AuditEntry.filter(action="notices.plan").count() == 2
    assert datetime.now(UTC) > now  # planning never needs the clock


async def test_a_reminder_of_an_absence_deleted_meanwhile_is_cancelled(
    school_a: School, system: Actor, pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    await make_family(school_a, pupil)
    school_a.quiet_hours = None  # even so, nothing leaves before 8:00
    await school_a.save()
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))
    first, _ = await plan_dated_notices(school_a, at(THURSDAY, 0, 5))
    assert first.not_before == at(THURSDAY, 8).astimezone(UTC)
    await delete_event(school_a, system, event.id)
    outcome = await deliver(first.delivery_id, channels.senders, now=at(THURSDAY, 8), render=render)
    assert outcome.status == "cancelled" and outbox(tmp_path) == []
