"""Settings: the reporting periods of the school year (trimestres, semestres or the school's
own), each with its SIECLE absences file to download.

The form lists the periods, then empty rows to add some; an empty row is left out, so emptying
a row removes its period. « Proposer des trimestres / semestres » fills the form with periods
cut from the year's bounds (``?propose=``): nothing is saved until the admin saves the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.i18n import N_
from core.queries.periods import year_periods
from core.rules.periods import MAX_NAME, MAX_PERIODS, Cut, PeriodSpan
from core.services.schools.periods import proposal, set_periods
from web.panel.account import now_of
from web.panel.guard import Page
from web.panel.settings_kit import FormError, Shown, day, settings_page, show, submit, text

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SPARE_ROWS = 3  # empty rows offered to add periods
FORM = "periods"


def _today(page: Page) -> date:
    return now_of(page.request).astimezone(ZoneInfo(page.school.timezone)).date()


def _rows(spans: list[PeriodSpan]) -> dict[str, str]:
    """The form's values for ``spans``, row by row."""
    values: dict[str, str] = {}
    for index, span in enumerate(spans):
        values[f"name-{index}"] = span.name
        values[f"start-{index}"] = span.starts_on.isoformat()
        values[f"end-{index}"] = span.ends_on.isoformat()
    return values


async def _periods(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    year = await year_periods(page.school, _today(page))
    proposed = None
    if not form:
        try:
            proposed = Cut(page.request.query.get("propose", ""))
        except ValueError:
            proposed = None
    if proposed is not None:
        spans = proposal(proposed, year.starts_on, year.ends_on)
        form = _rows([PeriodSpan(page.gettext(s.name), s.starts_on, s.ends_on) for s in spans])
    shown = len(year.periods) if not form else _filled(form)
    context = {
        "section": FORM,
        "year": year,
        "form": form or _rows([PeriodSpan(p.name, p.starts_on, p.ends_on) for p in year.periods]),
        "rows": range(min(max(shown, len(year.periods)) + SPARE_ROWS, MAX_PERIODS)),
        "proposed": proposed,
        "most": MAX_NAME,
    }
    return show(page, "settings_periods.html", context, error=error, status=status)


def _filled(form: dict[str, Any]) -> int:
    """How many rows the posted (or proposed) form reaches."""
    last = 0
    for index in range(MAX_PERIODS):
        if any(text(form, f"{name}-{index}") for name in ("name", "start", "end")):
            last = index + 1
    return last


async def periods_page(request: web.Request) -> web.Response:
    return await _periods(await settings_page(request), None, {}, 200)


def _read(form: dict[str, Any]) -> list[PeriodSpan]:
    """The rows filled in, in order; a row half filled is refused."""
    spans = []
    for index in range(MAX_PERIODS):
        name, start, end = (text(form, f"{n}-{index}") for n in ("name", "start", "end"))
        if not (name or start or end):
            continue
        if not (name and start and end):
            raise FormError(
                N_("Ligne {row} : donnez un nom, une date de début et une date de fin."),
                row=index + 1,
            )
        spans.append(PeriodSpan(name, day(form, f"start-{index}"), day(form, f"end-{index}")))
    return spans


async def _change(page: Page, form: dict[str, Any]) -> None:
    await set_periods(page.school, _read(form), page.actor, today=_today(page))


async def periods_submit(request: web.Request) -> web.Response:
    return await submit(request, _change, _periods, form_id=lambda _: FORM, back="/periods")


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/periods", periods_page),
    ("POST", "/periods", periods_submit),
]
