"""Correcting a family's number or address after a delivery failed ("corriger le numéro").

Staff type the right value for the contact point a failed SMS, call or email went to. The value
is checked (a phone number read with phonenumbers, in E.164, the school's overseas region
first; an email address), then, in one transaction: the point takes the value and is usable
again (``usability`` ok, a note, the time), audited before/after; optionally the notice is sent
again to the new value as a new delivery (:func:`core.services.delivery.resend.resend_delivery`).

A point the SIECLE import keeps (``siecle_field`` set) is not overwritten: the next import would
put the export's wrong value back. It is marked ``wrong_number`` instead (the import keeps that
mark while the export holds the same value) and the right value becomes a point entered by staff
for the same person, which the import never touches — and which makes the import drop the
imported point once SIECLE itself holds the corrected value.

Never for another family: the point stays with the person the delivery went to, and a value
another family of the school already uses is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    GuardianLink,
    Notice,
    School,
    Usability,
)
from core.rules.channels import staff_corrects
from core.services.audit import Actor, record, snapshot
from core.services.delivery.resend import RESENDABLE, resend_delivery
from core.siecle.phones import OVERSEAS_REGIONS, Phone, clean, normalise_phone

PHONE_KINDS = (ContactKind.MOBILE, ContactKind.LANDLINE)
# The family's own choice (a STOP reply, a blocked bot): staff may not undo it by a correction.
FAMILY_CHOICES = (Usability.OPTED_OUT, Usability.BLOCKED)
AUDITED = ("person_id", "kind", "value", "raw_value", "usability", "usability_note", "verified")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Overseas schools by time zone, then by the department in their UAI (974… is Réunion).
_REGION_BY_ZONE = {
    "Indian/Reunion": "RE",
    "Indian/Mayotte": "YT",
    "America/Guadeloupe": "GP",
    "America/Martinique": "MQ",
    "America/Cayenne": "GF",
    "America/Miquelon": "PM",
    "America/St_Barthelemy": "BL",
    "America/Marigot": "MF",
}
_REGION_BY_UAI = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
}


@dataclass(frozen=True, slots=True)
class Fixed:
    """What :func:`fix_contact` did: the point that now holds the value (``created`` when it is
    a new point beside an imported one, ``replaced``), and the new delivery when resent."""

    contact: ContactPoint
    created: bool
    replaced: ContactPoint | None
    resent: Delivery | None


def school_region(school: School) -> str:
    """The phone region national numbers are read in first: the school's overseas region, or FR."""
    return _REGION_BY_ZONE.get(school.timezone) or _REGION_BY_UAI.get(school.uai[:3], "FR")


def read_phone(raw: str, region: str = "FR") -> Phone:
    """``raw`` as a phone number (see :func:`core.siecle.phones.normalise_phone`), a national
    number being read in the school's overseas ``region`` first when it is valid there."""
    value = clean(raw)
    if region in OVERSEAS_REGIONS and value and not value.startswith("+"):
        try:
            number = phonenumbers.parse(value, region)
        except NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return normalise_phone(phonenumbers.format_number(number, PhoneNumberFormat.E164))
    return normalise_phone(raw)


def checked_value(kind: ContactKind, raw: str, region: str) -> str:
    """The value a point of ``kind`` would hold for what staff typed, or :class:`Invalid` with a
    code the panel translates (``empty``, ``not_a_number``, ``not_mobile``, ``email``)."""
    if not raw.strip():
        raise Invalid("enter the right number or address", code="empty")
    if kind == ContactKind.EMAIL:
        address = raw.strip().lower()
        if len(address) > 254 or not _EMAIL.match(address):
            raise Invalid(f"{raw.strip()!r} is not an email address", code="email")
        return address
    phone = read_phone(raw, region)
    if phone.e164 is None:
        why = phone.error or "not a valid number"
        raise Invalid(f"{raw.strip()!r} is not a phone number ({why})", code="not_a_number")
    if kind == ContactKind.MOBILE and phone.kind != "mobile":
        raise Invalid(
            f"{phone.e164} is a landline: it cannot receive text messages", code="not_mobile"
        )
    return phone.e164


def fixable(delivery: Delivery, contact: ContactPoint | None) -> bool:
    """Whether the board offers the correction for this delivery: failed, on a channel with a
    number or an address, its point not refused by the family, and not corrected since (the
    point still holds what failed, or is marked unusable)."""
    return (
        delivery.status in RESENDABLE
        and staff_corrects(str(delivery.channel))
        and contact is not None
        and contact.kind in (*PHONE_KINDS, ContactKind.EMAIL)
        and contact.usability not in FAMILY_CHOICES
        and (contact.value == delivery.to or contact.usability != Usability.OK)
    )


async def _load(school: School, delivery_id: int) -> tuple[Delivery, Notice, ContactPoint]:
    delivery = await Delivery.get_or_none(id=delivery_id)
    notice = None if delivery is None else await Notice.get_or_none(id=delivery.notice_id)
    if delivery is None or notice is None or notice.school_id != school.id:
        raise NotFound("no such delivery")
    contact = None
    if delivery.contact_id is not None:  # locked: two corrections of one point queue up
        found = ContactPoint.filter(id=delivery.contact_id).select_for_update()
        contact = await found.prefetch_related("person").first()
    if contact is None or contact.person.school_id != school.id:
        raise Conflict("this delivery names no contact point to correct", code="no_contact")
    if contact.person_id != delivery.person_id:  # never correct someone else's point
        raise Conflict("this delivery's contact point belongs to someone else", code="no_contact")
    if contact.usability in FAMILY_CHOICES:
        raise Conflict("the family refused this channel: only they can undo it", code="refused")
    if delivery.status not in RESENDABLE or not staff_corrects(str(delivery.channel)):
        raise Conflict("only a failed SMS, call or email can be corrected", code="not_failed")
    return delivery, notice, contact


async def _family(person_id: int) -> set[int]:
    """The persons linked to the same students as ``person_id`` (the person included)."""
    students = await GuardianLink.filter(person_id=person_id).values_list("student_id", flat=True)
    persons = await GuardianLink.filter(student_id__in=list(students)).values_list(
        "person_id", flat=True
    )
    return {person_id, *cast("list[int]", persons)}


async def _refuse_other_family(school: School, contact: ContactPoint, value: str) -> None:
    kinds = list(PHONE_KINDS) if contact.kind in PHONE_KINDS else [ContactKind.EMAIL]
    owners = await ContactPoint.filter(
        value=value, kind__in=kinds, person__school_id=school.id
    ).values_list("person_id", flat=True)
    if set(cast("list[int]", owners)) - await _family(contact.person_id):
        raise Conflict(
            "another family of the school already has this number or address",
            code="other_family",
        )


@dataclass(frozen=True, slots=True)
class _Change:
    """One correction as staff asked for it."""

    actor: Actor
    school: School
    value: str  # checked
    raw: str  # as typed
    note: str
    now: datetime

    async def audit(
        self, action: str, point: ContactPoint, before: dict[str, object] | None, **extra: object
    ) -> None:
        after = {**snapshot(point, AUDITED), **extra}
        await record(
            self.actor, action, point, school_id=self.school.id, before=before, after=after
        )

    def apply(self, point: ContactPoint) -> None:
        point.value, point.raw_value = self.value, self.raw.strip()[:254]
        point.usability, point.usability_note = Usability.OK, self.note
        point.usability_changed_at = self.now


async def fix_contact(
    school: School,
    actor: Actor,
    delivery_id: int,
    raw: str,
    *,
    now: datetime,
    note: str = "",
    resend: bool = False,
) -> Fixed:
    """Correct the number or address a failed delivery of ``school`` went to (see the module).

    Raises :class:`NotFound` for a delivery of another school, :class:`Invalid` for a value that
    is not a number (or not a mobile for a mobile point, or not an address) or is the same as
    before on a usable point, :class:`Conflict` for a delivery that did not fail, a point the
    family refused, or a value another family of the school uses. Nothing is changed then.
    The caller enqueues ``resent`` after the commit.
    """
    async with in_transaction():
        delivery, _, contact = await _load(school, delivery_id)
        value = checked_value(contact.kind, raw, school_region(school))
        if value == contact.value and contact.usability == Usability.OK:
            raise Invalid(f"{value} is already the number on file", code="same")
        await _refuse_other_family(school, contact, value)
        why = note.strip()[:200] or f"corrected by {actor.label}"[:200]
        change = _Change(actor, school, value, raw, why, now.astimezone(UTC))
        replaced: ContactPoint | None = None
        if contact.siecle_field and value != contact.value:
            target, created = await _beside_import(change, contact)
            replaced = contact
        else:
            target, created = await _in_place(change, contact), False
        fresh = None
        if resend:
            fresh = await resend_delivery(
                school, actor, delivery.id, now=now, to=target.value, contact_id=target.id
            )
    return Fixed(target, created, replaced, fresh)


async def _in_place(change: _Change, contact: ContactPoint) -> ContactPoint:
    if change.value != contact.value and await ContactPoint.exists(
        person_id=contact.person_id, kind=contact.kind, value=change.value
    ):
        raise Conflict("this person already has this number or address", code="duplicate")
    before = snapshot(contact, AUDITED)
    change.apply(contact)
    await contact.save(
        update_fields=["value", "raw_value", "usability", "usability_note", "usability_changed_at"]
    )
    await change.audit("contact_point.fix", contact, before)
    return contact


async def _beside_import(change: _Change, imported: ContactPoint) -> tuple[ContactPoint, bool]:
    """Keep the imported point (marked wrong) and put the value in a point entered by staff."""
    target = await ContactPoint.get_or_none(
        person_id=imported.person_id, kind=imported.kind, value=change.value
    )
    if target is not None and target.usability in FAMILY_CHOICES:
        raise Conflict("the family refused this channel: only they can undo it", code="refused")
    before = snapshot(imported, AUDITED)
    if imported.usability == Usability.OK:
        imported.usability = Usability.WRONG_NUMBER
    imported.usability_note = f"replaced: {change.note}"[:200]
    imported.usability_changed_at = change.now
    await imported.save(update_fields=["usability", "usability_note", "usability_changed_at"])
    await change.audit("contact_point.replace", imported, before)
    created = target is None
    if target is None:
        target = ContactPoint(
            person_id=imported.person_id,
            kind=imported.kind,
            label=imported.label,
            consent=imported.consent,
            priority=imported.priority,
        )
    previous = None if created else snapshot(target, AUDITED)
    change.apply(target)
    await target.save()
    await change.audit("contact_point.fix", target, previous, replaces=imported.id)
    return target, created
