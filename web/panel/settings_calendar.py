"""Settings: the timetable (the slots of the entry grid, per weekday) and the closed days
(by hand, or the zone's school holidays and the public holidays of the current year)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from core.errors import Invalid, NotFound
from core.i18n import N_
from core.queries.calendar import timetable_slots
from core.queries.common import school_year_dates
from core.queries.settings import school_closed_days
from core.rules.calendar import school_year_of
from core.rules.holiday_zones import ZONES
from core.services.schools import closed_days
from core.services.schools import slots as school_settings
from core.services.schools.slots import SlotRow, SlotsRefused
from web.panel.account import now_of
from web.panel.guard import Page, require_csrf
from web.panel.settings_kit import (
    WEEKDAYS,
    FormError,
    Shown,
    base,
    day,
    done,
    error_text,
    hhmm,
    integer,
    row_id,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ROW = re.compile(r"^start-([0-9]{1,12})$")
_SLOT_FIELDS = ("weekday", "start", "end", "label")
MAX_ROWS = 500  # more slots than any week has

# The timetable.


async def _timetable(
    page: Page,
    error: Shown | None,
    form: dict[str, Any],
    status: int,
    row_errors: dict[int, str] | None = None,
) -> web.Response:
    slots = await timetable_slots(page.school)
    by_day = {weekday: [s for s in slots if s.weekday == weekday] for weekday in WEEKDAYS}
    context = {
        "section": "timetable",
        "by_day": by_day,
        "weekdays": WEEKDAYS,
        "form": form,
        "row_errors": row_errors or {},
    }
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


def _slot_rows(page: Page, form: dict[str, Any]) -> tuple[list[SlotRow], dict[int, str]]:
    """The timetable form's rows (one per slot, its fields suffixed by the slot's id), and
    the words of each row the panel could not read."""
    ids = sorted({int(found.group(1)) for key in form if (found := _ROW.match(key))})
    rows: list[SlotRow] = []
    problems: dict[int, str] = {}
    for slot_id in ids[:MAX_ROWS]:
        fields = {name: form.get(f"{name}-{slot_id}", "") for name in _SLOT_FIELDS}
        try:
            values = _slot_fields(fields)
        except FormError as error:
            problems[slot_id] = error_text(page, error)
            continue
        rows.append(SlotRow(slot_id, **values))
    return rows, problems


async def save_slots(request: web.Request) -> web.Response:
    """The timetable's one form: every slot saved, or none and each refused row says why."""
    page = await settings_page(request)
    form = await require_csrf(page)
    rows, problems = _slot_rows(page, form)
    if rows and not problems:
        try:
            await school_settings.save_slots(page.school, rows, page.actor)
        except NotFound:
            raise web.HTTPNotFound() from None
        except SlotsRefused as refused:
            problems = {
                slot_id: error_text(page, Invalid(f"slot {slot_id}: {code}", code=code))
                for slot_id, code in refused.rows.items()
            }
        else:
            return done(page, base(page) + "/timetable", N_("Emploi du temps enregistré."))
    said = (
        N_("Rien n'a été enregistré : corrigez les créneaux signalés.")
        if problems
        else N_("Aucun créneau à enregistrer.")
    )
    return await _timetable(page, Shown("slots", page.gettext(said)), form, 400, problems)


async def _remove_slot(page: Page, form: dict[str, Any]) -> None:
    await school_settings.remove_slot(page.school, row_id(page), page.actor)


def _row_form(request: web.Request) -> str:
    return "row-" + request.match_info.get("id", "")


async def add_slot(request: web.Request) -> web.Response:
    return await submit(
        request, _add_slot, _timetable, back="/timetable", flash=N_("Créneau ajouté.")
    )


async def remove_slot(request: web.Request) -> web.Response:
    return await submit(
        request,
        _remove_slot,
        _timetable,
        form_id=_row_form,
        back="/timetable",
        flash=N_("Suppression enregistrée."),
    )


# Closed days and holidays.


async def _calendar(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    first, last = await school_year_dates(page.school, school_year_of(now_of(page.request).date()))
    rows = await school_closed_days(page.school)
    context = {
        "section": "calendar",
        "rows": rows,
        "first": first,
        "last": last,
        "zones": ZONES,
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
    if zone not in ZONES:
        raise FormError(N_("Choisissez la zone A, B, C, Corse ou une académie d'outre-mer."))
    today = now_of(page.request).date()
    result = await closed_days.import_holidays(page.school, zone, page.actor, today=today)
    page.session["flash_said"] = page.words.ngettext(
        "{count} jour fermé ajouté.", "{count} jours fermés ajoutés.", result.added
    ).format(count=result.added)


async def add_closed(request: web.Request) -> web.Response:
    return await submit(
        request, _add_closed, _calendar, back="/calendar", flash=N_("Jour fermé ajouté.")
    )


async def remove_closed(request: web.Request) -> web.Response:
    return await submit(
        request,
        _remove_closed,
        _calendar,
        form_id=_row_form,
        back="/calendar",
        flash=N_("Suppression enregistrée."),
    )


async def import_holidays(request: web.Request) -> web.Response:
    return await submit(
        request,
        _import,
        _calendar,
        form_id=lambda _: "import",
        back="/calendar",
    )


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/timetable", timetable_page),
    ("POST", "/timetable", add_slot),
    ("POST", "/timetable/save", save_slots),
    ("POST", "/timetable/{id}/delete", remove_slot),
    ("GET", "/calendar", calendar_page),
    ("POST", "/calendar", add_closed),
    ("POST", "/calendar/import", import_holidays),
    ("POST", "/calendar/{id}/delete", remove_closed),
]
