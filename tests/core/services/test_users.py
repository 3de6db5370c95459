"""Staff accounts: argon2 passwords, one role per school, API tokens kept only as a hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import ApiToken, AuditEntry, Membership, Role, School, User
from core.services.audit import Actor
from core.services.schools.users import (
    access,
    add_user,
    authenticate,
    change_password,
    create_token,
    schools_of,
    user_for_token,
)

PASSWORD = "correct horse battery"


@pytest.fixture
async def teacher(school_a: School, system: Actor) -> User:
    """A teacher of school A, with a real password."""
    return await add_user("prof@alpha.example", PASSWORD, school_a, "teacher", system)


# add_user


async def test_it_keeps_only_an_argon2_hash_of_the_password(teacher: User) -> None:
    stored = await User.get(id=teacher.id)
    assert stored.password_hash.startswith("$argon2")
    assert PASSWORD not in stored.password_hash


async def test_it_normalises_the_email_and_names_the_user_after_it_unless_told(
    school_a: School, system: Actor
) -> None:
    user = await add_user(
        "  Vie.Scolaire@Alpha.Example ", PASSWORD, school_a, "vie_scolaire", system
    )
    assert (user.email, user.display_name) == ("vie.scolaire@alpha.example", "vie.scolaire")
    named = await add_user(
        "dir@alpha.example", PASSWORD, school_a, "direction", system, display_name="M. Roux"
    )
    assert (await User.get(id=named.id)).display_name == "M. Roux"


async def test_it_records_the_account_and_the_role_in_the_audit(
    school_a: School, teacher: User
) -> None:
    entries = await AuditEntry.filter(entity="staff_user", entity_id=str(teacher.id)).order_by("id")
    assert [(e.action, e.school_id, e.after) for e in entries] == [
        ("user.create", school_a.id, {"email": "prof@alpha.example"}),
        ("user.role", school_a.id, {"school": "0750001A", "role": "teacher"}),
    ]
    assert all(PASSWORD not in str(e.after) for e in entries)


async def test_it_refuses_a_short_password(school_a: School, system: Actor) -> None:
    with pytest.raises(Invalid, match="10 characters"):
        await add_user("prof@alpha.example", "123456789", school_a, "teacher", system)
    assert await User.all().count() == 0
    assert await AuditEntry.filter(action__startswith="user.").count() == 0


async def test_it_refuses_a_bad_email(school_a: School, system: Actor) -> None:
    for email in ("prof", "prof@alpha", "@alpha.example", "prof @alpha.example", "a@b@c.fr"):
        with pytest.raises(Invalid, match="email"):
            await add_user(email, PASSWORD, school_a, "teacher", system)
    assert await User.all().count() == 0


async def test_it_refuses_an_unknown_role(school_a: School, system: Actor) -> None:
    for role in ("principal", "ADMIN", ""):
        with pytest.raises(Invalid, match="role"):
            await add_user("prof@alpha.example", PASSWORD, school_a, role, system)
    assert await User.all().count() == 0


async def test_it_refuses_a_second_role_in_the_same_school(
    school_a: School, system: Actor, teacher: User
) -> None:
    with pytest.raises(Conflict):
        await add_user("prof@alpha.example", PASSWORD, school_a, "admin", system)
    assert [m.role for m in await Membership.filter(user=teacher)] == [Role.TEACHER]


async def test_it_gives_an_existing_user_a_role_in_another_school(
    school_a: School, school_b: School, system: Actor, teacher: User
) -> None:
    again = await add_user("PROF@alpha.example", "another password", school_b, "cpe", system)
    assert again.id == teacher.id
    assert await User.all().count() == 1
    assert sorted((s.uai, r) for s, r in await schools_of(teacher)) == [
        ("0690002B", Role.CPE),
        ("0750001A", Role.TEACHER),
    ]
    # The existing password stays: a second role is not a password reset.
    assert await authenticate("prof@alpha.example", PASSWORD) is not None
    assert await authenticate("prof@alpha.example", "another password") is None


# authenticate


async def test_it_authenticates_the_right_password_and_notes_the_login(teacher: User) -> None:
    user = await authenticate("Prof@Alpha.example ", PASSWORD)
    assert user is not None and user.id == teacher.id
    assert (await User.get(id=teacher.id)).last_login_at is not None


async def test_it_refuses_a_wrong_password_or_an_unknown_email(teacher: User) -> None:
    assert await authenticate("prof@alpha.example", PASSWORD + "!") is None
    assert await authenticate("nobody@alpha.example", PASSWORD) is None
    assert (await User.get(id=teacher.id)).last_login_at is None


async def test_it_refuses_an_inactive_user_or_one_without_a_password(
    teacher: User, cpe: User
) -> None:
    await User.filter(id=teacher.id).update(active=False)
    assert await authenticate("prof@alpha.example", PASSWORD) is None
    assert await authenticate("cpe@alpha.example", "") is None


# change_password


async def test_a_changed_password_replaces_the_old_one(teacher: User) -> None:
    await change_password(teacher, PASSWORD, "a brand new secret", Actor.of(teacher))
    assert await authenticate("prof@alpha.example", "a brand new secret") is not None
    assert await authenticate("prof@alpha.example", PASSWORD) is None
    entry = await AuditEntry.get(action="user.password")
    assert (entry.actor_id, entry.entity_id) == (teacher.id, str(teacher.id))


async def test_it_refuses_a_password_change_without_the_current_one_or_too_short(
    teacher: User,
) -> None:
    with pytest.raises(Invalid, match="current"):
        await change_password(teacher, "wrong guess!", "a brand new secret", Actor.of(teacher))
    with pytest.raises(Invalid, match="10 characters"):
        await change_password(teacher, PASSWORD, "short", Actor.of(teacher))
    assert await authenticate("prof@alpha.example", PASSWORD) is not None
    assert await AuditEntry.filter(action="user.password").count() == 0


# API tokens


async def test_a_token_maps_back_to_its_user(teacher: User, system: Actor) -> None:
    token = await create_token("prof@alpha.example", system, name="export script")
    assert token.startswith("abs_")
    user = await user_for_token(token)
    assert user is not None and user.id == teacher.id
    row = await ApiToken.get(user=teacher)
    assert row.name == "export script"
    assert row.last_used_at is not None
    another = await create_token("prof@alpha.example", system)
    assert another != token
    assert await ApiToken.filter(user=teacher).count() == 2


async def test_only_the_sha256_of_a_token_is_stored(teacher: User, system: Actor) -> None:
    token = await create_token("prof@alpha.example", system)
    [row] = await ApiToken.all().values()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not [column for column, value in row.items() if token in str(value)]
    audit_rows = await AuditEntry.filter(action="token.create").values("before", "after")
    assert token not in str(audit_rows)


async def test_a_revoked_token_or_one_of_an_inactive_user_is_refused(
    teacher: User, school_a: School, system: Actor
) -> None:
    token = await create_token("prof@alpha.example", system)
    await ApiToken.filter(user=teacher).update(revoked_at=datetime.now(UTC))
    assert await user_for_token(token) is None
    other = await add_user("vs@alpha.example", PASSWORD, school_a, "vie_scolaire", system)
    token = await create_token("vs@alpha.example", system)
    await User.filter(id=other.id).update(active=False)
    assert await user_for_token(token) is None


async def test_a_token_without_the_prefix_is_refused(teacher: User, system: Actor) -> None:
    token = await create_token("prof@alpha.example", system)
    bare = token.removeprefix("abs_")
    # Even when its hash were the one stored, a token must carry the prefix.
    await ApiToken.filter(user=teacher).update(token_hash=hashlib.sha256(bare.encode()).hexdigest())
    assert await user_for_token(bare) is None


async def test_an_unknown_token_is_refused(teacher: User, system: Actor) -> None:
    token = await create_token("prof@alpha.example", system)
    for forged in ("", "abs_", token[:-1], token + "x", "Bearer " + token, token.upper()):
        assert await user_for_token(forged) is None, forged


async def test_it_refuses_a_token_for_an_unknown_user(db: str, system: Actor) -> None:
    with pytest.raises(NotFound):
        await create_token("nobody@alpha.example", system)


# access


async def test_access_gives_the_role_in_that_school_and_none_in_another(
    school_a: School, school_b: School, teacher: User
) -> None:
    granted = await access(teacher, school_a)
    assert granted is not None
    assert (granted.user.id, granted.school.id, granted.role) == (
        teacher.id,
        school_a.id,
        Role.TEACHER,
    )
    assert await access(teacher, school_b) is None
