"""Correcting the number or address of a failed delivery: checked, one transaction, audited,
never for another family; optionally sent again to the corrected value."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    AuditEntry,
    Channel,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    GuardianLink,
    Notice,
    NoticeKind,
    NoticeStatus,
    Person,
    School,
    Student,
    Usability,
)
from core.services.audit import Actor
from core.services.delivery.contacts import fix_contact, read_phone, school_region
from core.services.delivery.resend import resend_delivery
from core.services.schools.school import create_school
from tests.core.services.notice_support import FATHER_MOBILE, MOTHER_EMAIL, Family, make_family

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
RIGHT = "+33611223344"


async def failed_to(
    school: School, pupil: Student, point: ContactPoint, *, channel: Channel = Channel.SMS
) -> Delivery:
    """A notice whose delivery to ``point`` failed for good."""
    notice = await Notice.create(
        school=school,
        student=pupil,
        kind=NoticeKind.ABSENCE,
        dedupe_key=f"test:{uuid.uuid4()}",
        status=NoticeStatus.FAILED,
    )
    return await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        person_id=point.person_id,
        contact_id=point.id,
        channel=channel,
        to=point.value,
        status=DeliveryStatus.FAILED,
        attempts=1,
        not_before=NOW,
        provider="twilio",
        provider_ref=f"SM{uuid.uuid4().hex}",
        error="invalid number (21211)",
    )


@pytest.fixture
async def family(school_a: School, pupil: Student) -> Family:
    family = await make_family(school_a, pupil)
    point = family.mother_mobile
    point.usability, point.usability_note = Usability.INVALID, "failed (21211)"
    await point.save()
    return family


async def unchanged(point: ContactPoint) -> None:
    stored = await ContactPoint.get(id=point.id)
    assert (stored.value, stored.usability) == (point.value, point.usability)
    assert await AuditEntry.filter(action__startswith="contact_point").count() == 0


async def test_the_number_is_corrected_usable_again_and_audited(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    fixed = await fix_contact(
        school_a, cpe_actor, failed.id, "06 11 22 33 44", now=NOW, note="given by phone"
    )
    assert (fixed.created, fixed.replaced, fixed.resent) == (False, None, None)
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert (point.value, point.raw_value, point.usability) == (RIGHT, "06 11 22 33 44", "ok")
    assert (point.usability_note, point.usability_changed_at) == ("given by phone", NOW)
    [entry] = await AuditEntry.filter(action="contact_point.fix")
    assert entry.actor_label == "cpe@alpha.example" and entry.school_id == school_a.id
    assert entry.before is not None and entry.after is not None
    assert (entry.before["value"], entry.before["usability"]) == ("+33612345678", "invalid")
    assert (entry.after["value"], entry.after["usability"]) == (RIGHT, "ok")
    assert await Delivery.all().count() == 1  # not sent again unless asked


async def test_the_notice_is_sent_again_to_the_corrected_number_when_asked(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    fixed = await fix_contact(
        school_a, cpe_actor, failed.id, "+33 6 11 22 33 44", now=NOW, resend=True
    )
    assert fixed.resent is not None
    fresh = await Delivery.get(id=fixed.resent.id)
    assert (fresh.to, fresh.contact_id, fresh.person_id) == (
        RIGHT,
        family.mother_mobile.id,
        family.mother.id,
    )
    assert (fresh.status, fresh.notice_id, fresh.channel) == ("scheduled", failed.notice_id, "sms")
    assert (await Notice.get(id=failed.notice_id)).status == NoticeStatus.PENDING
    assert (await Delivery.get(id=failed.id)).status == DeliveryStatus.FAILED  # kept as it was
    assert await AuditEntry.filter(action="delivery.resend").count() == 1
    with pytest.raises(Invalid):  # a double click: the number is already right
        await fix_contact(school_a, cpe_actor, failed.id, RIGHT, now=NOW, resend=True)
    assert await Delivery.all().count() == 2


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("12", "not_a_number"),
        ("not a number", "not_a_number"),
        ("+33 6 12", "not_a_number"),
        ("01 40 00 00 00", "not_mobile"),  # a landline cannot take the SMS
        ("06 12 34 56 78", "same"),  # what is on file, on a point made usable below
    ],
)
async def test_bad_input_is_refused_with_a_code_and_nothing_changes(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor, typed: str, code: str
) -> None:
    point = family.mother_mobile
    if code == "same":
        point.usability = Usability.OK
        await point.save()
    failed = await failed_to(school_a, pupil, point)
    with pytest.raises(Invalid) as refused:
        await fix_contact(school_a, cpe_actor, failed.id, typed, now=NOW, resend=True)
    assert refused.value.code == code
    await unchanged(point)
    assert await Delivery.all().count() == 1


async def test_the_same_number_confirmed_makes_an_invalid_point_usable_again(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    await fix_contact(school_a, cpe_actor, failed.id, "0612345678", now=NOW)
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert (point.value, point.usability) == ("+33612345678", Usability.OK)


async def test_a_bounced_address_is_corrected(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    email = family.mother_email
    email.usability = Usability.BOUNCED
    await email.save()
    failed = await failed_to(school_a, pupil, email, channel=Channel.EMAIL)
    with pytest.raises(Invalid) as refused:
        await fix_contact(school_a, cpe_actor, failed.id, "anne at example", now=NOW)
    assert refused.value.code == "email"
    await fix_contact(school_a, cpe_actor, failed.id, " Anne.Martin@Example.NET ", now=NOW)
    point = await ContactPoint.get(id=email.id)
    assert (point.value, point.usability) == ("anne.martin@example.net", Usability.OK)
    assert point.value != MOTHER_EMAIL


async def test_a_number_of_another_family_is_refused_but_a_parents_is_not(
    school_a: School, pupil: Student, classmate: Student, family: Family, cpe_actor: Actor
) -> None:
    stranger = await Person.create(school=school_a, last_name="Bernard", first_name="Paul")
    await GuardianLink.create(student=classmate, person=stranger)
    await ContactPoint.create(person=stranger, kind=ContactKind.MOBILE, value=RIGHT)
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    with pytest.raises(Conflict) as refused:
        await fix_contact(school_a, cpe_actor, failed.id, "06 11 22 33 44", now=NOW, resend=True)
    assert refused.value.code == "other_family"
    await unchanged(family.mother_mobile)
    assert await Delivery.all().count() == 1
    # The father's number: the same family (a shared phone) may be given.
    await fix_contact(school_a, cpe_actor, failed.id, FATHER_MOBILE, now=NOW)
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert (point.person_id, point.value) == (family.mother.id, FATHER_MOBILE)
    assert await ContactPoint.filter(value=FATHER_MOBILE).count() == 2


async def test_an_imported_point_is_kept_marked_and_the_right_number_entered_beside_it(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    imported = family.mother_mobile
    imported.siecle_field, imported.usability, imported.priority = "TEL_PORTABLE", "ok", 2
    await imported.save()
    failed = await failed_to(school_a, pupil, imported)
    fixed = await fix_contact(school_a, cpe_actor, failed.id, "0611223344", now=NOW, resend=True)

    assert fixed.created and fixed.replaced is not None and fixed.replaced.id == imported.id
    old = await ContactPoint.get(id=imported.id)
    assert (old.value, old.siecle_field, old.usability) == (
        "+33612345678",
        "TEL_PORTABLE",
        Usability.WRONG_NUMBER,
    )
    new = await ContactPoint.get(id=fixed.contact.id)
    assert (new.person_id, new.kind, new.value) == (family.mother.id, ContactKind.MOBILE, RIGHT)
    assert (new.siecle_field, new.usability, new.priority) == (None, Usability.OK, 2)
    assert fixed.resent is not None
    assert (await Delivery.get(id=fixed.resent.id)).contact_id == new.id
    actions = sorted(e.action for e in await AuditEntry.filter(action__startswith="contact_point"))
    assert actions == ["contact_point.fix", "contact_point.replace"]


async def test_what_the_family_refused_stays_refused(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    point = family.mother_mobile
    point.usability = Usability.OPTED_OUT
    await point.save()
    failed = await failed_to(school_a, pupil, point)
    with pytest.raises(Conflict) as refused:
        await fix_contact(school_a, cpe_actor, failed.id, "0611223344", now=NOW)
    assert refused.value.code == "refused"
    await unchanged(point)


async def test_a_delivery_that_did_not_fail_or_has_no_point_is_refused(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    sent = await failed_to(school_a, pupil, family.mother_mobile)
    await Delivery.filter(id=sent.id).update(status=DeliveryStatus.SENT)
    with pytest.raises(Conflict) as refused:
        await fix_contact(school_a, cpe_actor, sent.id, "0611223344", now=NOW)
    assert refused.value.code == "not_failed"
    await Delivery.filter(id=sent.id).update(status=DeliveryStatus.FAILED, contact_id=None)
    with pytest.raises(Conflict) as refused:
        await fix_contact(school_a, cpe_actor, sent.id, "0611223344", now=NOW)
    assert refused.value.code == "no_contact"
    await unchanged(family.mother_mobile)


async def test_another_schools_delivery_is_not_found(
    school_a: School, school_b: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    with pytest.raises(NotFound):
        await fix_contact(school_b, cpe_actor, failed.id, "0611223344", now=NOW)
    with pytest.raises(NotFound):
        await fix_contact(school_a, cpe_actor, failed.id + 1000, "0611223344", now=NOW)
    await unchanged(family.mother_mobile)


async def test_an_overseas_school_reads_national_numbers_in_its_region(db: str) -> None:
    actor = Actor.system("tests")
    reunion = await create_school("9740001A", "Collège Bourbon", actor, timezone="Indian/Reunion")
    assert school_region(reunion) == "RE"
    assert read_phone("692 12 34 56", "RE").e164 == "+262692123456"
    assert read_phone("0692 12 34 56", "RE").e164 == "+262692123456"
    assert read_phone("06 12 34 56 78", "RE").e164 == "+33612345678"  # a metropolitan mobile
    assert read_phone("41 23 45", "PM").e164 == "+508412345"
    pupil = await Student.create(school=reunion, last_name="Hoarau", first_name="Noé")
    family = await make_family(reunion, pupil)
    failed = await failed_to(reunion, pupil, family.mother_mobile)
    await fix_contact(reunion, actor, failed.id, "0692 12 34 56", now=NOW)
    assert (await ContactPoint.get(id=family.mother_mobile.id)).value == "+262692123456"


async def test_sending_again_later_goes_to_the_corrected_number(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    failed = await failed_to(school_a, pupil, family.mother_mobile)
    with pytest.raises(Conflict) as refused:  # the number is known invalid: correct it first
        await resend_delivery(school_a, cpe_actor, failed.id, now=NOW)
    assert refused.value.code == "unusable"
    await fix_contact(school_a, cpe_actor, failed.id, "06 11 22 33 44", now=NOW)
    fresh = await resend_delivery(school_a, cpe_actor, failed.id, now=NOW)
    assert (fresh.to, fresh.contact_id) == (RIGHT, family.mother_mobile.id)
    with pytest.raises(Conflict):  # once
        await resend_delivery(school_a, cpe_actor, failed.id, now=NOW)


async def test_a_family_that_replied_stop_is_not_sent_again(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    point = family.mother_mobile
    failed = await failed_to(school_a, pupil, point)
    point.usability = Usability.OPTED_OUT
    await point.save()
    with pytest.raises(Conflict) as refused:
        await resend_delivery(school_a, cpe_actor, failed.id, now=NOW)
    assert refused.value.code == "unusable"
    assert await Delivery.all().count() == 1
