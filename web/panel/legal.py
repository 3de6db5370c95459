"""The legal follow-up of absenteeism (L131-8, R131-7): ``/s/{uai}/follow-up/legal``.

For the direction, the CPE and the admin (``Permission.LEGAL_FOLLOW_UP``): the students who
crossed the monthly or persistent threshold this school year, the day they crossed it, the
month's letter and the actions taken, with a form per row to record one (the actions service,
audited); the families who did not answer the school's requests; and the report to the DASEN
as a PDF from the student's file (``/s/{uai}/students/{id}/dasen-report.pdf``, the letters'
WeasyPrint machinery through the mailroom), marked sent as a "Signalement au DASEN" action.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from core.errors import DomainError, Invalid, NotFound
from core.queries import student_file
from core.queries.calendar import load_calendar
from core.queries.choices import action_types
from core.queries.common import zone
from core.queries.legal import legal_crossings, unanswered_families
from core.rules.permissions import Permission
from core.services.events.actions import record_action
from core.services.notices.labels import month_year
from core.services.schools.defaults import ACTION_TYPES, DASEN_REPORT, LEGAL_ACTION_TYPES
from core.services.schools.letterhead import letter_details
from web.i18n import language
from web.keys import MAILROOM
from web.panel import session
from web.panel.account import now_of
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id
from web.panel.pdf import mailroom_of, pdf_download
from web.panel.refusals import worded
from web.panel.render import render_text
from web.panel.student_file import local_time

BASE = "/s/{uai}/follow-up/legal"
REQUESTS = ("absence", "reminder", "threshold", "persistent", "convocation")  # the report's
REPORT = r"/s/{uai}/students/{id:\d+}/dasen-report"


def setup_legal(app: web.Application) -> None:
    app.router.add_get(BASE, legal_page)
    app.router.add_post(BASE + "/actions", add_action)
    app.router.add_get(REPORT + ".pdf", report_pdf)
    app.router.add_post(REPORT + "/sent", report_sent)


async def _page(request: web.Request) -> Page:
    return await school_page(request, Permission.LEGAL_FOLLOW_UP)


async def _show(page: Page, *, error: str | None = None, status: int = 200) -> web.Response:
    now = now_of(page.request)
    calendar = await load_calendar(page.school)
    rows = await legal_crossings(page.school, calendar, now)
    lang = language(page.request)
    context: dict[str, Any] = {
        "rows": rows,
        "months": {
            row.month: month_year(date.fromisoformat(f"{row.month}-01"), lang) for row in rows
        },
        "unanswered": await unanswered_families(page.school, calendar, now),
        "legal_types": await action_types(page.school, ACTION_TYPES, LEGAL_ACTION_TYPES),
        "now_local": now.astimezone(zone(page.school)).strftime("%Y-%m-%dT%H:%M"),
        "has_files": MAILROOM in page.request.config_dict,
        "tz": zone(page.school),
        "error": error,
        "flash": page.session.pop("flash", None),
    }
    return page.render("legal.html", context, status=status)


async def legal_page(request: web.Request) -> web.Response:
    return await _show(await _page(request))


def _student(form: Any) -> int:
    value = str(form.get("student", "")).strip()
    if not value.isdigit() or len(value) > 12:
        raise web.HTTPNotFound(text="no such student")
    return int(value)


async def _record(page: Page, student_id: int, code: str, form: Any) -> None:
    """Record one of the legal actions (a default type a school created before it gets on its
    first use); NotFound for a student of another school."""
    if code not in LEGAL_ACTION_TYPES:
        raise Invalid(f"{code!r} is not an action of the legal follow-up", code="action_unknown")
    await record_action(
        page.school,
        page.actor,
        student_id,
        code,
        local_time(page, str(form.get("at", ""))),
        str(form.get("comment", "")),
    )


async def add_action(request: web.Request) -> web.StreamResponse:
    """Record a legal action about a student of the list, then show the list at that row."""
    page = await _page(request)
    form = await require_csrf(page)
    student_id = _student(form)
    try:
        await _record(page, student_id, str(form.get("type", "")), form)
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    except DomainError as error:
        return await _show(page, error=worded(page.words, error, "legal.error"), status=400)
    return _done(
        page,
        page.gettext("Action enregistrée."),
        f"/s/{page.school.uai}/follow-up/legal#student-{student_id}",
    )


def _done(page: Page, said: str, target: str) -> web.Response:
    """303 to ``target``, which says ``said`` once."""
    page.session["flash"] = said
    response = web.Response(status=303, headers={"Location": target})
    session.store(page.request, response, page.session)
    return response


async def _report_html(page: Page, student_id: int) -> str:
    now = now_of(page.request)
    try:
        file = await student_file(page.school, student_id, now=now)
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    context = {
        "file": file,
        "school": page.school,
        "letterhead": letter_details(page.school),
        "written_on": now.astimezone(zone(page.school)).date(),
        "month_names": {
            f"{m.year}-{m.month:02d}": month_year(date(m.year, m.month, 1), "fr")
            for m in file.counts.months
        },
        "requests": REQUESTS,
    }
    return render_text(page.request, "dasen_report.html", context, "fr")  # for the DASEN


async def report_pdf(request: web.Request) -> web.Response:
    """The report to the DASEN about the student, as a PDF for the head of school to sign."""
    page = await _page(request)
    student_id = path_id(request)
    html = await _report_html(page, student_id)
    name = f"signalement-dasen-{page.school.uai}-{student_id}.pdf"
    return await pdf_download(page, mailroom_of(page), html, prefix="dasen", name=name)


async def report_sent(request: web.Request) -> web.StreamResponse:
    """Mark the report sent to the DASEN: a "Signalement au DASEN" action, then back to the
    list (or to the file's actions, ``back=file``)."""
    page = await _page(request)
    form = await require_csrf(page)
    student_id = path_id(request)
    back = (
        f"/s/{page.school.uai}/students/{student_id}#actions"
        if form.get("back") == "file"
        else f"/s/{page.school.uai}/follow-up/legal#student-{student_id}"
    )
    try:
        await _record(page, student_id, DASEN_REPORT, form)
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    except DomainError as error:
        return await _show(page, error=worded(page.words, error, "legal.error"), status=400)
    return _done(page, page.gettext("Signalement au DASEN enregistré."), back)
