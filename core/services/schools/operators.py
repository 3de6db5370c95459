"""The install's operators: the accounts that create schools (an academy's IT team, or the one
admin of a single school's install). An operator sees no school's data without a role in it;
creating a school makes them its admin, in the same transaction, audited."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import Forbidden, Invalid, NotFound
from core.models import Role, School, User
from core.rules.calendar import year_bounds
from core.services import audit
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import grant_role

MAX_NAME = 200


async def set_operator(email: str, actor: Actor, *, operator: bool = True) -> User:
    """Make the account of ``email`` an operator of the install (or no longer one), audited."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(f"no account {email.strip()[:60]!r}", code="no_user")
    if user.operator != operator:
        async with in_transaction():
            before: dict[str, object] = {"operator": user.operator}
            user.operator = operator
            await user.save(update_fields=["operator"])
            after: dict[str, object] = {"operator": operator}
            await audit.record(
                actor, "user.operator", user, school_id=None, before=before, after=after
            )
    return user


async def open_school(
    user: User,
    uai: str,
    name: str,
    actor: Actor,
    *,
    holiday_zone: str | None = None,
    timezone: str = "Europe/Paris",
    school_year: int | None = None,
) -> School:
    """A new school with the default configuration, ``user`` (an operator) its admin; raises
    :class:`Forbidden` for another account, :class:`Invalid` (a bad UAI or name, code ``uai`` or
    ``school_name``), :class:`core.errors.Conflict` (the UAI exists, code ``school_exists``).
    ``school_year``: the year it starts in (its first SIECLE export's), else the current one."""
    if not user.operator:
        raise Forbidden("only an operator of the install creates schools", code="not_operator")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"a school's name has 1 to {MAX_NAME} characters", code="school_name")
    async with in_transaction():
        school = await create_school(
            uai,
            name,
            actor,
            holiday_zone=holiday_zone or None,
            timezone=timezone,
            today=None if school_year is None else year_bounds(school_year)[0],
        )
        await grant_role(user, school, Role.ADMIN, actor)
    return school


async def school_exists(uai: str) -> bool:
    """Whether a school of this UAI is on the install already."""
    return await School.exists(uai=uai.strip().upper())
