"""Convoking a family: written with its audit row, sent at once out of the quiet hours, refused
as a whole when it cannot be, and rendered in every template shipped for the new kinds."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    Action,
    ActionType,
    AuditEntry,
    ContactPoint,
    Delivery,
    Notice,
    Person,
    School,
    Student,
    Usability,
)
from core.services.audit import Actor
from core.services.delivery.send import deliver
from core.services.notices.convocations import convoke_family
from core.services.templates.messages import TEMPLATES, context, find_template
from gateway.outbox.transport import OutboxTransport
from gateway.render import render_message, sms_segments
from tests.core.services.notice_support import (
    FATHER_EMAIL,
    MONDAY,
    MOTHER_MOBILE,
    at,
    deliveries_of,
    make_family,
)
from workers.senders import render, wrap

MEETING = at(MONDAY + timedelta(days=8), 14, 30)  # Tuesday 10 March, 14:30 in Paris
NOW = at(MONDAY, 10)


async def convoke(school: School, actor: Actor, student: Student, **given: Any) -> Any:
    values: dict[str, Any] = {
        "meeting_at": MEETING,
        "place": "bureau de la CPE",
        "with_whom": "Mme Dupont, CPE",
        "message": "Merci de venir avec le carnet de correspondance.",
        "now": NOW,
        **given,
    }
    return await convoke_family(school, actor, student.id, **values)


async def test_a_convocation_goes_at_once_to_each_guardian_with_its_audit(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    family.father.preferred_channel = "email"
    await family.father.save()
    done = await convoke(school_a, cpe_actor, pupil)

    notice = done.notice
    assert (notice.kind, notice.status, notice.event_id) == ("convocation", "pending", None)
    assert notice.dedupe_key == f"convocation:{pupil.id}:2026-03-10T13:30Z"
    assert notice.payload["place"] == "bureau de la CPE"
    assert notice.payload["meeting_at"] == "2026-03-10T14:30:00+01:00"
    localized = notice.payload["localized"]
    assert isinstance(localized, dict)
    assert localized["fr"] == {
        "written_on": "2 mars 2026",
        "meeting_day": "mardi 10 mars 2026",
        "meeting_time": "14h30",
    }
    assert localized["en"]["meeting_time"] == "14:30"
    sms, email = await deliveries_of(notice)
    assert (sms.channel, sms.to, email.channel, email.to) == (
        "sms",
        MOTHER_MOBILE,
        "email",
        FATHER_EMAIL,
    )
    assert {sms.not_before, email.not_before} == {NOW.astimezone(UTC)}  # no send-after delay
    assert sorted(d.delivery_id for d in done.due) == [sms.id, email.id]
    row = await AuditEntry.get(action="notice.convoke")
    assert (row.actor_label, row.entity_id) == ("cpe@alpha.example", str(notice.id))


async def test_a_convocation_is_among_the_actions_taken_about_the_student(
    school_a: School, cpe_actor: Actor, pupil: Student, classmate: Student
) -> None:
    await make_family(school_a, pupil)
    await make_family(school_a, classmate)
    await convoke(school_a, cpe_actor, pupil)
    [action] = await Action.filter(student_id=pupil.id).prefetch_related("type")
    assert (action.type.code, action.type.label) == ("CONVOCATION", "Convocation de la famille")
    assert action.comment == (
        "Convocation le mardi 10 mars 2026 à 14h30, bureau de la CPE, avec Mme Dupont, CPE"
    )
    assert (action.done_at, action.done_by_id) == (NOW.astimezone(UTC), cpe_actor.user_id)
    assert await AuditEntry.filter(action="action.record", entity_id=str(action.id)).exists()

    # A school created before the type existed gets it; one that deactivated it records none.
    await Action.filter(id=action.id).delete()
    await ActionType.filter(school_id=school_a.id, code="CONVOCATION").delete()
    await convoke(school_a, cpe_actor, pupil, meeting_at=MEETING + timedelta(days=1))
    kind = await ActionType.get(school_id=school_a.id, code="CONVOCATION")
    assert await AuditEntry.filter(action="action_type.create", entity_id=str(kind.id)).exists()
    assert await Action.filter(student_id=pupil.id, type_id=kind.id).count() == 1
    kind.active = False
    await kind.save()
    await convoke(school_a, cpe_actor, classmate)
    assert not await Action.filter(student_id=classmate.id).exists()


async def test_in_the_quiet_hours_the_sms_waits_but_not_the_email(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    family.father.preferred_channel = "email"
    await family.father.save()
    evening = at(MONDAY, 21)
    done = await convoke(school_a, cpe_actor, pupil, now=evening)
    sms, email = await deliveries_of(done.notice)
    assert sms.not_before == at(MONDAY + timedelta(days=1), 8).astimezone(UTC)
    assert email.not_before == evening.astimezone(UTC)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"meeting_at": NOW - timedelta(minutes=1)}, "meeting_past"),
        ({"meeting_at": NOW + timedelta(days=400)}, "meeting_far"),
        ({"meeting_at": MEETING.replace(tzinfo=None)}, "meeting_time"),
        ({"place": "   "}, "required"),
        ({"with_whom": ""}, "required"),
        ({"message": "x" * 2001}, "too_long"),
    ],
)
async def test_a_bad_convocation_is_refused_and_nothing_is_written(
    school_a: School, cpe_actor: Actor, pupil: Student, given: dict[str, Any], code: str
) -> None:
    await make_family(school_a, pupil)
    with pytest.raises(Invalid) as refused:
        await convoke(school_a, cpe_actor, pupil, **given)
    assert refused.value.code == code
    assert await Notice.all().count() == 0


async def test_a_family_nobody_can_reach_is_refused_as_a_whole(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(person_id__in=[family.mother.id, family.father.id]).update(
        usability=Usability.OPTED_OUT
    )
    with pytest.raises(Invalid) as refused:
        await convoke(school_a, cpe_actor, pupil)
    assert refused.value.code == "unreachable"
    assert (await Notice.all().count(), await Delivery.all().count()) == (0, 0)
    assert await AuditEntry.filter(action="notice.convoke").count() == 0


async def test_twice_the_same_meeting_convokes_once_and_another_school_finds_nobody(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student, pupil_b: Student
) -> None:
    await make_family(school_a, pupil)
    await convoke(school_a, cpe_actor, pupil)
    with pytest.raises(Conflict):
        await convoke(school_a, cpe_actor, pupil, place="ailleurs")
    with pytest.raises(NotFound):
        await convoke(school_b, cpe_actor, pupil)  # school A's pupil seen from school B
    with pytest.raises(NotFound):
        await convoke(school_a, cpe_actor, pupil_b)
    assert await Notice.all().count() == 1


async def test_the_convocation_says_when_where_and_with_whom(
    school_a: School, cpe_actor: Actor, pupil: Student, tmp_path: Path
) -> None:
    family = await make_family(school_a, pupil)
    family.father.preferred_channel, family.father.language = "email", "en"
    await family.father.save()
    done = await convoke(school_a, cpe_actor, pupil)
    kit = wrap({c: OutboxTransport(tmp_path, channel=c) for c in ("sms", "email")})
    try:
        for item in done.due:
            outcome = await deliver(item.delivery_id, kit.senders, now=NOW, render=render)
            assert outcome.status == "delivered"
    finally:
        await kit.close()
    sent = {m["channel"]: m for m in map(_read, sorted((tmp_path / "outbox").glob("*.json")))}
    sms = sent["sms"]["body"]
    assert sms == (
        "Collège Alpha : rendez-vous le mardi 10 mars 2026 à 14h30 avec Mme Dupont, CPE "
        "(bureau de la CPE) au sujet de Léa Martin. Votre présence est requise. Merci de "
        "confirmer en répondant à ce SMS."
    )
    assert sms_segments(sms).encoding == "GSM-7"
    email = sent["email"]
    assert email["subject"] == "Meeting on Tuesday 10 March 2026 about Léa Martin"
    assert "Date: Tuesday 10 March 2026 at 14:30\nPlace: bureau de la CPE\n" in email["body"]
    assert "Merci de venir avec le carnet de correspondance." in email["body"]


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


NEW_KINDS = {
    "reminder": ("sms", "chat", "call", "email", "letter"),
    "convocation": ("sms", "chat", "call", "email", "letter"),
    "threshold": ("email", "letter"),
    "persistent": ("email", "letter"),
    "weekly_summary": ("email", "letter"),
}
PAYLOADS: dict[str, dict[str, object]] = {
    "reminder": {"day": "2026-03-02", "half": "am", "localized": {"fr": {"written_on": "x"}}},
    "convocation": {
        "meeting_at": "2026-03-10T14:30:00+01:00",
        "place": "bureau",
        "with_whom": "la CPE",
        "message": "",
        "localized": {"fr": {"written_on": "x", "meeting_day": "mardi", "meeting_time": "14h"}},
    },
    "threshold": {
        "month": "2026-03",
        "count": 4,
        "threshold": 4,
        "localized": {
            "fr": {
                "written_on": "x",
                "month_label": "mars",
                "half_days": [{"day": "lundi", "half": "matin"}],
            }
        },
    },
    "weekly_summary": {
        "week": "2026-W10",
        "absences": 1,
        "lateness": 0,
        "localized": {
            "fr": {
                "written_on": "x",
                "week_label": "lundi",
                "events": [
                    {"kind": "Absence", "day": "lundi", "start": "8h", "end": "", "state": "?"}
                ],
            }
        },
    },
}
PAYLOADS["persistent"] = PAYLOADS["threshold"]


@pytest.mark.parametrize(
    ("kind", "channel", "language"),
    [
        (kind, channel, language)
        for kind, channels in NEW_KINDS.items()
        for channel in channels
        for language in ("fr", "en")
    ],
)
async def test_every_shipped_template_renders_in_the_sandbox(
    school_a: School, pupil: Student, kind: str, channel: str, language: str
) -> None:
    assert (TEMPLATES / kind / f"{channel}.{language}.txt").is_file()
    found = await find_template(school_a, kind, channel, language)
    assert found is not None
    subject, body = found
    assert bool(subject) is (channel == "email")
    notice = await Notice.create(
        school=school_a, student=pupil, kind=kind, dedupe_key="test", payload=PAYLOADS[kind]
    )
    await notice.fetch_related("event")
    person = Person(civility="Mme", last_name="Martin", first_name="Anne", language=language)
    values = context(notice, school_a, pupil, person, language)
    text = render_message(body, values)  # every variable must exist (StrictUndefined)
    assert "Léa" in text and "{{" not in text
    if channel == "sms":
        assert sms_segments(text).encoding == "GSM-7" or language == "en"
