"""A school's staff accounts: who has which role here. Only this school's memberships are
ever read or changed; a user's roles in other schools stay untouched.

Errors carry a stable ``code`` (``role``, ``last_admin``) for the panel to word. Adding someone
is an invitation: see :mod:`core.services.schools.invitations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import Membership, Role, School, User
from core.services import audit
from core.services.audit import Actor


@dataclass(frozen=True, slots=True)
class StaffMember:
    user: User
    role: Role


async def list_staff(school: School) -> list[StaffMember]:
    """The users with a role in ``school``, by email."""
    rows = await Membership.filter(school=school).prefetch_related("user")
    members = [StaffMember(m.user, Role(m.role)) for m in rows]
    return sorted(members, key=lambda m: (m.user.email or "", m.user.known_as))


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}", code="role") from None


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
