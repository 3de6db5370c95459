"""Staff invitations: the admin learns nothing of other accounts, attaches none; the person
signs in or creates an account through a single-use link of which only a hash is kept."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, Invitation, Membership, Role, School, User
from core.services.access.login import Throttled
from core.services.audit import Actor
from core.services.schools import invitations
from core.services.schools.invitations import Gone
from core.services.schools.users import add_user, authenticate
from gateway.outbox.transport import OutboxTransport
from workers.senders import Channels, wrap

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PUBLIC = "https://absences.example.org"
PASSWORD = "a long enough password"
LINK = re.compile(re.escape(PUBLIC) + r"/invitations/([A-Za-z0-9_-]+)")


@pytest.fixture
async def admin(school_a: School) -> Actor:
    user = await User.create(email="admin@alpha.example")
    await Membership.create(user=user, school=school_a, role=Role.ADMIN)
    return Actor.of(user)


@pytest.fixture
async def elsewhere(school_b: School, system: Actor) -> User:
    """An account of another school, with a password."""
    return await add_user("prof@beta.example", PASSWORD, school_b, "teacher", system)


@pytest.fixture
async def channels(tmp_path: Path) -> AsyncIterator[Channels]:
    channels = wrap({"email": OutboxTransport(tmp_path, channel="email")})
    yield channels
    await channels.close()


async def mailed_secret(invitation: Invitation, channels: Channels, tmp_path: Path) -> str:
    """Send the invitation through the outbox and read the link's secret from the email."""
    sent = await invitations.send_invitation(
        invitation.id, channels.senders["email"], PUBLIC, now=NOW
    )
    assert sent == "sent"
    newest = max((tmp_path / "outbox").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    email = json.loads(newest.read_text(encoding="utf-8"))
    assert email["to"] == invitation.email
    found = LINK.search(email["body"])
    assert found is not None
    return found.group(1)


async def test_an_invitation_is_the_same_whether_the_account_exists(
    school_a: School, admin: Actor, elsewhere: User
) -> None:
    known = await invitations.invite_staff(school_a, " Prof@Beta.example ", "cpe", admin, now=NOW)
    unknown = await invitations.invite_staff(school_a, "new@alpha.example", "cpe", admin, now=NOW)
    for invitation in (known, unknown):
        assert invitation.expires_at == NOW + timedelta(days=7)
        assert invitation.accepted_at is None and len(invitation.token_hash) == 64
    assert known.email == "prof@beta.example"
    assert not await Membership.exists(user=elsewhere, school=school_a)  # nothing attached
    audits = await AuditEntry.filter(action="invitation.create").order_by("id")
    assert [a.after for a in audits] == [
        {"email": "prof@beta.example", "role": "cpe"},
        {"email": "new@alpha.example", "role": "cpe"},
    ]


@pytest.mark.parametrize(
    ("email", "role", "code"), [("nope", "cpe", "email"), ("a@b.fr", "x", "role")]
)
async def test_bad_invitations_are_refused(
    school_a: School, admin: Actor, email: str, role: str, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await invitations.invite_staff(school_a, email, role, admin, now=NOW)
    assert refused.value.code == code


async def test_a_member_or_a_pending_invitation_is_not_invited_twice(
    school_a: School, admin: Actor
) -> None:
    with pytest.raises(Conflict) as member:
        await invitations.invite_staff(school_a, "admin@alpha.example", "cpe", admin, now=NOW)
    assert member.value.code == "member_exists"
    await invitations.invite_staff(school_a, "new@alpha.example", "cpe", admin, now=NOW)
    with pytest.raises(Conflict) as twice:
        await invitations.invite_staff(school_a, "new@alpha.example", "teacher", admin, now=NOW)
    assert twice.value.code == "invitation_pending"
    later = NOW + timedelta(days=8)  # the first one expired: a new one may be made
    await invitations.invite_staff(school_a, "new@alpha.example", "teacher", admin, now=later)


async def test_the_mailed_link_holds_a_secret_of_which_only_the_hash_is_kept(
    school_a: School, admin: Actor, channels: Channels, tmp_path: Path
) -> None:
    invitation = await invitations.invite_staff(
        school_a, "new@alpha.example", "cpe", admin, now=NOW
    )
    secret = await mailed_secret(invitation, channels, tmp_path)
    stored = await Invitation.get(id=invitation.id)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([e.after for e in await AuditEntry.all()])
    opened = await invitations.open_invitation(secret, NOW)
    assert (opened.invitation.id, opened.school.id) == (invitation.id, school_a.id)

    await invitations.resend_invitation(school_a, invitation.id, admin, now=NOW + timedelta(days=6))
    again = await mailed_secret(invitation, channels, tmp_path)
    assert again != secret
    with pytest.raises(NotFound):
        await invitations.open_invitation(secret, NOW)  # the older link opens nothing now
    assert (await Invitation.get(id=invitation.id)).expires_at == NOW + timedelta(days=13)


async def test_an_unknown_link_is_not_found(school_a: School) -> None:
    for secret in ("x", "a" * 43, "b" * 500):
        with pytest.raises(NotFound):
            await invitations.open_invitation(secret, NOW)


async def test_signing_in_attaches_the_existing_account_once(
    school_a: School,
    school_b: School,
    admin: Actor,
    elsewhere: User,
    channels: Channels,
    tmp_path: Path,
) -> None:
    invitation = await invitations.invite_staff(school_a, elsewhere.email, "cpe", admin, now=NOW)
    secret = await mailed_secret(invitation, channels, tmp_path)
    with pytest.raises(Invalid) as wrong:
        await invitations.accept_with_account(secret, "not the password", "192.0.2.1", now=NOW)
    assert wrong.value.code == "credentials"
    assert not await Membership.exists(user=elsewhere, school=school_a)

    user = await invitations.accept_with_account(secret, PASSWORD, "192.0.2.1", now=NOW)
    assert user.id == elsewhere.id
    roles = {m.school_id: m.role for m in await Membership.filter(user=elsewhere)}
    assert roles == {school_a.id: Role.CPE, school_b.id: Role.TEACHER}
    accepted = await AuditEntry.get(action="invitation.accept")
    assert (accepted.actor_id, accepted.school_id) == (elsewhere.id, school_a.id)
    with pytest.raises(Gone):
        await invitations.accept_with_account(secret, PASSWORD, "192.0.2.1", now=NOW)


async def test_signing_in_is_throttled_as_a_login(
    school_a: School, admin: Actor, elsewhere: User, channels: Channels, tmp_path: Path
) -> None:
    invitation = await invitations.invite_staff(school_a, elsewhere.email, "cpe", admin, now=NOW)
    secret = await mailed_secret(invitation, channels, tmp_path)
    for _ in range(5):
        with pytest.raises(Invalid):
            await invitations.accept_with_account(secret, "guess", "192.0.2.9", now=NOW)
    with pytest.raises(Throttled):
        await invitations.accept_with_account(secret, PASSWORD, "192.0.2.9", now=NOW)
    assert not await Membership.exists(user=elsewhere, school=school_a)


async def test_a_new_account_is_made_only_when_none_exists(
    school_a: School, admin: Actor, elsewhere: User, channels: Channels, tmp_path: Path
) -> None:
    taken = await invitations.invite_staff(school_a, elsewhere.email, "cpe", admin, now=NOW)
    secret = await mailed_secret(taken, channels, tmp_path)
    with pytest.raises(Conflict) as exists:
        await invitations.accept_with_new_account(secret, "Moi", PASSWORD, now=NOW)
    assert exists.value.code == "account_exists"
    assert await authenticate(elsewhere.email, PASSWORD) is not None  # untouched

    fresh = await invitations.invite_staff(
        school_a, "new@alpha.example", "teacher", admin, now=NOW, display_name="M. Neuf"
    )
    secret = await mailed_secret(fresh, channels, tmp_path)
    with pytest.raises(Invalid) as short:
        await invitations.accept_with_new_account(secret, "", "short", now=NOW)
    assert short.value.code == "password_short"
    user = await invitations.accept_with_new_account(secret, "", PASSWORD, now=NOW)
    assert user.display_name == "M. Neuf"
    assert await authenticate("new@alpha.example", PASSWORD) is not None
    assert (
        await Membership.get(user=user, school=school_a).values_list("role", flat=True) == "teacher"
    )
    with pytest.raises(Gone):
        await invitations.accept_with_new_account(secret, "", PASSWORD, now=NOW)


async def test_an_expired_or_cancelled_invitation_is_gone(
    school_a: School, school_b: School, admin: Actor, channels: Channels, tmp_path: Path
) -> None:
    first = await invitations.invite_staff(school_a, "one@alpha.example", "cpe", admin, now=NOW)
    secret = await mailed_secret(first, channels, tmp_path)
    with pytest.raises(Gone):
        await invitations.open_invitation(secret, NOW + timedelta(days=7, seconds=1))
    with pytest.raises(NotFound):  # another school's invitation cannot be cancelled from here
        await invitations.cancel_invitation(school_b, first.id, admin, now=NOW)
    await invitations.cancel_invitation(school_a, first.id, admin, now=NOW)
    with pytest.raises(Gone):
        await invitations.open_invitation(secret, NOW)
    assert await invitations.pending_invitations(school_a) == []
    assert await AuditEntry.exists(action="invitation.cancel", school_id=school_a.id)
    sent = await invitations.send_invitation(first.id, channels.senders["email"], PUBLIC, now=NOW)
    assert sent == "skipped"  # a job left in the queue sends nothing for a cancelled one
