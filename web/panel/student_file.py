"""The student's file (R131-6), printable, and the form that records an action taken.

Anyone who may read the school reads the file (a teacher: only their own students); those who
record events or decide on justifications add actions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from core.bounds import moment_in_window, parse_id
from core.errors import DomainError, NotFound
from core.queries import student_file
from core.queries.choices import action_types
from core.queries.common import zone
from core.queries.scope import reader_scope
from core.rules.permissions import Permission
from core.services.events.actions import record_action
from core.services.notices.convocations import convoke_family
from core.services.schools.school import school_year_of
from web.keys import QUEUE
from web.panel.account import now_of
from web.panel.guard import Page, refusal, require_csrf, school_page
from web.panel.inputs import path_id
from workers.queue import enqueue_deliveries

FILE = r"/s/{uai}/students/{id:\d+}"


def setup(app: web.Application) -> None:
    app.router.add_get(FILE, show)
    app.router.add_post(FILE + "/actions", add_action)
    app.router.add_post(FILE + "/convocations", convoke)


def may_act(page: Page) -> bool:
    return page.can(Permission.WRITE_EVENTS) or page.can(Permission.DECIDE)


def may_convoke(page: Page) -> bool:
    return page.can(Permission.CONVOKE)


async def _readable(
    request: web.Request, may: Callable[[Page], bool] | None = None
) -> tuple[Page, int]:
    """The page and the student's id, if the user may do what ``may`` asks (403 otherwise)
    and read that student (404 otherwise, as for a student of another school)."""
    page = await school_page(request)
    if may is not None and not may(page):
        raise refusal(page, "forbidden.role")
    student_id = path_id(request)
    scope = await reader_scope(page.school, page.user.id, page.role)
    if not scope.allows(student_id):
        raise web.HTTPNotFound(text="no such student")
    return page, student_id


def _year(request: web.Request) -> int | None:
    value = request.query.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


async def _render(
    page: Page,
    student_id: int,
    *,
    year: int | None,
    error: str | None = None,
    status: int = 200,
    convocation: dict[str, Any] | None = None,
) -> web.Response:
    now = now_of(page.request)
    scope = await reader_scope(page.school, page.user.id, page.role)
    try:
        file = await student_file(page.school, student_id, year, now=now, scope=scope)
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    context: dict[str, Any] = {
        "file": file,
        "may_act": may_act(page),
        "action_types": await action_types(page.school) if may_act(page) else [],
        "now_local": now.astimezone(zone(page.school)).strftime("%Y-%m-%dT%H:%M"),
        "error": error,
        "follow_up": f"/s/{page.school.uai}/follow-up?student={student_id}",
        "may_convoke": may_convoke(page),
        "convocation": convocation or {},
    }
    return page.render("student_file.html", context, status=status)


async def show(request: web.Request) -> web.Response:
    page, student_id = await _readable(request)
    return await _render(page, student_id, year=_year(request))


def _local_time(page: Page, value: str, words: str = "file.action.bad_time") -> datetime:
    try:
        wall = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise DomainError(page.t(words), code="meeting_time") from None
    if not moment_in_window(wall):
        raise DomainError(page.t(words), code="meeting_time")
    return wall.replace(tzinfo=zone(page.school))


async def add_action(request: web.Request) -> web.StreamResponse:
    """Record an action about the student, then show the file at its actions."""
    page, student_id = await _readable(request, may_act)
    form = await require_csrf(page)
    event = str(form.get("event", "")).strip()
    try:
        done_at = _local_time(page, str(form.get("at", "")))
        await record_action(
            page.school,
            page.actor,
            student_id,
            str(form.get("type", "")),
            done_at,
            str(form.get("comment", "")),
            event_id=parse_id(event),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such student or event") from None
    except DomainError as error:
        return await _render(page, student_id, year=None, error=error.message, status=400)
    year = school_year_of(done_at.date())
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}?year={year}#actions")


def _convocation_error(page: Page, error: DomainError) -> str:
    """The service's refusal in the user's language when its code has words, else as is."""
    key = f"file.convoke.error.{error.code}"
    words = page.t(key)
    return error.message if words == key else words


async def convoke(request: web.Request) -> web.StreamResponse:
    """Convoke the student's family to a meeting, then show the file at its notices."""
    page, student_id = await _readable(request, may_convoke)
    form = await require_csrf(page)
    values = {k: str(form.get(k, "")) for k in ("at", "place", "with_whom", "message")}
    try:
        done = await convoke_family(
            page.school,
            page.actor,
            student_id,
            meeting_at=_local_time(page, values["at"], "file.convoke.error.meeting_time"),
            place=values["place"],
            with_whom=values["with_whom"],
            message=values["message"],
            now=now_of(request),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    except DomainError as error:
        text = _convocation_error(page, error)
        status = 409 if error.code == "convoked" else 400
        return await _render(
            page, student_id, year=None, error=text, status=status, convocation=values
        )
    jobs = [(d.delivery_id, d.not_before) for d in done.due]
    await enqueue_deliveries(request.config_dict[QUEUE], jobs)
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}#notices")
