"""What every settings page shares: the guard, form reading, errors in the user's language,
and post/redirect/get with a one-time success message kept in the session."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from aiohttp import web

from core.bounds import day_in_window
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_
from core.rules.permissions import Permission
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id
from web.panel.refusals import worded

_HHMM = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
WEEKDAYS = range(7)


class FormError(Exception):
    """A field the panel could not read; ``key`` names the message, ``values`` fill it in."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Shown:
    """An error to show next to one form of the page (``form`` is that form's id)."""

    form: str
    text: str


async def settings_page(request: web.Request, permission: Permission = Permission.SETTINGS) -> Page:
    return await school_page(request, permission)


def base(page: Page) -> str:
    return f"/s/{page.school.uai}/settings"


def text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def checked(form: dict[str, Any], name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def hhmm(form: dict[str, Any], name: str) -> time:
    found = _HHMM.match(text(form, name))
    if found is None:
        raise FormError(N_("Heure attendue au format HH:MM."), field=name)
    return time(int(found.group(1)), int(found.group(2)))


def integer(form: dict[str, Any], name: str, low: int, high: int) -> int:
    try:
        value = int(text(form, name))
    except ValueError:
        raise FormError(N_("Nombre attendu entre {low} et {high}."), low=low, high=high) from None
    if not low <= value <= high:
        raise FormError(N_("Nombre attendu entre {low} et {high}."), low=low, high=high)
    return value


def day(form: dict[str, Any], name: str) -> date:
    try:
        found = date.fromisoformat(text(form, name))
    except ValueError:
        raise FormError(N_("Date attendue (AAAA-MM-JJ).")) from None
    if not day_in_window(found):
        raise FormError(N_("Date attendue (AAAA-MM-JJ)."))
    return found


def row_id(page: Page) -> int:
    return path_id(page.request)


def error_text(page: Page, error: DomainError | FormError) -> str:
    """The error in the user's language: a known code has its own words, else the message."""
    if isinstance(error, FormError):
        return page.gettext(error.key).format(**error.values)
    return worded(page.words, error, "settings.error")


def done(page: Page, path: str, flash: str) -> web.Response:
    """303 to ``path``, whose page will say ``flash`` once."""
    response = web.Response(status=303, headers={"Location": path})
    session.store(page.request, response, {**page.session, "flash": flash})
    return response


def show(
    page: Page,
    template: str,
    context: dict[str, Any],
    *,
    error: Shown | None = None,
    status: int = 200,
) -> web.Response:
    """Render a settings page with its success message (once) or the error of one form."""
    flash = page.session.pop("flash", None)
    said = page.session.pop("flash_said", None)  # already in the reader's words (a count)
    if not isinstance(said, str):
        said = page.gettext(flash) if isinstance(flash, str) else None
    common: dict[str, Any] = {
        "flash": said,
        "error": error,
        "settings_url": base(page),
        "form": {},
    }
    return page.render(template, {**common, **context}, status=status)


Change = Callable[[Page, dict[str, Any]], Awaitable[object]]
Again = Callable[[Page, Shown | None, dict[str, Any], int], Awaitable[web.Response]]


async def submit(
    request: web.Request,
    change: Change,
    again: Again,
    *,
    form_id: Callable[[web.Request], str] = lambda _: "add",
    back: str = "",
    flash: str = N_("Modifications enregistrées."),
    permission: Permission = Permission.SETTINGS,
) -> web.Response:
    """The life of a settings form: guard, CSRF, the change (through a service), then either
    303 to the page with a success message, or the page again with the error by the form."""
    page = await settings_page(request, permission)
    form = await require_csrf(page)
    try:
        await change(page, form)
    except NotFound:
        raise web.HTTPNotFound() from None
    except (DomainError, FormError) as error:
        status = 409 if isinstance(error, Conflict) else 400
        shown = Shown(form_id(request), error_text(page, error))
        return await again(page, shown, form, status)
    return done(page, base(page) + back, flash)
