"""Settings: the staff accounts of this school — who has which role, add, change, withdraw.

Only this school's memberships are read or changed. A new account's generated password is
shown once, on the page that answers the form (never put in a cookie or a redirect).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.errors import Conflict, DomainError
from core.models import Role
from core.rules.permissions import Permission
from core.services import staff
from core.services.users import MIN_PASSWORD_LENGTH
from web.panel.guard import Page, require_csrf
from web.panel.settings_kit import (
    Shown,
    error_text,
    row_id,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ROLES = tuple(role.value for role in Role)


async def _staff(
    page: Page,
    error: Shown | None,
    form: dict[str, Any],
    status: int,
    *,
    added: staff.Added | None = None,
) -> web.Response:
    context = {
        "section": "staff",
        "members": await staff.list_staff(page.school),
        "roles": ROLES,
        "form": form,
        "added": added,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return show(page, "settings_staff.html", context, error=error, status=status)


async def staff_page(request: web.Request) -> web.Response:
    return await _staff(await settings_page(request, Permission.USERS), None, {}, 200)


async def add_member(request: web.Request) -> web.Response:
    """Add an account (or a role to an existing one); answers with the page, not a redirect,
    so that a generated password can be shown once."""
    page = await settings_page(request, Permission.USERS)
    form = await require_csrf(page)
    try:
        added = await staff.add_staff(
            page.school,
            text(form, "email"),
            text(form, "role"),
            page.actor,
            password=str(form.get("password", "")),
            display_name=text(form, "display_name"),
        )
    except DomainError as error:
        status = 409 if isinstance(error, Conflict) else 400
        return await _staff(page, Shown("add", error_text(page, error)), form, status)
    page.session["flash"] = "settings.flash.member_added"
    return await _staff(page, None, {}, 200, added=added)


async def _change_role(page: Page, form: dict[str, Any]) -> None:
    await staff.change_role(page.school, row_id(page), text(form, "role"), page.actor)


async def _remove(page: Page, form: dict[str, Any]) -> None:
    await staff.remove_staff(page.school, row_id(page), page.actor)


def _row_form(request: web.Request) -> str:
    return "row-" + request.match_info.get("id", "")


async def change_role(request: web.Request) -> web.Response:
    return await submit(
        request, _change_role, _staff, form_id=_row_form, back="/staff", permission=Permission.USERS
    )


async def remove_member(request: web.Request) -> web.Response:
    return await submit(
        request,
        _remove,
        _staff,
        form_id=_row_form,
        back="/staff",
        flash="settings.flash.member_removed",
        permission=Permission.USERS,
    )


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/staff", staff_page),
    ("POST", "/staff", add_member),
    ("POST", "/staff/{id}/role", change_role),
    ("POST", "/staff/{id}/remove", remove_member),
]
