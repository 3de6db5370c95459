"""The letters' logo, kept in the school's letterhead (``School.letterhead["logo"]``) as a data
URI: a PNG or JPEG of at most 200 KB, shown in the letterhead of every letter and available to
the letter editor. Each change is one transaction with its audit row (digests, not images).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import Invalid
from core.models import School
from core.services import audit
from core.services.audit import Actor
from core.services.templates.letters import for_audit, logo_data_uri


def letterhead_of(school: School) -> dict[str, object]:
    """A copy of the school's letterhead (an empty one when it is not an object)."""
    return dict(school.letterhead) if isinstance(school.letterhead, dict) else {}


def school_logo(school: School) -> str | None:
    """The school's logo as a data URI, or None."""
    logo = letterhead_of(school).get("logo")
    return logo if isinstance(logo, str) and logo.startswith("data:image/") else None


async def _set_letterhead_logo(school: School, actor: Actor, logo: str | None) -> None:
    async with in_transaction():
        fresh = await School.get(id=school.id)  # the letterhead as it is now (a SIECLE import)
        head = letterhead_of(fresh)
        old = head.get("logo")
        if logo is None:
            head.pop("logo", None)
        else:
            head["logo"] = logo
        fresh.letterhead = head
        await fresh.save(update_fields=["letterhead", "updated_at"])
        before: dict[str, object] = {"logo": for_audit(old) if isinstance(old, str) else None}
        after: dict[str, object] = {"logo": for_audit(logo) if logo else None}
        await audit.record(
            actor, "school.logo", fresh, school_id=school.id, before=before, after=after
        )
    school.letterhead = head


async def set_logo(school: School, actor: Actor, content: bytes) -> None:
    """Store the letters' logo (PNG or JPEG, at most 200 KB) in the school's letterhead;
    raises :class:`Invalid` (code ``logo``)."""
    try:
        uri = logo_data_uri(content)
    except ValueError as error:
        raise Invalid(str(error), code="logo") from None
    await _set_letterhead_logo(school, actor, uri)


async def remove_logo(school: School, actor: Actor) -> bool:
    """Remove the letters' logo; False when there was none."""
    if school_logo(school) is None and "logo" not in letterhead_of(school):
        return False
    await _set_letterhead_logo(school, actor, None)
    return True
