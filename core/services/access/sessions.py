"""Staff sessions kept in the database: the browser holds a random key, only its SHA-256 is
stored, so that logging out (deleting the row) ends the session for every copy of the cookie.

The timeouts are :mod:`core.rules.sessions`; ending a session (logout, "end", a password
change) is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core.models import StaffSession, User
from core.rules.sessions import DEFAULT_SESSION_POLICY, SessionPolicy, needs_touch, session_alive
from core.services import audit
from core.services.access.tokens import revoke_all_tokens
from core.services.audit import Actor
from core.services.schools.users import change_password

KEY_BYTES = 32
USER_AGENT_LENGTH = 200


def new_key() -> str:
    """A fresh random session key (43 URL-safe characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def open_session(
    user: User,
    *,
    ip: str,
    user_agent: str,
    now: datetime,
    policy: SessionPolicy = DEFAULT_SESSION_POLICY,
) -> str:
    """A new session for ``user`` (just authenticated); returns the key for the cookie.

    The sessions of everyone that have timed out are deleted on the way, so that those of
    people who never come back do not pile up.
    """
    key = new_key()
    await StaffSession.filter(created_at__lte=now - policy.absolute).delete()
    await StaffSession.filter(last_seen_at__lte=now - policy.idle).delete()
    # Not audited: the login itself is recorded as a successful attempt (who, when, where);
    # what ends a session by someone's hand is.
    await StaffSession.create(
        key_hash=hash_key(key),
        user=user,
        created_at=now,
        last_seen_at=now,
        ip=ip[:64],
        user_agent=user_agent[:USER_AGENT_LENGTH],
    )
    return key


@dataclass(frozen=True, slots=True)
class Resumed:
    """A live session and its active user."""

    user: User
    session: StaffSession


async def resume(
    key: str, *, now: datetime, policy: SessionPolicy = DEFAULT_SESSION_POLICY
) -> Resumed | None:
    """The live session of this key and its active user, or None.

    An expired session is deleted on the way; the last use is written at most once a minute.
    """
    row = await StaffSession.get_or_none(key_hash=hash_key(key)).prefetch_related("user")
    if row is None:
        return None
    if not session_alive(row.created_at, row.last_seen_at, now, policy):
        await StaffSession.filter(id=row.id).delete()
        return None
    if not row.user.active:
        return None
    if needs_touch(row.last_seen_at, now, policy):
        row.last_seen_at = now
        await StaffSession.filter(id=row.id).update(last_seen_at=now)
    return Resumed(row.user, row)


async def _end(rows: list[StaffSession], actor: Actor, reason: str) -> int:
    if not rows:
        return 0
    async with in_transaction():
        await StaffSession.filter(id__in=[row.id for row in rows]).delete()
        for row in rows:
            await audit.record(
                actor,
                "session.end",
                row,
                school_id=None,
                before={"ip": row.ip},
                after={"reason": reason},
            )
    return len(rows)


async def end_session(key: str, actor: Actor, *, reason: str = "logout") -> bool:
    """Log out: the session of this key ends (False when there was none)."""
    rows = await StaffSession.filter(key_hash=hash_key(key))
    return await _end(rows, actor, reason) > 0


async def end_session_of(user: User, session_id: int, actor: Actor) -> bool:
    """End one of ``user``'s sessions by its id (False when it is not theirs or gone)."""
    rows = await StaffSession.filter(id=session_id, user=user)
    return await _end(rows, actor, "ended") > 0


async def end_other_sessions(user: User, keep_hash: str | None, actor: Actor) -> int:
    """End every session of ``user`` except the one whose key hashes to ``keep_hash``."""
    rows = await StaffSession.filter(user=user).exclude(key_hash=keep_hash or "")
    return await _end(rows, actor, "others ended")


async def sessions_of(
    user: User, *, now: datetime, policy: SessionPolicy = DEFAULT_SESSION_POLICY
) -> list[StaffSession]:
    """``user``'s live sessions, the latest used first (expired ones are deleted)."""
    rows = await StaffSession.filter(user=user).order_by("-last_seen_at", "-id")
    dead = [r.id for r in rows if not session_alive(r.created_at, r.last_seen_at, now, policy)]
    if dead:
        await StaffSession.filter(id__in=dead).delete()
    return [r for r in rows if r.id not in dead]


async def change_password_here(
    user: User,
    current: str,
    new: str,
    actor: Actor,
    *,
    keep_hash: str | None,
    revoke_tokens: bool,
    now: datetime,
) -> None:
    """Change the password, end the user's other sessions and, if asked, revoke their tokens."""
    await change_password(user, current, new, actor)
    await end_other_sessions(user, keep_hash, actor)
    if revoke_tokens:
        await revoke_all_tokens(user, actor, now=now)
