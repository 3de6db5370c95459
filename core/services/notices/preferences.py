"""A guardian's language and preferred channel, set by staff in the student's file, by the
family from the bot (``chat_replies.set_preferences``) or by an SMS keyword ("LANGUE EN",
``inbound``): one check and one audit row (``person.preferences``, who and by which way) for all.

The language is one of the school's (``core.queries.languages.school_languages``: French,
English and each language the school wrote templates in); a notice with no template in it goes
in French. The preferred channel is tried first, then the school's order
(``core.rules.notices.guardian_order``): a guardian's whole order is not stored, so that a
change of the school's order reaches every family.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import GuardianLink, Person, School
from core.queries.languages import school_languages
from core.rules.channels import is_channel
from core.services import audit
from core.services.audit import Actor

FIELDS = ("language", "preferred_channel")


async def apply_preferences(
    person: Person,
    actor: Actor,
    *,
    language: str | None = None,
    channel: str | None = None,
    by: str,
    ref: object = None,
) -> bool:
    """Set what is given (``channel`` ``""``: the school's order) inside the caller's
    transaction; ``by`` says which way (``staff``, ``bot``, ``sms``) in the audit row, with
    ``ref`` (the family's message) when given. Invalid
    ``unknown_language`` / ``unknown_channel``; False when nothing changed (no audit row)."""
    if language is not None and language not in await school_languages(person.school_id):
        raise Invalid(f"unknown language {language!r}", code="unknown_language")
    if channel and not is_channel(channel):
        raise Invalid(f"unknown channel {channel!r}", code="unknown_channel")
    before = audit.snapshot(person, FIELDS)
    if language is not None:
        person.language = language
    if channel is not None:
        person.preferred_channel = channel or None
    after = audit.snapshot(person, FIELDS)
    if after == before:
        return False
    await person.save(update_fields=list(FIELDS))
    await audit.record(
        actor,
        "person.preferences",
        person,
        school_id=person.school_id,
        before=before,
        after={**after, "by": by, **({"ref": ref} if ref is not None else {})},
    )
    return True


async def set_guardian_preferences(
    school: School,
    actor: Actor,
    student_id: int,
    person_id: int,
    *,
    language: str,
    channel: str,
) -> bool:
    """Staff, in the student's file: a guardian of that student of ``school`` (NotFound
    otherwise) gets ``language`` and ``channel`` (``""``: the school's order), in one
    transaction with its audit row; False when nothing changed."""
    async with in_transaction():
        link = await GuardianLink.get_or_none(
            student_id=student_id, person_id=person_id, student__school_id=school.id
        ).prefetch_related("person")
        if link is None:
            raise NotFound("no such guardian of this student", code="unknown_guardian")
        return await apply_preferences(
            link.person, actor, language=language, channel=channel, by="staff"
        )
