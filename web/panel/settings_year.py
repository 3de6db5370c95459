"""Settings: the school year — the current one, starting the next (a confirmation page first,
which says what will happen with the counts of a dry run), and how many years are kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import DomainError
from core.i18n import N_
from core.queries.years import years_of
from core.rules.years import RETENTION_MAX, RETENTION_MIN
from core.services.schools.school import parse_settings_patch, update_settings
from core.services.schools.years import start_year
from web.panel.account import now_of
from web.panel.guard import Page
from web.panel.settings_kit import (
    FormError,
    Shown,
    error_text,
    integer,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STARTED = N_(
    "La nouvelle année a commencé : importez maintenant son export SIECLE, puis son emploi du "
    "temps (Imports)."
)


def _today(page: Page) -> date:
    return now_of(page.request).astimezone(ZoneInfo(page.school.timezone)).date()


async def _year(page: Page, error: Shown | None, form: dict[str, Any], status: int) -> web.Response:
    context = {
        "section": "year",
        "years": await years_of(page.school, _today(page)),
        "form": form,
        "low": RETENTION_MIN,
        "high": RETENTION_MAX,
    }
    return show(page, "settings_year.html", context, error=error, status=status)


async def year_page(request: web.Request) -> web.Response:
    return await _year(await settings_page(request), None, {}, 200)


async def _change_retention(page: Page, form: dict[str, Any]) -> None:
    kept = integer(form, "retention_years", RETENTION_MIN, RETENTION_MAX)
    await update_settings(page.school, parse_settings_patch({"retention_years": kept}), page.actor)


async def year_submit(request: web.Request) -> web.Response:
    return await submit(
        request, _change_retention, _year, form_id=lambda _: "retention", back="/year"
    )


async def _confirm(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    """What starting the next year will do: the counts of a dry run, or why it cannot."""
    years = await years_of(page.school, _today(page))
    planned = None
    try:
        planned = await start_year(
            page.school, years.current + 1, page.actor, dry_run=True, today=_today(page)
        )
    except DomainError as refused:
        error = error or Shown("start", error_text(page, refused))
        status = 409 if status == 200 else status
    context = {"section": "year", "years": years, "planned": planned, "form": form}
    return show(page, "settings_year_start.html", context, error=error, status=status)


async def start_page(request: web.Request) -> web.Response:
    return await _confirm(await settings_page(request), None, {}, 200)


async def _start(page: Page, form: dict[str, Any]) -> None:
    years = await years_of(page.school, _today(page))
    if text(form, "year") != str(years.current + 1):  # another admin was quicker
        raise FormError(N_("Cette page n'est plus à jour : rechargez-la, puis réessayez."))
    await start_year(page.school, years.current + 1, page.actor, today=_today(page))


async def start_submit(request: web.Request) -> web.Response:
    return await submit(
        request, _start, _confirm, form_id=lambda _: "start", back="/year", flash=STARTED
    )


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/year", year_page),
    ("POST", "/year", year_submit),
    ("GET", "/year/start", start_page),
    ("POST", "/year/start", start_submit),
]
