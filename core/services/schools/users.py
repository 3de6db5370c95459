"""Staff accounts: passwords (argon2), roles per school (tokens:
:mod:`core.services.access.tokens`)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from core.bounds import column_length, fits
from core.errors import Conflict, Invalid
from core.models import Membership, Role, School, User
from core.rules.permissions import Permission, allows
from core.services import audit
from core.services.access.tokens import TOKEN_PREFIX as TOKEN_PREFIX  # kept here for older imports
from core.services.access.tokens import create_token as create_token
from core.services.access.tokens import user_for_token as user_for_token
from core.services.audit import Actor
from core.services.schools.school import now_utc

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash verified against when the email is unknown, so a login costs the same."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password")
    return _dummy_hash


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            code="password_short",
            least=MIN_PASSWORD_LENGTH,
        )
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise Invalid(f"unknown role {role!r}: choose one of {allowed}", code="role") from None


async def add_user(
    email: str, password: str, school: School, role: str, actor: Actor, *, display_name: str = ""
) -> User:
    """Create a staff account with a role in ``school``, or give an existing one that role."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or not fits(User, "email", email):
        raise Invalid(f"invalid email address {email[:60]!r}", code="email")
    if not fits(User, "display_name", display_name):
        raise Invalid(
            f"a name has at most {column_length(User, 'display_name')} characters",
            code="display_name",
            most=column_length(User, "display_name"),
        )
    checked = _check_role(role)
    async with in_transaction():
        user = await User.get_or_none(email=email)
        if user is None:
            user = await User.create(
                email=email,
                display_name=display_name or email.split("@")[0],
                password_hash=hash_password(password),
            )
            await audit.record(
                actor, "user.create", user, school_id=school.id, after={"email": email}
            )
        if await Membership.exists(user=user, school=school):
            raise Conflict(f"{email} already has a role in {school.uai}", code="member_exists")
        await grant_role(user, school, checked, actor)
    return user


async def grant_role(user: User, school: School, role: Role, actor: Actor) -> None:
    """Give ``user`` ``role`` in ``school``, audited (inside the caller's transaction)."""
    await Membership.create(user=user, school=school, role=role)
    await audit.record(
        actor,
        "user.role",
        user,
        school_id=school.id,
        after={"school": school.uai, "role": role.value},
    )


async def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether the email exists)."""
    key = email.strip().lower()
    user = await User.get_or_none(email=key, active=True) if fits(User, "email", key) else None
    try:
        _hasher.verify(user.password_hash if user else _dummy(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now_utc()
    await user.save(update_fields=["password_hash", "last_login_at"])
    return user


async def change_password(user: User, current: str, new: str, actor: Actor) -> None:
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid("the current password is wrong", code="password_wrong") from None
    user.password_hash = hash_password(new)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        await audit.record(actor, "user.password", user, school_id=None)


@dataclass(frozen=True, slots=True)
class Access:
    """What a user may do in one school."""

    user: User
    school: School
    role: Role


@dataclass(frozen=True, slots=True)
class Installed:
    """The schools a user may see with one right, for a view of the whole install."""

    user: User
    schools: list[School]


async def access(user: User, school: School) -> Access | None:
    """The user's role in ``school``, or None when they have none (another school's user)."""
    membership = await Membership.get_or_none(user=user, school=school)
    return None if membership is None else Access(user, school, Role(membership.role))


async def schools_with(user: User, permission: Permission) -> list[School]:
    """The schools where the user's role grants ``permission``, by UAI (an operator of the
    install: every school), for the views of the whole install (aggregates only)."""
    if user.operator:
        return list(await School.all().order_by("uai"))
    found = [s for s, role in await schools_of(user) if allows(role.value, permission)]
    return sorted(found, key=lambda s: s.uai)


async def schools_of(user: User) -> list[tuple[School, Role]]:
    memberships = await Membership.filter(user=user).prefetch_related("school")
    return [(m.school, Role(m.role)) for m in memberships]
