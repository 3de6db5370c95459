"""Staff invitations: how a school admin gives someone a role without learning whether their
email already has an account, and without attaching an account behind its owner's back.

Adding a staff member by email always creates an invitation (valid 7 days, single use) and
mails its link; the admin's answer is the same whether or not the account exists. The link
carries a random secret of which only the SHA-256 is stored. Each sending of the email issues a
new secret (:func:`send_invitation`, run by the queue), so the secret never sits in the queue
and a resent invitation's older link stops working. The person then signs in with their
existing account (:func:`accept_with_account`, throttled like the login form) or chooses a name
and a password for a new one (:func:`accept_with_new_account`); either creates the Membership,
audited. The install operator's CLI may still attach an existing account directly.

Errors carry a stable ``code`` for the panel to word: ``email``, ``role``, ``member_exists``,
``invitation_pending``, ``password_short``, ``account_exists``, ``credentials``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core.bounds import column_length, fits
from core.errors import Conflict, DomainError, Invalid, NotFound
from core.i18n import N_, words
from core.models import Invitation, Lesson, Membership, Role, RollCall, School, User
from core.services import audit
from core.services.access.login import log_in
from core.services.audit import Actor
from core.services.ports import Message, Sender
from core.services.schools.users import _EMAIL, MIN_PASSWORD_LENGTH, grant_role, hash_password

VALID_FOR = timedelta(days=7)
LINK_PATH = "/invitations/"
SECRET_BYTES = 32


class Gone(DomainError):
    """The invitation was accepted, cancelled, or has expired: its link opens nothing."""

    code = "gone"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_pending(invitation: Invitation, now: datetime) -> bool:
    """Neither accepted nor cancelled, and not expired."""
    return (
        invitation.accepted_at is None
        and invitation.cancelled_at is None
        and invitation.expires_at > now
    )


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}", code="role") from None


async def invite_staff(
    school: School,
    email: str,
    role: str,
    actor: Actor,
    *,
    now: datetime,
    display_name: str = "",
    member_id: int | None = None,
) -> Invitation:
    """Invite ``email`` to ``school`` with ``role``; the caller has :func:`send_invitation` run.

    Says nothing of other schools: whether an account exists with that email is never read
    here. A person already on this school's staff (the admin sees the list) is refused, as is
    a second pending invitation for the same email. ``member_id`` names a staff member of the
    school without a login (a teacher the timetable brought): the invitation gives them this
    email, with their role.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email) or not fits(Invitation, "email", email):
        raise Invalid(f"invalid email address {email[:60]!r}", code="email")
    display_name = display_name.strip()
    if not fits(Invitation, "display_name", display_name):
        limit = column_length(Invitation, "display_name")
        raise Invalid(f"a name has at most {limit} characters", code="display_name")
    checked = _role(role)
    if member_id is not None:
        member = await Membership.get_or_none(
            school=school, user_id=member_id, user__email__isnull=True
        )
        if member is None:
            raise NotFound(f"no staff member {member_id} without a login here")
        checked = Role(member.role)
        display_name = display_name or (await User.get(id=member_id)).display_name
    if await Membership.exists(school=school, user__email=email):
        raise Conflict(f"{email} already has a role in {school.uai}", code="member_exists")
    async with in_transaction():
        waiting = await Invitation.filter(
            school=school,
            email=email,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        ).exists()
        if waiting:
            raise Conflict(f"an invitation to {email} is pending", code="invitation_pending")
        invitation = await Invitation.create(
            school=school,
            email=email,
            display_name=display_name,
            role=checked,
            # a secret nobody knows: the link is issued when the email is sent
            token_hash=_hash(secrets.token_urlsafe(SECRET_BYTES)),
            invited_by_id=actor.user_id,
            expires_at=now + VALID_FOR,
            user_id=member_id,
        )
        await audit.record(
            actor,
            "invitation.create",
            invitation,
            school_id=school.id,
            after={"email": email, "role": checked.value}
            | ({} if member_id is None else {"member": member_id}),
        )
    return invitation


async def pending_invitations(school: School) -> list[Invitation]:
    """The school's invitations neither accepted nor cancelled (expired ones too: they may be
    sent again), oldest first."""
    return await Invitation.filter(
        school=school, accepted_at__isnull=True, cancelled_at__isnull=True
    ).order_by("created_at", "id")


async def _open(school: School, invitation_id: int) -> Invitation:
    found = await Invitation.get_or_none(
        id=invitation_id, school=school, accepted_at__isnull=True, cancelled_at__isnull=True
    )
    if found is None:
        raise NotFound(f"no pending invitation {invitation_id} in {school.uai}")
    return found


async def cancel_invitation(
    school: School, invitation_id: int, actor: Actor, *, now: datetime
) -> None:
    """Cancel a pending invitation of ``school``: its link opens nothing any more."""
    async with in_transaction():
        invitation = await _open(school, invitation_id)
        invitation.cancelled_at = now
        await invitation.save(update_fields=["cancelled_at"])
        await audit.record(
            actor,
            "invitation.cancel",
            invitation,
            school_id=school.id,
            before={"email": invitation.email, "role": Role(invitation.role).value},
        )


async def resend_invitation(
    school: School, invitation_id: int, actor: Actor, *, now: datetime
) -> Invitation:
    """Give a pending (or expired) invitation 7 more days; the caller has it sent again, with a
    new link (the previous one stops working)."""
    async with in_transaction():
        invitation = await _open(school, invitation_id)
        before: dict[str, object] = {"expires_at": audit.plain(invitation.expires_at)}
        invitation.expires_at = now + VALID_FOR
        await invitation.save(update_fields=["expires_at"])
        await audit.record(
            actor,
            "invitation.resend",
            invitation,
            school_id=school.id,
            before=before,
            after={"expires_at": audit.plain(invitation.expires_at)},
        )
    return invitation


# Sending the email (run by the queue)


async def issue_link(invitation_id: int, now: datetime) -> tuple[Invitation, str] | None:
    """A new secret for a pending invitation (only its hash kept); None when it is no longer
    pending (accepted, cancelled or expired meanwhile: nothing to send)."""
    async with in_transaction():
        invitation = await Invitation.filter(id=invitation_id).select_for_update().first()
        if invitation is None or not is_pending(invitation, now):
            return None
        secret = secrets.token_urlsafe(SECRET_BYTES)
        invitation.token_hash = _hash(secret)
        await invitation.save(update_fields=["token_hash"])
    return invitation, secret


ROLES = {
    "admin": N_("administrateur"),
    "direction": N_("direction"),
    "cpe": N_("CPE"),
    "vie_scolaire": N_("vie scolaire"),
    "teacher": N_("enseignant"),
}


def _invitation_text(language: str, invitation: Invitation, school: School, link: str) -> str:
    said = words(language)
    role = said.gettext(ROLES[Role(invitation.role).value])
    until = invitation.expires_at.strftime("%d/%m/%Y")
    paragraphs = (
        said.gettext("Bonjour,"),
        said.gettext(
            "Vous êtes invité(e) à rejoindre {school} dans Absences, avec le rôle {role}.\n"
            "Pour accepter, ouvrez ce lien avant le {until} : vous pourrez vous connecter avec "
            "votre compte si vous en avez un, ou en créer un."
        ).format(school=school.name, role=role, until=until),
        link,
        said.gettext("Si vous n'attendiez pas cette invitation, ignorez ce message."),
    )
    return "\n\n".join(paragraphs) + "\n"


def invitation_message(invitation: Invitation, school: School, link: str) -> Message:
    """The invitation email, French first then English (the person's language is unknown)."""
    body = "\n---\n\n".join(
        _invitation_text(language, invitation, school, link) for language in ("fr", "en")
    )
    subject = words("fr").gettext("Invitation : {school} — Absences").format(school=school.name)
    return Message(
        delivery_uuid=f"invitation-{invitation.id}-{secrets.token_hex(4)}",
        channel="email",
        to=invitation.email,
        body=body,
        subject=subject,
    )


async def send_invitation(
    invitation_id: int, sender: Sender, public_url: str, *, now: datetime
) -> str:
    """Issue a new link and mail it; ``"sent"``, or ``"skipped"`` for an invitation no longer
    pending. The sender's ``SendFailed`` goes to the caller (a transient one is retried)."""
    issued = await issue_link(invitation_id, now)
    if issued is None:
        return "skipped"
    invitation, secret = issued
    school = await School.get(invitations=invitation.id)
    link = f"{public_url.rstrip('/')}{LINK_PATH}{secret}"
    await sender.send(invitation_message(invitation, school, link))
    return "sent"


# Following the link


@dataclass(frozen=True, slots=True)
class Opened:
    """A pending invitation as its link's page shows it."""

    invitation: Invitation
    school: School


async def open_invitation(secret: str, now: datetime) -> Opened:
    """The pending invitation of a link; :class:`NotFound` for an unknown secret,
    :class:`Gone` for an accepted, cancelled or expired one."""
    invitation = None
    if 16 <= len(secret) <= 128:
        invitation = await Invitation.get_or_none(token_hash=_hash(secret))
    if invitation is None:
        raise NotFound("no such invitation")
    if not is_pending(invitation, now):
        raise Gone("this invitation was used, cancelled, or has expired", code="invitation_gone")
    return Opened(invitation, await School.get(invitations=invitation.id))


async def _accept(opened: Opened, user: User, *, now: datetime) -> User:
    """Mark the invitation used (once: a conditional update) and give the role, audited."""
    invitation, school = opened.invitation, opened.school
    async with in_transaction():
        used = await Invitation.filter(
            id=invitation.id, accepted_at__isnull=True, cancelled_at__isnull=True
        ).update(accepted_at=now)
        if not used:
            raise Gone("this invitation was used or cancelled meanwhile", code="invitation_gone")
        actor = Actor.of(user)
        if invitation.user_id is not None and invitation.user_id != user.id:
            await _join(invitation.user_id, user, school, actor)
        if not await Membership.exists(user=user, school=school):
            await grant_role(user, school, Role(invitation.role), actor)
        await audit.record(
            actor,
            "invitation.accept",
            invitation,
            school_id=school.id,
            after={"email": invitation.email, "user": user.email},
        )
    return user


async def _join(placeholder_id: int, user: User, school: School, actor: Actor) -> None:
    """The staff member without a login becomes the account the person signed in with: their
    lessons, roll calls and STS id move to it; the empty account goes."""
    placeholder = await User.get_or_none(id=placeholder_id, email__isnull=True)
    if placeholder is None:
        return
    old = await Membership.get_or_none(user=placeholder, school=school)
    lessons = await Lesson.filter(teacher=placeholder).update(teacher=user)
    await RollCall.filter(taken_by=placeholder).update(taken_by=user)
    mine = await Membership.get_or_none(user=user, school=school)
    if old is not None and mine is None:
        old.user_id = user.id
        await old.save(update_fields=["user_id"])
    elif old is not None and mine is not None:
        if old.sts_id and not mine.sts_id:
            mine.sts_id = old.sts_id
            await mine.save(update_fields=["sts_id"])
        await old.delete()
    before: dict[str, object] = {"user": placeholder.id, "name": placeholder.display_name}
    if not await Membership.exists(user=placeholder):
        await placeholder.delete()
    after: dict[str, object] = {"user": user.id, "lessons": lessons}
    await audit.record(actor, "user.join", user, school_id=school.id, before=before, after=after)


async def accept_with_account(secret: str, password: str, ip: str, *, now: datetime) -> User:
    """Accept with the existing account of the invited email (its password checked and the
    attempt counted as a login's: :class:`~core.services.access.login.Throttled` while locked)."""
    opened = await open_invitation(secret, now)
    user = await log_in(opened.invitation.email, password, ip, now=now)
    if user is None:
        raise Invalid("wrong email or password", code="credentials")
    return await _accept(opened, user, now=now)


async def accept_with_new_account(
    secret: str, display_name: str, password: str, *, now: datetime
) -> User:
    """Accept by creating the account of the invited email; refused (``account_exists``) when
    one exists already: the person signs in instead."""
    opened = await open_invitation(secret, now)
    invitation = opened.invitation
    if await User.exists(email=invitation.email):
        raise Conflict("an account exists with this email: sign in instead", code="account_exists")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("the password is too short", code="password_short")
    name = display_name.strip()[:120] or invitation.display_name
    async with in_transaction():
        waiting = None
        if invitation.user_id is not None:  # a staff member without a login gets this one
            waiting = await User.get_or_none(id=invitation.user_id, email__isnull=True)
        if waiting is not None:
            waiting.email = invitation.email
            waiting.display_name = name or waiting.display_name
            waiting.password_hash = hash_password(password)
            await waiting.save(update_fields=["email", "display_name", "password_hash"])
            user = waiting
        else:
            user = await User.create(
                email=invitation.email,
                display_name=name or invitation.email.split("@")[0],
                password_hash=hash_password(password),
            )
        await audit.record(
            Actor.of(user),
            "user.login" if waiting is not None else "user.create",
            user,
            school_id=opened.school.id,
            before={"email": None} if waiting is not None else None,
            after={"email": user.email, "via": "invitation"},
        )
        return await _accept(opened, user, now=now)
