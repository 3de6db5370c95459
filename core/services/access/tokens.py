"""API tokens: made for a user with a name and an expiry, listed, revoked — only the SHA-256
of the secret is kept, and every creation and revocation is audited.

The states are :mod:`core.rules.tokens`: a revoked or expired token is refused with a reason
the API says (401).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core.errors import DomainError, Invalid, NotFound
from core.models import ApiToken, User
from core.rules.tokens import DEFAULT_TOKEN_DAYS, TokenState, token_expiry, token_state
from core.services import audit
from core.services.audit import Actor
from core.services.schools.school import now_utc

TOKEN_PREFIX = "abs_"
NAME_LENGTH = 120
TOUCH_EVERY = timedelta(minutes=1)


class TokenRefused(DomainError):
    """The bearer token opens nothing: unknown, revoked or expired (``state`` says which)."""

    code = "unauthorized"

    def __init__(self, state: TokenState | None) -> None:
        self.state = state
        if state is TokenState.REVOKED:
            super().__init__("this token was revoked", code="token_revoked")
        elif state is TokenState.EXPIRED:
            super().__init__("this token has expired", code="token_expired")
        else:
            super().__init__("unknown token", code="unauthorized")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    email: str,
    actor: Actor,
    *,
    name: str = "",
    days: int | None = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> str:
    """A new API token for the user, expiring after ``days`` (None: never); it is shown once,
    only its SHA-256 is stored."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return await create_token_for(user, actor, name=name, days=days, now=now)


async def create_token_for(
    user: User,
    actor: Actor,
    *,
    name: str = "",
    days: int | None = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> str:
    moment = now or now_utc()
    try:
        expires_at = token_expiry(moment, days)
    except ValueError as error:
        raise Invalid(str(error), code="days") from None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        row = await ApiToken.create(
            user=user,
            name=name.strip()[:NAME_LENGTH],
            token_hash=_token_hash(token),
            prefix=token[:12],
            created_at=moment,
            expires_at=expires_at,
        )
        after = {"user": user.email, "name": row.name, "expires_at": expires_at}
        await audit.record(actor, "token.create", row, school_id=None, after=audit.plain(after))
    return token


async def token_user(token: str, *, now: datetime | None = None) -> User:
    """The active user a live bearer token belongs to; :class:`TokenRefused` otherwise.

    Its last use is written at most once a minute: a busy script must not cost a write per
    request.
    """
    if not token.startswith(TOKEN_PREFIX):
        raise TokenRefused(None)
    row = await ApiToken.get_or_none(token_hash=_token_hash(token)).prefetch_related("user")
    if row is None or not row.user.active:
        raise TokenRefused(None)
    moment = now or now_utc()
    state = token_state(row.revoked_at, row.expires_at, moment)
    if state is not TokenState.LIVE:
        raise TokenRefused(state)
    if row.last_used_at is None or moment - row.last_used_at > TOUCH_EVERY:
        await ApiToken.filter(id=row.id).update(last_used_at=moment)
    return row.user


async def user_for_token(token: str) -> User | None:
    """The active user a live bearer token belongs to, or None."""
    try:
        return await token_user(token)
    except TokenRefused:
        return None


async def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, the latest made first (revoked and expired ones included)."""
    return await ApiToken.filter(user=user).order_by("-created_at", "-id")


async def tokens_of_email(email: str) -> list[ApiToken]:
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return await tokens_of(user)


async def _revoke(rows: list[ApiToken], actor: Actor, now: datetime) -> int:
    async with in_transaction():
        for row in rows:
            row.revoked_at = now
            await row.save(update_fields=["revoked_at"])
            after: dict[str, object] = {"name": row.name, "prefix": row.prefix}
            await audit.record(actor, "token.revoke", row, school_id=None, after=after)
    return len(rows)


async def revoke_token(
    token_id: int, actor: Actor, *, owner: User | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke one token (only ``owner``'s when given); revoking it again changes nothing."""
    query = ApiToken.filter(id=token_id)
    row = await (query.filter(user=owner) if owner is not None else query).first()
    if row is None:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        await _revoke([row], actor, now or now_utc())
    return row


async def revoke_all_tokens(user: User, actor: Actor, *, now: datetime) -> int:
    """Revoke every token of ``user`` that is not revoked yet."""
    return await _revoke(await ApiToken.filter(user=user, revoked_at=None), actor, now)
