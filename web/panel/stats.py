"""The statistics page: ``/s/{uai}/stats``, and its tables as ``stats.csv`` and ``stats.xlsx``.

For the direction, the CPE and the admin (``Permission.STATISTICS``): a filter in the query
string (queries.stats_page: a month, a reporting period, a school year or a range; the school,
a division, a group of divisions, a level or a student; absences or lateness), the key
figures, then each table with its chart (web.panel.stats_tables). A filter refused shows the
page with its sentence (400).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.queries.common import zone
from core.queries.stats_page import Selection, resolve_selection, stats_choices
from core.rules.charts import number, percent
from core.rules.permissions import Permission
from core.services.stats.indicators import indicators
from web.panel.account import now_of
from web.panel.guard import Page, school_page
from web.panel.refusals import worded
from web.panel.stats_export import stats_csv, stats_xlsx
from web.panel.stats_tables import charts, tables

PATH = "/s/{uai}/stats"
ASKED = ("period", "scope", "kind", "from", "to")


def setup_stats(app: web.Application) -> None:
    app.router.add_get(PATH, stats_page)
    app.router.add_get(PATH + ".csv", stats_csv_export)
    app.router.add_get(PATH + ".xlsx", stats_xlsx_export)


def today_of(page: Page) -> date:
    return now_of(page.request).astimezone(zone(page.school)).date()


async def _selection(page: Page) -> Selection:
    return await resolve_selection(page.school, page.request.query, today_of(page))


async def show_stats(page: Page, selection: Selection | None, error: str | None) -> web.Response:
    today = today_of(page)
    query = page.request.query
    choices = await stats_choices(page.school, today)
    said = page.words
    context: dict[str, Any] = {
        "choices": choices,
        "month_names": {
            f"{y:04d}-{m:02d}": said.format_date(date(y, m, 1), "LLLL yyyy")
            for y, m in choices.months
        },
        "default_month": f"{today:%Y-%m}",
        "num": partial(number, language=said.language),
        "pct": partial(percent, language=said.language),
        "asked": {name: query.get(name, "")[:40] for name in ASKED},
        "selection": selection,
        "error": error,
        "found": None,
        "tables": [],
        "charts": None,
        "exports": page.request.query_string,
    }
    if selection is not None:
        found = await indicators(page.school, selection, today=today, now=now_of(page.request))
        context.update(
            found=found,
            tables=tables(found, page.words),
            charts=charts(found, page.words),
        )
    return page.render("stats.html", context, status=400 if error else 200)


async def stats_page(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.STATISTICS)
    try:
        selection = await _selection(page)
    except DomainError as error:
        return await show_stats(page, None, worded(page.words, error))
    return await show_stats(page, selection, None)


async def _export(request: web.Request, suffix: str) -> web.Response:
    page = await school_page(request, Permission.STATISTICS)
    try:
        selection = await _selection(page)
    except DomainError as error:
        return await show_stats(page, None, worded(page.words, error))
    found = await indicators(page.school, selection, today=today_of(page), now=now_of(page.request))
    made = tables(found, page.words)
    name = (
        f"statistiques-{page.school.uai}-{selection.span.first:%Y%m%d}-{selection.span.last:%Y%m%d}"
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{name}.{suffix}"',
        "Cache-Control": "no-store",
    }
    if suffix == "csv":
        return web.Response(
            body=stats_csv(made), content_type="text/csv", charset="utf-8", headers=headers
        )
    return web.Response(
        body=stats_xlsx(made),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


async def stats_csv_export(request: web.Request) -> web.Response:
    return await _export(request, "csv")


async def stats_xlsx_export(request: web.Request) -> web.Response:
    return await _export(request, "xlsx")
