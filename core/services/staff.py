"""A school's staff accounts: who has which role here. Only this school's memberships are
ever read or changed; a user's roles in other schools stay untouched.

Errors carry a stable ``code`` (``email``, ``role``, ``password_short``, ``member_exists``,
``last_admin``) for the panel to word.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core.bounds import fits
from core.errors import Conflict, Invalid, NotFound
from core.models import Membership, Role, School, User
from core.services import audit
from core.services.audit import Actor
from core.services.users import _EMAIL, MIN_PASSWORD_LENGTH, add_user, generate_password


@dataclass(frozen=True, slots=True)
class StaffMember:
    user: User
    role: Role


@dataclass(frozen=True, slots=True)
class Added:
    """The account given a role; ``password`` is set only when the account was created."""

    user: User
    created: bool
    password: str | None


async def list_staff(school: School) -> list[StaffMember]:
    """The users with a role in ``school``, by email."""
    rows = await Membership.filter(school=school).prefetch_related("user")
    members = [StaffMember(m.user, Role(m.role)) for m in rows]
    return sorted(members, key=lambda m: m.user.email)


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}", code="role") from None


async def add_staff(
    school: School,
    email: str,
    role: str,
    actor: Actor,
    *,
    password: str = "",
    display_name: str = "",
) -> Added:
    """Give ``email`` a role here, creating the account (with ``password`` or a generated one).

    An existing account keeps its password: only the role is added.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email) or not fits(User, "email", email):
        raise Invalid(f"invalid email address {email[:60]!r}", code="email")
    checked = _role(role)
    existing = await User.get_or_none(email=email)
    if existing is not None and await Membership.exists(user=existing, school=school):
        raise Conflict(f"{email} already has a role in {school.uai}", code="member_exists")
    if existing is None and password and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("the password is too short", code="password_short")
    chosen = password or generate_password()
    user = await add_user(email, chosen, school, checked, actor, display_name=display_name)
    created = existing is None
    shown = chosen if created and not password else None
    return Added(user, created, shown)


async def _membership(school: School, user_id: int) -> Membership:
    row = await Membership.get_or_none(school=school, user_id=user_id)
    if row is None:
        raise NotFound(f"user {user_id} has no role in {school.uai}")
    return row


async def _refuse_last_admin(school: School, row: Membership) -> None:
    if (
        row.role == Role.ADMIN
        and await Membership.filter(school=school, role=Role.ADMIN).count() < 2
    ):
        raise Conflict("the school needs an administrator", code="last_admin")


async def change_role(school: School, user_id: int, role: str, actor: Actor) -> Membership:
    """Change a user's role in this school (the last administrator keeps theirs)."""
    checked = _role(role)
    async with in_transaction():
        row = await _membership(school, user_id)
        if checked != row.role:
            await _refuse_last_admin(school, row)
        before: dict[str, object] = {"role": Role(row.role).value}
        row.role = checked
        await row.save(update_fields=["role"])
        await audit.record(
            actor,
            "user.role",
            "staff_user",
            school_id=school.id,
            entity_id=user_id,
            before=before,
            after={"role": checked.value},
        )
    return row


async def remove_staff(school: School, user_id: int, actor: Actor) -> None:
    """Withdraw the user's role in this school (the account and other schools' roles stay)."""
    async with in_transaction():
        row = await _membership(school, user_id)
        await _refuse_last_admin(school, row)
        before: dict[str, object] = {"role": Role(row.role).value, "school": school.uai}
        await row.delete()
        await audit.record(
            actor,
            "user.remove",
            "staff_user",
            school_id=school.id,
            entity_id=user_id,
            before=before,
        )
