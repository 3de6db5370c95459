"""API tokens: named, dated, expiring (one year unless told), listed and revoked — audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Invalid, NotFound
from core.models import ApiToken, AuditEntry, School, User
from core.rules.tokens import TokenState
from core.services.access.tokens import (
    TokenRefused,
    create_token,
    revoke_all_tokens,
    revoke_token,
    token_user,
    tokens_of,
    tokens_of_email,
)
from core.services.audit import Actor
from core.services.schools.users import add_user

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EMAIL = "cpe@alpha.example"


async def test_a_token_expires_after_a_year_unless_told(cpe: User, system: Actor) -> None:
    await create_token(EMAIL, system, name="  export  ", now=T0)
    await create_token(EMAIL, system, days=30, now=T0 + timedelta(seconds=1))
    await create_token(EMAIL, system, days=None, now=T0 + timedelta(seconds=2))
    rows = await tokens_of(cpe)
    assert [(r.name, r.created_at, r.expires_at) for r in rows] == [
        ("", T0 + timedelta(seconds=2), None),
        ("", T0 + timedelta(seconds=1), T0 + timedelta(days=30, seconds=1)),
        ("export", T0, T0 + timedelta(days=365)),
    ]
    assert await AuditEntry.filter(action="token.create").count() == 3
    with pytest.raises(Invalid):
        await create_token(EMAIL, system, days=0, now=T0)


async def test_an_expired_token_is_refused_and_says_so(cpe: User, system: Actor) -> None:
    token = await create_token(EMAIL, system, days=1, now=T0)
    user = await token_user(token, now=T0 + timedelta(hours=23))
    assert user.id == cpe.id
    with pytest.raises(TokenRefused) as refused:
        await token_user(token, now=T0 + timedelta(days=1))
    assert (refused.value.state, refused.value.code) == (TokenState.EXPIRED, "token_expired")


async def test_a_revoked_token_is_refused_and_says_so(cpe: User, system: Actor) -> None:
    token = await create_token(EMAIL, system, now=T0)
    row = await ApiToken.get()
    await revoke_token(row.id, Actor.of(cpe), now=T0 + timedelta(hours=1))
    with pytest.raises(TokenRefused) as refused:
        await token_user(token, now=T0 + timedelta(hours=2))
    assert (refused.value.state, refused.value.code) == (TokenState.REVOKED, "token_revoked")
    with pytest.raises(TokenRefused) as unknown:
        await token_user(token + "x", now=T0)
    assert (unknown.value.state, unknown.value.code) == (None, "unauthorized")
    entry = await AuditEntry.get(action="token.revoke")
    assert entry.actor_id == cpe.id and entry.entity_id == str(row.id)
    await revoke_token(row.id, Actor.of(cpe), now=T0 + timedelta(hours=3))  # again: no change
    assert (await ApiToken.get()).revoked_at == T0 + timedelta(hours=1)
    assert await AuditEntry.filter(action="token.revoke").count() == 1


async def test_the_last_use_is_written_at_most_once_a_minute(cpe: User, system: Actor) -> None:
    token = await create_token(EMAIL, system, now=T0)
    await token_user(token, now=T0 + timedelta(minutes=5))
    await token_user(token, now=T0 + timedelta(minutes=5, seconds=30))
    assert (await ApiToken.get()).last_used_at == T0 + timedelta(minutes=5)
    await token_user(token, now=T0 + timedelta(minutes=7))
    assert (await ApiToken.get()).last_used_at == T0 + timedelta(minutes=7)


async def test_an_owner_revokes_only_their_own_tokens(
    cpe: User, school_a: School, system: Actor
) -> None:
    other = await add_user("other@alpha.example", "a long enough password", school_a, "cpe", system)
    await create_token(other.email, system, now=T0)
    theirs = await ApiToken.get(user=other)
    with pytest.raises(NotFound):
        await revoke_token(theirs.id, Actor.of(cpe), owner=cpe)
    with pytest.raises(NotFound):
        await revoke_token(9999, system)
    await create_token(EMAIL, system, now=T0)
    await create_token(EMAIL, system, now=T0)
    assert await revoke_all_tokens(cpe, Actor.of(cpe), now=T0) == 2
    assert await revoke_all_tokens(cpe, Actor.of(cpe), now=T0) == 0
    assert (await ApiToken.get(id=theirs.id)).revoked_at is None
    assert [t.id for t in await tokens_of_email(" OTHER@alpha.example")] == [theirs.id]
    with pytest.raises(NotFound):
        await tokens_of_email("nobody@alpha.example")
