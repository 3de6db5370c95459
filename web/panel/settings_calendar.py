"""Settings: the timetable (the slots of the entry grid, per weekday) and the closed days
(by hand, or the zone's school holidays and the public holidays of the current year)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from core.models import ClosedDay, TimetableSlot
from core.services.schools import closed_days
from core.services.schools import slots as school_settings
from web.panel.account import now_of
from web.panel.guard import Page
from web.panel.settings_kit import (
    WEEKDAYS,
    FormError,
    Shown,
    day,
    hhmm,
    integer,
    row_id,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The timetable.


async def _timetable(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    slots = await TimetableSlot.filter(school=page.school).order_by("weekday", "start_minute")
    by_day = {weekday: [s for s in slots if s.weekday == weekday] for weekday in WEEKDAYS}
    context = {"section": "timetable", "by_day": by_day, "weekdays": WEEKDAYS, "form": form}
    return show(page, "settings_timetable.html", context, error=error, status=status)


async def timetable_page(request: web.Request) -> web.Response:
    return await _timetable(await settings_page(request), None, {}, 200)


def _slot_fields(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "weekday": integer(form, "weekday", 0, 6),
        "start": hhmm(form, "start"),
        "end": hhmm(form, "end"),
        "label": text(form, "label"),
    }


async def _add_slot(page: Page, form: dict[str, Any]) -> None:
    values = _slot_fields(form)
    label = values.pop("label")
    await school_settings.add_slot(page.school, **values, actor=page.actor, label=label)


async def _edit_slot(page: Page, form: dict[str, Any]) -> None:
    values = _slot_fields(form)
    label = values.pop("label")
    slot_id = row_id(page)
    await school_settings.edit_slot(page.school, slot_id, **values, actor=page.actor, label=label)


async def _remove_slot(page: Page, form: dict[str, Any]) -> None:
    await school_settings.remove_slot(page.school, row_id(page), page.actor)


def _row_form(request: web.Request) -> str:
    return "row-" + request.match_info.get("id", "")


async def add_slot(request: web.Request) -> web.Response:
    return await submit(
        request, _add_slot, _timetable, back="/timetable", flash="settings.flash.slot_added"
    )


async def edit_slot(request: web.Request) -> web.Response:
    return await submit(request, _edit_slot, _timetable, form_id=_row_form, back="/timetable")


async def remove_slot(request: web.Request) -> web.Response:
    return await submit(
        request,
        _remove_slot,
        _timetable,
        form_id=_row_form,
        back="/timetable",
        flash="settings.flash.removed",
    )


# Closed days and holidays.


async def _calendar(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    first, last = await closed_days.year_bounds(page.school, now_of(page.request).date())
    rows = await ClosedDay.filter(school=page.school).order_by("day", "half")
    context = {
        "section": "calendar",
        "rows": rows,
        "first": first,
        "last": last,
        "zones": closed_days.ZONES,
        "form": form,
    }
    return show(page, "settings_calendar.html", context, error=error, status=status)


async def calendar_page(request: web.Request) -> web.Response:
    return await _calendar(await settings_page(request), None, {}, 200)


async def _add_closed(page: Page, form: dict[str, Any]) -> None:
    chosen: date = day(form, "day")
    half = text(form, "half") or "day"
    await closed_days.add_closed_day(page.school, chosen, half, text(form, "label"), page.actor)


async def _remove_closed(page: Page, form: dict[str, Any]) -> None:
    await closed_days.remove_closed_day(page.school, row_id(page), page.actor)


async def _import(page: Page, form: dict[str, Any]) -> None:
    zone = text(form, "zone")
    if zone not in closed_days.ZONES:
        raise FormError("settings.error.holiday_zone")
    today = now_of(page.request).date()
    result = await closed_days.import_holidays(page.school, zone, page.actor, today=today)
    page.session["flash_values"] = {"count": result.added}


async def add_closed(request: web.Request) -> web.Response:
    return await submit(
        request, _add_closed, _calendar, back="/calendar", flash="settings.flash.closed_added"
    )


async def remove_closed(request: web.Request) -> web.Response:
    return await submit(
        request,
        _remove_closed,
        _calendar,
        form_id=_row_form,
        back="/calendar",
        flash="settings.flash.removed",
    )


async def import_holidays(request: web.Request) -> web.Response:
    return await submit(
        request,
        _import,
        _calendar,
        form_id=lambda _: "import",
        back="/calendar",
        flash="settings.flash.holidays_imported",
    )


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/timetable", timetable_page),
    ("POST", "/timetable", add_slot),
    ("POST", "/timetable/{id}", edit_slot),
    ("POST", "/timetable/{id}/delete", remove_slot),
    ("GET", "/calendar", calendar_page),
    ("POST", "/calendar", add_closed),
    ("POST", "/calendar/import", import_holidays),
    ("POST", "/calendar/{id}/delete", remove_closed),
]
