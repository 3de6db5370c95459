"""What letters say of the school beyond its logo: the town they are written in ("À Lyon, le
…"), its phone, who signs the vie scolaire's letters and the head's name and title (the legal
letters are the head's). Kept in ``School.letterhead`` with what the SIECLE import wrote there;
each change is one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise.transactions import in_transaction

from core.errors import Invalid
from core.models import School
from core.services import audit
from core.services.audit import Actor
from core.services.schools.logo import letterhead_of
from core.siecle.phones import normalise_phone

LETTERHEAD_FIELDS = (
    "city",
    "phone",
    "signatory_name",
    "signatory_title",
    "head_name",
    "head_title",
)
MAX_LENGTH = 80


def letter_details(school: School) -> dict[str, str]:
    """The fields of :data:`LETTERHEAD_FIELDS` as they are (empty when unset)."""
    head = letterhead_of(school)
    return {name: str(head.get(name) or "") for name in LETTERHEAD_FIELDS}


def _checked(changes: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(changes) - set(LETTERHEAD_FIELDS))
    if unknown:
        raise Invalid(f"unknown letterhead field {unknown[0]}", code="letterhead_field")
    values: dict[str, str] = {}
    for name, raw in changes.items():
        value = " ".join(str(raw).split())
        if len(value) > MAX_LENGTH:
            raise Invalid(f"{name}: at most {MAX_LENGTH} characters", code="letterhead_long")
        if name == "phone" and value and not normalise_phone(value).valid:
            raise Invalid(f"{value!r} is not a phone number", code="letterhead_phone")
        values[name] = value
    return values


async def update_letterhead(school: School, actor: Actor, changes: Mapping[str, str]) -> School:
    """Change the given fields of the school's letterhead (an empty value clears one), all or
    none; raises :class:`Invalid` (an unknown field, too long, not a phone number)."""
    values = _checked(changes)
    async with in_transaction():
        fresh = await School.select_for_update().get(id=school.id)
        head = letterhead_of(fresh)
        before = {name: head.get(name) for name in values}
        for name, value in values.items():
            if value:
                head[name] = value
            else:
                head.pop(name, None)
        fresh.letterhead = head
        await fresh.save(update_fields=["letterhead", "updated_at"])
        after = {name: head.get(name) for name in values}
        await audit.record(
            actor, "school.letterhead", fresh, school_id=fresh.id, before=before, after=after
        )
    school.letterhead = head
    return fresh
