"""The entry grid: a division, group or set of divisions over a day or a week.

The page is rendered here; the script ``static/grid.js`` records and changes events through
the JSON endpoints below, which call :mod:`core.services.events.record` (one transaction, audited)
and answer ``{"error": {"code", "message"}}`` on failure: 400 malformed, 401 not logged in,
403 no right or no CSRF token (``X-CSRF-Token`` header), 404 unknown, 409 conflict, 422 invalid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.bounds import MAX_ID, Id, Moment, day_in_window
from core.errors import DomainError, Invalid, invalid_field
from core.i18n import Words, words
from core.models import Event, School
from core.queries.records import with_relations
from core.queries.scope import reader_scope
from core.rules.calendar import SchoolCalendar
from core.rules.counting import EventKind
from core.rules.permissions import Permission
from core.rules.visibility import Visibility
from core.services.events.arrival import mark_arrival, record_lateness
from core.services.events.record import (
    correct_event,
    delete_event,
    parse_patch,
    record_event,
)
from core.services.schools.school import now_utc
from web.api.errors import DOMAIN_STATUS, HTTP_CODES
from web.bodies import read_json_body
from web.i18n import language
from web.keys import QUEUE
from web.panel import grid_data as data
from web.panel.event_dialog import dialog_context
from web.panel.grid_detail import event_details
from web.panel.guard import Page, Refused, require_csrf, school_page
from web.panel.inputs import path_id, read_day
from web.panel.labels import families
from web.panel.refusals import worded, worded_http, worded_status
from workers.queue import enqueue_scheduled

BASE = "/s/{uai}/grid"
EVENT = BASE + r"/events/{id:\d+}"

SYMBOLS = {"accepted": "✓", "rejected": "✗", "undecided": "?"}  # besides the colour
JsonResult = tuple[int, dict[str, Any]]
JsonHandler = Callable[[Page, dict[str, Any]], Awaitable[JsonResult]]


Checked = TypeVar("Checked", bound=BaseModel)
WALL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
LOCAL_MOMENT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$"


class GridMark(BaseModel):
    """One click (a lateness in the half-period ``start``–``end``, arrived at ``arrival``, a
    local wall time, by default now during it, else its start) or two (an absence from
    ``start`` to ``end``)."""

    model_config = ConfigDict(extra="forbid")

    student_id: Id
    kind: Literal["absence", "lateness"]
    start: Moment
    end: Moment | None = None
    arrival: str | None = Field(default=None, pattern=WALL_TIME)


class Arrived(BaseModel):
    """ "Arrivé(e) à …": the local moment of the arrival, and the version shown."""

    model_config = ConfigDict(extra="forbid")

    arrival: str = Field(pattern=LOCAL_MOMENT)
    version: int | None = Field(default=None, ge=0, le=MAX_ID)


def _local(raw: str, school: School) -> datetime:
    """A local wall moment (``YYYY-MM-DDTHH:MM``) of the school's zone, aware."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid("expected a date and time") from None
    if not day_in_window(moment.date()):
        raise Invalid("expected a date and time")
    return moment.replace(tzinfo=ZoneInfo(school.timezone))


def _checked(model: type[Checked], body: dict[str, Any]) -> Checked:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise invalid_field(error) from None


def _parse_day(raw: str | None, school: School) -> date:
    if not raw:
        return data.today_in(school, now_utc())
    return read_day(raw)


def _step(day: date, view: data.View, forward: bool) -> date:
    """The next or previous school day (Monday–Friday), or the same day a week away."""
    if view == "week":
        return day + timedelta(days=7 if forward else -7)
    step = timedelta(days=1 if forward else -1)
    day += step
    while day.weekday() >= 5:
        day += step
    return day


def _link(target: data.Target | None, day: date, view: data.View) -> str:
    params: dict[str, str] = {target.kind: target.key} if target else {}
    return "?" + urlencode({**params, "date": day.isoformat(), "view": view})


def _script(
    page: Page,
    columns: list[data.Column],
    events: list[Event],
    calendar: SchoolCalendar,
    view: Visibility,
) -> dict[str, Any]:
    """What the grid's script reads from the page (a JSON data block: no inline script)."""
    said = words(language(page.request))
    base = f"/s/{page.school.uai}/grid"
    return {
        "columns": [c.as_json(calendar) for c in columns],
        "events": [data.event_json(e, page.school, said, view) for e in events],
        "readonly": not page.can(Permission.WRITE_EVENTS),
        "urls": {"record": base + "/events"},
        "t": families(said.language)["grid"],
        "states": families(said.language)["grid.decision"],
        "symbols": SYMBOLS,
    }


async def grid_page(request: web.Request) -> web.Response:
    """The grid (read-only without the right to write events)."""
    page = await school_page(request, Permission.READ)
    lang = language(request)
    day = _parse_day(request.query.get("date"), page.school)
    view: data.View = "week" if request.query.get("view") == "week" else "day"
    options = await data.choices(page.school)
    target = data.wanted_target(request.query, options)
    days = data.shown_days(day, view)
    calendar, headers, columns = await data.columns_for(page.school, days, lang)
    scope = await reader_scope(page.school, page.user.id, page.role)
    rows = [row for row in await data.rows_for(page.school, target) if scope.allows(row.id)]
    events = await data.events_for(page.school, rows, days, calendar)
    dialog = await dialog_context(page)
    shown_reasons = [r for r in dialog["reasons"] if r.colour]  # the local ones, coloured
    context = {
        "view": view,
        "day": day,
        "target": target,
        "options": options,
        "headers": headers,
        "columns": columns,
        "rows": rows,
        "legend": data.legend(page.school, page.words, shown_reasons),
        "symbols": SYMBOLS,
        **dialog,
        "script": _script(page, columns, events, calendar, scope.view),
        "prev": _link(target, _step(day, view, False), view),
        "next": _link(target, _step(day, view, True), view),
        "today": _link(target, data.today_in(page.school, now_utc()), view),
        "day_label": data.day_label(days[0], lang),
        "no_school": data.no_school(calendar, day, page.words) if view == "day" else None,
    }
    return page.render("grid.html", context)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _domain_status(error: DomainError) -> int:
    return next((s for kind, s in DOMAIN_STATUS.items() if isinstance(error, kind)), 422)


async def _json_body(page: Page) -> dict[str, Any]:
    """The JSON object posted, after its CSRF header is checked (malformed JSON is a 400)."""
    request = page.request
    if request.content_type != "application/json":
        raise web.HTTPBadRequest(text="expected an application/json body")
    try:
        await require_csrf(page)
        body = await read_json_body(request)
    except ValueError:
        raise web.HTTPBadRequest(text="malformed JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


def json_endpoint(
    permission: Permission, *, write: bool
) -> Callable[[JsonHandler], Callable[[web.Request], Awaitable[web.Response]]]:
    """Wrap a grid endpoint: access, CSRF and body for writes, errors as JSON."""

    def wrap(handler: JsonHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def endpoint(request: web.Request) -> web.Response:
            said = words(language(request))
            try:
                page = await school_page(request, permission)
                body = await _json_body(page) if write else {}
                status, result = await handler(page, body)
            except DomainError as error:
                return _error(_domain_status(error), error.code, worded(said, error))
            except web.HTTPSeeOther:
                return _error(401, "unauthorized", worded_status(said, 401))
            except web.HTTPException as error:
                if error.status < 400:
                    raise
                code = HTTP_CODES.get(error.status, "http_error")
                message = error.message if isinstance(error, Refused) else worded_http(said, error)
                return _error(error.status, code, message)
            return web.json_response(result, status=status)

        return endpoint

    return wrap


def _words(page: Page) -> Words:
    return words(language(page.request))


@json_endpoint(Permission.WRITE_EVENTS, write=True)
async def record(page: Page, body: dict[str, Any]) -> JsonResult:
    """One click (lateness) or two (absence): the event, as the grid paints it."""
    mark = _checked(GridMark, body)
    if mark.kind == "absence" and mark.end is None:
        raise Invalid("end: an absence needs its end", code="invalid", field="end", kind="missing")
    where = page.request.remote or ""
    if mark.kind == "lateness":
        day = mark.start.astimezone(ZoneInfo(page.school.timezone)).date()
        arrival = _local(f"{day}T{mark.arrival}", page.school) if mark.arrival else None
        done = await record_lateness(
            page.school,
            page.actor,
            student_id=mark.student_id,
            half=(mark.start, mark.end or mark.start),
            arrival=arrival,
            recorded_from=where,
        )
    else:
        done = await record_event(
            page.school,
            page.actor,
            student_id=mark.student_id,
            kind=EventKind.ABSENCE,
            start=mark.start,
            end=mark.end,
            recorded_from=where,
        )
    await enqueue_scheduled(page.request.config_dict[QUEUE], done.due)
    return 201, {"event": data.event_json(done.event, page.school, _words(page))}


def _event_id(page: Page) -> int:
    return path_id(page.request)


@json_endpoint(Permission.READ, write=False)
async def details(page: Page, body: dict[str, Any]) -> JsonResult:
    """The dialog's content: states, constat, history, notices."""
    lang = language(page.request)
    scope = await reader_scope(page.school, page.user.id, page.role)
    shown = await event_details(page.school, _event_id(page), lang, words(lang), scope)
    return 200, {"event": shown}


async def _painted(page: Page, event: Event) -> dict[str, Any]:
    await with_relations(event, "reason")
    return data.event_json(event, page.school, _words(page))


@json_endpoint(Permission.WRITE_EVENTS, write=True)
async def correct(page: Page, body: dict[str, Any]) -> JsonResult:
    """Save the dialog: only the fields sent change; ``version`` guards against a lost update.

    The start and end come as local wall moments (``start_local``, ``end_local``: the
    dialog's fields), in the school's zone."""
    for key in ("start", "end"):
        raw = body.pop(f"{key}_local", None)
        if isinstance(raw, str) and len(raw) <= len("2026-03-02T08:00"):
            body[key] = _local(raw, page.school) if raw else None
        elif raw is not None:
            raise Invalid(f"{key}: expected a date and time")
    done = await correct_event(page.school, page.actor, _event_id(page), parse_patch(body))
    await enqueue_scheduled(page.request.config_dict[QUEUE], done.due)
    return 200, {"event": await _painted(page, done.event)}


@json_endpoint(Permission.WRITE_EVENTS, write=True)
async def arrived(page: Page, body: dict[str, Any]) -> JsonResult:
    """ "Arrivé(e) à …": the absence becomes a lateness, or ends and the lateness is added."""
    asked = _checked(Arrived, body)
    done = await mark_arrival(
        page.school,
        page.actor,
        _event_id(page),
        _local(asked.arrival, page.school),
        version=asked.version,
    )
    await enqueue_scheduled(page.request.config_dict[QUEUE], done.due)
    painted = [await _painted(page, done.absence.event)]
    if done.lateness is not None:
        painted.append(await _painted(page, done.lateness.event))
    return 200, {"events": painted}


@json_endpoint(Permission.WRITE_EVENTS, write=True)
async def remove(page: Page, body: dict[str, Any]) -> JsonResult:
    """Mark as entered by mistake (kept in history, out of every count and notice)."""
    event = await delete_event(page.school, page.actor, _event_id(page))
    return 200, {"event": {"id": event.id, "deleted": True, "version": event.version}}


def setup_grid(app: web.Application) -> None:
    """Mount the grid's page and endpoints, and register its words."""
    app.router.add_get(BASE, grid_page)
    app.router.add_post(BASE + "/events", record)
    app.router.add_get(EVENT, details)
    app.router.add_post(EVENT, correct)
    app.router.add_post(EVENT + "/delete", remove)
    app.router.add_post(EVENT + "/arrival", arrived)
