"""A staff user's own account: language (the password changes in
:mod:`core.services.schools.users`)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import Invalid
from core.models import User
from core.services import audit
from core.services.audit import Actor

LANGUAGES = ("fr", "en")


async def change_language(user: User, language: str, actor: Actor) -> User:
    """The language of the panel for this user (``fr`` or ``en``)."""
    if language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}", code="language")
    async with in_transaction():
        before: dict[str, object] = {"language": user.language}
        user.language = language
        await user.save(update_fields=["language"])
        await audit.record(
            actor,
            "user.language",
            user,
            school_id=None,
            before=before,
            after={"language": language},
        )
    return user
