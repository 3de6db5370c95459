"""Follow-up (suivi): search a school's events, choose extra columns, export, save searches.

``/s/{uai}/follow-up`` is a GET form (the query string is the search, see
:mod:`web.panel.follow_up_form`); ``…/export.csv`` and ``…/export.xlsx`` export the same
results; saved searches are posted with the form's token. Anyone who may read the school may
search; a teacher sees only the students of their lessons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import DomainError
from core.i18n import N_, Words, words
from core.models import Period
from core.queries import search_events
from core.queries.choices import saved_searches, search_choices
from core.queries.common import Page
from core.queries.periods import year_periods
from core.queries.scope import Scope, reader_scope
from core.queries.search import EXPORT_LIMIT, EXTRA_COLUMNS, EventRow, EventState, SortKey
from core.rules.counting import EventKind
from core.rules.permissions import Permission
from core.services.events.saved_searches import delete_search, save_search
from web.i18n import language
from web.panel import follow_up_export, student_file
from web.panel.account import now_of
from web.panel.event_dialog import dialog_context
from web.panel.follow_up_form import (
    SearchForm,
    form_query,
    parse_form,
    parse_query_string,
    query_of,
)
from web.panel.guard import Page as PanelPage
from web.panel.guard import require_csrf, school_page
from web.panel.inputs import BadInput, path_id
from web.panel.refusals import worded

BASE = "/s/{uai}/follow-up"


def setup_follow_up(app: web.Application) -> None:
    """Mount the follow-up pages, the exports, the saved searches and the student's file."""
    app.router.add_get(BASE, search_page)
    app.router.add_get(BASE + "/export.csv", export_csv)
    app.router.add_get(BASE + "/export.xlsx", export_xlsx)
    app.router.add_post(BASE + "/searches", save)
    app.router.add_post(BASE + r"/searches/{id:\d+}/delete", delete)
    student_file.setup(app)


async def scope_of(page: PanelPage) -> Scope:
    return await reader_scope(page.school, page.user.id, page.role)


def _context(page: PanelPage, form: SearchForm, results: Page[EventRow] | None) -> dict[str, Any]:
    here = f"/s/{page.school.uai}/follow-up"

    def at(offset: int | None) -> str | None:
        return None if offset is None else f"{here}?{form_query(form, offset=offset)}"

    return {
        "form": form,
        "results": results,
        "here": here,
        "query": form_query(form),
        "previous_url": at(results.previous_offset) if results else None,
        "next_url": at(results.next_offset) if results else None,
        "extra_columns": EXTRA_COLUMNS,
        "kinds": [k.value for k in EventKind],
        "states": [s.value for s in EventState],
        "sorts": [s.value for s in SortKey],
        "cells": follow_up_export.cells,
    }


async def search_page(request: web.Request) -> web.Response:
    page = await school_page(request)
    return await _respond(page, parse_form(request.query, page.words))


async def _respond(
    page: PanelPage, form: SearchForm, save_error: str | None = None
) -> web.Response:
    results, scope = None, await scope_of(page)
    if form.criteria is not None:
        results = await search_events(page.school, form.criteria, scope=scope)
    searches = await saved_searches(page.school, page.user.id)
    context = {
        "periods": await _periods(page),
        **_context(page, form, results),
        "choices": await search_choices(page.school, scope.view),
        "saved": [(s, query_of(s.criteria, s.columns)) for s in searches],
        "save_error": save_error,
        **await dialog_context(page),
    }
    failed = form.error is not None or save_error is not None
    return page.render("follow_up.html", context, status=400 if failed else 200)


async def _periods(page: PanelPage) -> list[Period]:
    """The year's reporting periods, whose SIECLE absences files the page offers to those who
    may see the school's statistics."""
    if not page.can(Permission.STATISTICS):
        return []
    today = now_of(page.request).astimezone(ZoneInfo(page.school.timezone)).date()
    return (await year_periods(page.school, today)).periods


async def _export_rows(request: web.Request) -> tuple[PanelPage, SearchForm, list[EventRow]]:
    page = await school_page(request)
    form = parse_form(request.query, page.words)
    if form.criteria is None:
        raise BadInput(N_("Cette demande contient une valeur que l'application ne peut pas lire."))
    everything = form.criteria.model_copy(update={"offset": 0, "limit": EXPORT_LIMIT})
    found = await search_events(page.school, everything, scope=await scope_of(page))
    return page, form, found.items


def _download(body: bytes, content_type: str, name: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _file_name(page: PanelPage, extension: str) -> str:
    return f"suivi-{page.school.uai}-{datetime.now():%Y%m%d-%H%M}.{extension}"


async def export_csv(request: web.Request) -> web.Response:
    page, form, rows = await _export_rows(request)
    body = follow_up_export.to_csv(rows, form.columns, _words(page))
    response = _download(body, "text/csv", _file_name(page, "csv"))
    response.charset = "utf-8"
    return response


async def export_xlsx(request: web.Request) -> web.Response:
    page, form, rows = await _export_rows(request)
    body = follow_up_export.to_xlsx(
        rows, form.columns, _words(page), page.gettext("Suivi des absences")
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(body, xlsx, _file_name(page, "xlsx"))


def _words(page: PanelPage) -> Words:
    return words(language(page.request))


async def save(request: web.Request) -> web.StreamResponse:
    """Save the current search (posted as its query string) under a name, then show it."""
    page = await school_page(request)
    form_data = await require_csrf(page)
    form = parse_form(parse_query_string(str(form_data.get("query", ""))), page.words)
    if form.criteria is None:
        return await _respond(page, form)
    name = str(form_data.get("name", ""))
    try:
        saved = await save_search(
            page.school, page.actor, name, form.criteria.saved(), form.columns
        )
    except DomainError as error:
        return await _respond(page, form, worded(page.words, error))
    here = f"/s/{page.school.uai}/follow-up"
    raise web.HTTPSeeOther(f"{here}?{query_of(saved.criteria, saved.columns)}")


async def delete(request: web.Request) -> web.StreamResponse:
    page = await school_page(request)
    await require_csrf(page)
    try:
        await delete_search(page.school, page.actor, path_id(request))
    except DomainError:
        raise web.HTTPNotFound(text="no such saved search") from None
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/follow-up")
