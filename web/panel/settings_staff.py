"""Settings: the staff accounts of this school — who has which role, invitations, changes.

Only this school's memberships and invitations are read or changed. Adding someone is always an
invitation mailed to them (:mod:`core.services.schools.invitations`): the page answers the same
sentence whether or not an account exists with that email, and attaches nothing by itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.i18n import N_
from core.models import Role
from core.rules.permissions import Permission
from core.services.schools import invitations, staff
from web.keys import QUEUE
from web.panel.account import now_of
from web.panel.guard import Page
from web.panel.settings_kit import Change, Shown, row_id, settings_page, show, submit, text
from workers.queue import enqueue_invitation

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FormId = Callable[[web.Request], str]
ROLES = tuple(role.value for role in Role)


async def _staff(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    zone = ZoneInfo(page.school.timezone)
    now = now_of(page.request)
    pending = [
        {
            "id": row.id,
            "email": row.email,
            "role": row.role,
            "created": _local(row.created_at, zone),
            "expires": _local(row.expires_at, zone),
            "expired": not invitations.is_pending(row, now),
        }
        for row in await invitations.pending_invitations(page.school)
    ]
    context = {
        "section": "staff",
        "members": await staff.list_staff(page.school),
        "invitations": pending,
        "roles": ROLES,
        "form": form,
    }
    return show(page, "settings_staff.html", context, error=error, status=status)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


async def staff_page(request: web.Request) -> web.Response:
    return await _staff(await settings_page(request, Permission.USERS), None, {}, 200)


async def _invite(page: Page, form: dict[str, Any]) -> None:
    invitation = await invitations.invite_staff(
        page.school,
        text(form, "email"),
        text(form, "role"),
        page.actor,
        now=now_of(page.request),
        display_name=text(form, "display_name"),
    )
    await enqueue_invitation(page.request.app[QUEUE], invitation.id)


async def _give_login(page: Page, form: dict[str, Any]) -> None:
    """Invite a staff member without a login (a teacher the timetable brought) at an email."""
    invitation = await invitations.invite_staff(
        page.school,
        text(form, "email"),
        Role.TEACHER.value,
        page.actor,
        now=now_of(page.request),
        member_id=row_id(page),
    )
    await enqueue_invitation(page.request.app[QUEUE], invitation.id)


async def _change_role(page: Page, form: dict[str, Any]) -> None:
    await staff.change_role(page.school, row_id(page), text(form, "role"), page.actor)


async def _remove(page: Page, form: dict[str, Any]) -> None:
    await staff.remove_staff(page.school, row_id(page), page.actor)


async def _cancel(page: Page, form: dict[str, Any]) -> None:
    await invitations.cancel_invitation(
        page.school, row_id(page), page.actor, now=now_of(page.request)
    )


async def _resend(page: Page, form: dict[str, Any]) -> None:
    invitation = await invitations.resend_invitation(
        page.school, row_id(page), page.actor, now=now_of(page.request)
    )
    await enqueue_invitation(page.request.app[QUEUE], invitation.id)


def _row_form(request: web.Request) -> str:
    return "row-" + request.match_info.get("id", "")


def _invitation_form(request: web.Request) -> str:
    return "invitation-" + request.match_info.get("id", "")


def _form(
    change: Change,
    flash: str = N_("Modifications enregistrées."),
    form_id: FormId = lambda _: "add",
) -> Handler:
    """A POST of the staff page: the change, then 303 back with ``flash`` (or the error)."""

    async def handle(request: web.Request) -> web.Response:
        return await submit(
            request,
            change,
            _staff,
            form_id=form_id,
            back="/staff",
            flash=flash,
            permission=Permission.USERS,
        )

    return handle


# Inviting answers the same sentence whether the email's account exists.
add_member = _form(
    _invite, N_("Invitation envoyée : la personne a 7 jours pour suivre le lien reçu par courriel.")
)
give_login = _form(
    _give_login,
    N_("Invitation envoyée : la personne a 7 jours pour suivre le lien reçu par courriel."),
    _row_form,
)
change_role = _form(_change_role, form_id=_row_form)
remove_member = _form(_remove, N_("Accès retiré."), _row_form)
cancel_invitation = _form(
    _cancel, N_("Invitation annulée : son lien ne mène plus à rien."), _invitation_form
)
resend_invitation = _form(
    _resend, N_("Invitation renvoyée, avec un nouveau lien valable 7 jours."), _invitation_form
)


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/staff", staff_page),
    ("POST", "/staff", add_member),
    ("POST", "/staff/{id}/role", change_role),
    ("POST", "/staff/{id}/invite", give_login),
    ("POST", "/staff/{id}/remove", remove_member),
    ("POST", "/staff/invitations/{id}/cancel", cancel_invitation),
    ("POST", "/staff/invitations/{id}/resend", resend_invitation),
]
