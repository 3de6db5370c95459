"""The statistics page's printable reports, as PDF (``Permission.STATISTICS``, each download
audited by services.stats.reports):

- ``/s/{uai}/stats/report.pdf`` with the page's filter (a division's scope): the conseil de
  classe's report of that division over the period, its students by name;
- ``/s/{uai}/stats/year-report.pdf?year=YYYY``: the conseil d'administration's report of the
  school year starting in YYYY (the current one without it), figures only, no student named.

Both in French, on the school's letterhead, printed through the mailroom (web.panel.pdf). A
filter refused shows the statistics page with its sentence (400).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.i18n import words
from core.queries.common import zone
from core.queries.stats_page import Selection, resolve_selection
from core.rules.charts import number, percent
from core.rules.counting import EventKind
from core.rules.permissions import Permission
from core.services.schools.letterhead import letter_details
from core.services.stats.reports import division_report, year_report
from web.panel.account import now_of
from web.panel.guard import Page, school_page
from web.panel.pdf import mailroom_of, pdf_download
from web.panel.refusals import worded
from web.panel.render import render_text
from web.panel.stats import PATH, show_stats, today_of
from web.panel.stats_tables import charts, tables

FRENCH = "fr"  # for the councils


def setup_stats_reports(app: web.Application) -> None:
    app.router.add_get(PATH + "/report.pdf", division_pdf)
    app.router.add_get(PATH + "/year-report.pdf", year_pdf)


def _context(page: Page, report: str, made: Any) -> dict[str, Any]:
    said = words(FRENCH)
    found = made.found
    return {
        "report": report,
        "made": made,
        "found": found,
        "selection": found.selection,
        "tables": {t.key: t for t in tables(found, said)},
        "charts": charts(found, said),
        "num": partial(number, language=FRENCH),
        "pct": partial(percent, language=FRENCH),
        "school": page.school,
        "letterhead": letter_details(page.school),
        "written_on": now_of(page.request).astimezone(zone(page.school)).date(),
        "month_names": {
            row.month: said.format_date(date(row.month[0], row.month[1], 1), "LLLL yyyy")
            for row in getattr(made, "crossings", [])
        },
    }


async def _pdf(page: Page, query: dict[str, str], report: str) -> web.Response:
    mailroom = mailroom_of(page)
    today, now = today_of(page), now_of(page.request)
    make = division_report if report == "division" else year_report
    try:
        selection: Selection = await resolve_selection(page.school, query, today)
        selection = replace(selection, kind=EventKind.ABSENCE)
        made = await make(page.school, selection, page.actor, today=today, now=now)
    except DomainError as error:
        return await show_stats(page, None, worded(page.words, error))
    html = render_text(page.request, "stats_report.html", _context(page, report, made), FRENCH)
    span = selection.span
    what = (
        f"conseil-de-classe-{selection.scope.key}"
        if report == "division"
        else f"conseil-administration-{selection.start_year}"
    )
    name = f"{what}-{page.school.uai}-{span.first:%Y%m%d}-{span.last:%Y%m%d}.pdf"
    return await pdf_download(page, mailroom, html, prefix="stats", name=name)


async def division_pdf(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.STATISTICS)
    return await _pdf(page, dict(request.query), "division")


async def year_pdf(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.STATISTICS)
    year = request.query.get("year", "").strip()[:10]
    return await _pdf(page, {"period": f"year-{year}" if year else "year"}, "year")
