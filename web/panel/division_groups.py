"""Groups of divisions (``/s/{uai}/division-groups``, admins and CPEs): the list, a form to
create one (a name and divisions chosen by level), a page to change one, and its deletion.
The grid and the follow-up offer them among their choices."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_
from core.queries.division_sets import SetRow, division_set, division_sets, divisions_by_level
from core.rules.permissions import Permission
from core.services.schools import division_sets as service
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id
from web.panel.settings_kit import Shown, done, error_text, show, text

BASE = "/s/{uai}/division-groups"
_CHECKED = re.compile(r"^division-([0-9]{1,12})$")


def setup_division_groups(app: web.Application) -> None:
    app.router.add_get(BASE, list_page)
    app.router.add_post(BASE, create)
    app.router.add_get(BASE + "/{id}", edit_page)
    app.router.add_post(BASE + "/{id}", update)
    app.router.add_post(BASE + "/{id}/delete", delete)


def _url(page: Page) -> str:
    return BASE.format(uai=page.school.uai)


async def _page(request: web.Request) -> Page:
    return await school_page(request, Permission.DIVISION_GROUPS)


def _chosen(form: dict[str, Any]) -> list[int]:
    """The divisions ticked (their boxes are named ``division-<id>``)."""
    return sorted({int(found.group(1)) for key in form if (found := _CHECKED.match(key))})


async def _show_list(
    page: Page, error: Shown | None = None, form: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    context = {
        "groups": await division_sets(page.school),
        "levels": await divisions_by_level(page.school),
        "form": form or {},
        "chosen": set(_chosen(form or {})),
        "url": _url(page),
    }
    return show(page, "division_groups.html", context, error=error, status=status)


async def _show_edit(
    page: Page,
    row: SetRow,
    error: Shown | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "group": row,
        "levels": await divisions_by_level(page.school),
        "form": form or {"name": row.name},
        "chosen": set(_chosen(form)) if form else set(row.division_ids),
        "url": _url(page),
    }
    return show(page, "division_group_edit.html", context, error=error, status=status)


def _status(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 400


async def list_page(request: web.Request) -> web.Response:
    return await _show_list(await _page(request))


async def create(request: web.Request) -> web.Response:
    page = await _page(request)
    form = await require_csrf(page)
    try:
        await service.create_division_set(
            page.school, text(form, "name"), _chosen(form), page.actor
        )
    except DomainError as error:
        shown = Shown("add", error_text(page, error))
        return await _show_list(page, shown, form, _status(error))
    return done(page, _url(page), N_("Groupe de classes créé."))


async def _row(page: Page) -> SetRow:
    row = await division_set(page.school, path_id(page.request))
    if row is None:
        raise web.HTTPNotFound()
    return row


async def edit_page(request: web.Request) -> web.Response:
    page = await _page(request)
    return await _show_edit(page, await _row(page))


async def update(request: web.Request) -> web.Response:
    page = await _page(request)
    form = await require_csrf(page)
    row = await _row(page)
    try:
        await service.update_division_set(
            page.school, row.id, text(form, "name"), _chosen(form), page.actor
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as error:
        shown = Shown("edit", error_text(page, error))
        return await _show_edit(page, row, shown, form, _status(error))
    return done(page, _url(page), N_("Modifications enregistrées."))


async def delete(request: web.Request) -> web.Response:
    page = await _page(request)
    await require_csrf(page)
    try:
        await service.delete_division_set(page.school, path_id(request), page.actor)
    except NotFound:
        raise web.HTTPNotFound() from None
    return done(page, _url(page), N_("Suppression enregistrée."))
