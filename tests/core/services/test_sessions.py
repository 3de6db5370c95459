"""Staff sessions in the database: opened, resumed, timed out, ended — and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import ApiToken, AuditEntry, School, StaffSession, User
from core.rules.sessions import SessionPolicy
from core.services.access.sessions import (
    change_password_here,
    end_other_sessions,
    end_session,
    end_session_of,
    hash_key,
    open_session,
    resume,
    sessions_of,
)
from core.services.audit import Actor
from core.services.schools.users import add_user, create_token, user_for_token

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = SessionPolicy.of(idle_minutes=120, hours=12)
PASSWORD = "a long enough password"


async def _open(user: User, at: datetime = T0, ip: str = "10.0.0.1") -> str:
    return await open_session(user, ip=ip, user_agent="Firefox/128.0", now=at)


async def test_only_the_hash_of_the_key_is_stored(cpe: User) -> None:
    key = await _open(cpe)
    row = await StaffSession.get()
    assert row.key_hash == hash_key(key) and key not in row.key_hash
    assert (row.ip, row.user_agent, row.created_at, row.last_seen_at) == (
        "10.0.0.1",
        "Firefox/128.0",
        T0,
        T0,
    )


async def test_a_key_opens_its_session_until_it_is_ended(cpe: User) -> None:
    key = await _open(cpe)
    found = await resume(key, now=T0 + timedelta(minutes=5), policy=POLICY)
    assert found is not None and found.user.id == cpe.id
    assert await resume("x" * 43, now=T0, policy=POLICY) is None
    assert await end_session(key, Actor.of(cpe))
    assert await resume(key, now=T0 + timedelta(minutes=6), policy=POLICY) is None
    assert not await end_session(key, Actor.of(cpe))
    assert await AuditEntry.filter(action="session.end").count() == 1


async def test_the_last_use_is_written_at_most_once_a_minute(cpe: User) -> None:
    key = await _open(cpe)
    await resume(key, now=T0 + timedelta(seconds=30), policy=POLICY)
    assert (await StaffSession.get()).last_seen_at == T0
    await resume(key, now=T0 + timedelta(minutes=90), policy=POLICY)
    assert (await StaffSession.get()).last_seen_at == T0 + timedelta(minutes=90)
    # used at 1:30, so still alive at 3:00 (idle counts from the last use)
    assert await resume(key, now=T0 + timedelta(hours=3), policy=POLICY) is not None


async def test_an_idle_session_is_gone_for_good(cpe: User) -> None:
    key = await _open(cpe)
    assert await resume(key, now=T0 + timedelta(hours=2), policy=POLICY) is None
    assert not await StaffSession.exists()


async def test_a_busy_session_ends_twelve_hours_after_the_login(cpe: User) -> None:
    key = await _open(cpe)
    for hour in range(1, 12):
        assert await resume(key, now=T0 + timedelta(hours=hour), policy=POLICY) is not None
    assert await resume(key, now=T0 + timedelta(hours=12), policy=POLICY) is None


async def test_a_deactivated_user_has_no_session(cpe: User) -> None:
    key = await _open(cpe)
    cpe.active = False
    await cpe.save(update_fields=["active"])
    assert await resume(key, now=T0, policy=POLICY) is None


async def test_sessions_are_listed_and_ended_by_their_owner_only(
    cpe: User, school_a: School
) -> None:
    other = await add_user("other@alpha.example", PASSWORD, school_a, "cpe", Actor.system("t"))
    here = await _open(cpe, T0 + timedelta(minutes=1))
    await _open(cpe, T0, ip="10.0.0.2")
    theirs = await _open(other)
    listed = await sessions_of(cpe, now=T0 + timedelta(minutes=2), policy=POLICY)
    assert [s.ip for s in listed] == ["10.0.0.1", "10.0.0.2"]
    their_row = await StaffSession.get(key_hash=hash_key(theirs))
    assert not await end_session_of(cpe, their_row.id, Actor.of(cpe))
    assert await end_session_of(cpe, listed[1].id, Actor.of(cpe))
    await _open(cpe, T0, ip="10.0.0.3")
    assert await end_other_sessions(cpe, hash_key(here), Actor.of(cpe)) == 1
    left = await sessions_of(cpe, now=T0 + timedelta(minutes=2), policy=POLICY)
    assert [s.key_hash for s in left] == [hash_key(here)]
    assert await resume(theirs, now=T0, policy=POLICY) is not None


async def test_expired_sessions_are_not_listed(cpe: User) -> None:
    await _open(cpe)
    assert await sessions_of(cpe, now=T0 + timedelta(hours=3), policy=POLICY) == []
    assert not await StaffSession.exists()


async def test_a_password_change_ends_the_others_and_may_revoke_tokens(
    school_a: School,
) -> None:
    user = await add_user("cpe2@alpha.example", PASSWORD, school_a, "cpe", Actor.system("t"))
    here, elsewhere = await _open(user), await _open(user)
    token = await create_token(user.email, Actor.system("t"))
    new = "another long password"
    await change_password_here(
        user, PASSWORD, new, Actor.of(user), keep_hash=hash_key(here), revoke_tokens=False, now=T0
    )
    assert await resume(here, now=T0, policy=POLICY) is not None
    assert await resume(elsewhere, now=T0, policy=POLICY) is None
    assert await user_for_token(token) is not None
    await change_password_here(
        user, new, PASSWORD, Actor.of(user), keep_hash=hash_key(here), revoke_tokens=True, now=T0
    )
    assert await user_for_token(token) is None
    assert (await ApiToken.get()).revoked_at == T0
    assert await AuditEntry.exists(action="token.revoke", actor_id=user.id)


async def test_a_login_clears_everyones_timed_out_sessions(cpe: User, school_a: School) -> None:
    other = await add_user("gone@alpha.example", PASSWORD, school_a, "cpe", Actor.system("t"))
    await _open(other)  # never comes back
    kept = await _open(other, T0 + timedelta(hours=2))
    await open_session(
        cpe, ip="10.0.0.1", user_agent="", now=T0 + timedelta(hours=3), policy=POLICY
    )
    left = {row.key_hash for row in await StaffSession.all()}
    assert hash_key(kept) in left and len(left) == 2
