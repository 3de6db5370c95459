"""School settings pages under ``/s/{uai}/settings``: admin only, every change through a
service (one transaction, one audit row), plain forms with CSRF.

This module holds the overview, the general settings (midday, counting, thresholds, zone),
the family notices (delay, quiet hours, channel order) and the on-screen colours; the other
sections live in ``settings_calendar``, ``settings_lists``, ``settings_staff``,
``settings_year`` and ``settings_periods``.
:data:`ROUTES` lists every route, so that a test can knock on each with the wrong user.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.bounds import MAX_COUNT
from core.errors import Invalid
from core.i18n import N_
from core.rules.calendar import MIDDAY_TOLERANCE_MAX
from core.rules.channels import default_order
from core.rules.holiday_zones import ZONES
from core.services.schools.letterhead import LETTERHEAD_FIELDS, letter_details, update_letterhead
from core.services.schools.school import (
    checked_reply_to,
    checked_sms_sender,
    parse_settings_patch,
    read_settings,
    update_settings,
)
from core.services.schools.slots import COLOUR_KEYS, update_colours
from web.panel import (
    settings_calendar,
    settings_lists,
    settings_periods,
    settings_staff,
    settings_year,
)
from web.panel.account import now_of
from web.panel.guard import Page
from web.panel.settings_kit import (
    FormError,
    Shown,
    checked,
    hhmm,
    integer,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/s/{uai}/settings"


async def overview(request: web.Request) -> web.Response:
    page = await settings_page(request)
    return show(page, "settings_index.html", {"section": "index"})


# General: the School columns that shape counting.


async def _general(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    values = read_settings(page.school).model_dump(mode="json")
    context = {
        "section": "general",
        "values": values,
        "form": form,
        "letters": letter_details(page.school),
        "zones": ZONES,
        "letters_form": form.get("part") == "letters",
    }
    return show(page, "settings_general.html", context, error=error, status=status)


async def general_page(request: web.Request) -> web.Response:
    return await _general(await settings_page(request), None, {}, 200)


async def _change_letters(page: Page, form: dict[str, Any]) -> None:
    """The second form of the page: what letters say of the school (a refusal is worded by
    its code, as every settings form's)."""
    changes = {name: text(form, name) for name in LETTERHEAD_FIELDS if name in form}
    await update_letterhead(page.school, page.actor, changes)


async def _change_general(page: Page, form: dict[str, Any]) -> None:
    if form.get("part") == "letters":
        return await _change_letters(page, form)
    absence = integer(form, "absence_threshold_half_days", 1, 60)
    persistent = integer(form, "persistent_threshold_half_days", 1, 200)
    if persistent < absence:
        raise FormError(N_("Le seuil persistant ne peut être inférieur au seuil mensuel."))
    patch = {
        "name": text(form, "name"),
        "timezone": text(form, "timezone"),
        "midday": f"{hhmm(form, 'midday'):%H:%M}",
        "counting_mode": text(form, "counting_mode"),
        "lateness_threshold_minutes": integer(form, "lateness_threshold_minutes", 1, 240),
        "absence_threshold_half_days": absence,
        "persistent_threshold_half_days": persistent,
        "holiday_zone": text(form, "holiday_zone") or None,
        "teachers_see_reasons": checked(form, "teachers_see_reasons"),
        **_addresses(form),
    }
    if "midday_tolerance_minutes" in form:  # a form without it leaves it as it is
        patch["midday_tolerance_minutes"] = integer(
            form, "midday_tolerance_minutes", 0, MIDDAY_TOLERANCE_MAX
        )
    today = now_of(page.request).date()
    await update_settings(page.school, parse_settings_patch(patch), page.actor, today=today)


ADDRESSES: dict[str, tuple[Callable[[str], str | None], str]] = {
    "reply_to": (
        checked_reply_to,
        N_(
            "Adresse de la vie scolaire : une adresse électronique est attendue, par exemple "
            "vie-scolaire@college.fr."
        ),
    ),
    "sms_sender": (
        checked_sms_sender,
        N_(
            "Expéditeur SMS : un numéro au format international (+33…) ou un nom de 3 à 11 "
            "lettres et chiffres, sans accent ni espace."
        ),
    ),
}


def _addresses(form: dict[str, Any]) -> dict[str, object]:
    """The vie scolaire's address and the school's own SMS sender (blank: none); a field the
    form lacks stays as it is."""
    values: dict[str, object] = {}
    for name, (check, refusal) in ADDRESSES.items():
        if name in form:
            try:
                values[name] = check(text(form, name))
            except Invalid:
                raise FormError(refusal) from None
    return values


async def general_submit(request: web.Request) -> web.Response:
    return await submit(request, _change_general, _general, back="/general")


# Family notices: delay, quiet hours, channel order, reminders, weekly summary, quotas.


async def _notices(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    values = read_settings(page.school).model_dump(mode="json")
    order: list[str] = values["channel_order"]
    ranks = {channel: order.index(channel) + 1 for channel in order}
    context = {
        "section": "notices",
        "values": values,
        "channels": default_order(),
        "ranks": ranks,
        "form": form,
    }
    return show(page, "settings_notices.html", context, error=error, status=status)


async def notices_page(request: web.Request) -> web.Response:
    return await _notices(await settings_page(request), None, {}, 200)


def channel_order(form: dict[str, Any]) -> list[str]:
    """The channels ticked, by their rank; two ticked channels with one rank are refused."""
    channels = default_order()
    used = [
        (integer(form, f"rank_{channel}", 1, len(channels)), position, channel)
        for position, channel in enumerate(channels)
        if checked(form, f"use_{channel}")
    ]
    if not used:
        raise FormError(N_("Choisissez au moins un canal."))
    if len({rank for rank, _, _ in used}) < len(used):
        raise FormError(
            N_("Deux canaux ne peuvent pas avoir le même rang : donnez-leur des rangs différents.")
        )
    return [channel for _, _, channel in sorted(used)]


async def _change_notices(page: Page, form: dict[str, Any]) -> None:
    quiet = None
    if checked(form, "quiet_on"):
        quiet = {
            "start": f"{hhmm(form, 'quiet_start'):%H:%M}",
            "end": f"{hhmm(form, 'quiet_end'):%H:%M}",
            "sundays": checked(form, "quiet_sundays"),
        }
    patch: dict[str, object] = {
        "notice_delay_minutes": integer(form, "notice_delay_minutes", 0, 24 * 60),
        "notify_lateness": checked(form, "notify_lateness"),
        "quiet_hours": quiet,
        **(
            {"late_notice_days": integer(form, "late_notice_days", 0, 30)}
            if "late_notice_days" in form
            else {}
        ),
        "channel_order": channel_order(form),
        "weekly_summary": checked(form, "weekly_summary"),
        **_dated_and_quotas(form),
    }
    await update_settings(page.school, parse_settings_patch(patch), page.actor)


def _dated_and_quotas(form: dict[str, Any]) -> dict[str, object]:
    """Reminders, quotas and their alert level; a field the form lacks stays as it is, an
    empty quota means no limit."""
    values: dict[str, object] = {}
    if "reminder_after_days" in form:
        values["reminder_after_days"] = integer(form, "reminder_after_days", 0, 60)
    if "quota_alert_percent" in form:
        values["quota_alert_percent"] = integer(form, "quota_alert_percent", 0, 100)
    for name in ("sms_monthly_quota", "call_monthly_quota"):
        if name in form:
            values[name] = integer(form, name, 0, MAX_COUNT) if text(form, name) else None
    return values


async def notices_submit(request: web.Request) -> web.Response:
    return await submit(request, _change_notices, _notices, back="/notices")


# Colours of events on screen.


async def _colours(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    context = {"section": "colours", "keys": COLOUR_KEYS, "colours": page.school.colours}
    return show(
        page, "settings_colours.html", {**context, "form": form}, error=error, status=status
    )


async def colours_page(request: web.Request) -> web.Response:
    return await _colours(await settings_page(request), None, {}, 200)


async def _change_colours(page: Page, form: dict[str, Any]) -> None:
    await update_colours(page.school, {key: text(form, key) for key in COLOUR_KEYS}, page.actor)


async def colours_submit(request: web.Request) -> web.Response:
    return await submit(request, _change_colours, _colours, back="/colours")


OWN_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "", overview),
    ("GET", "/general", general_page),
    ("POST", "/general", general_submit),
    ("GET", "/notices", notices_page),
    ("POST", "/notices", notices_submit),
    ("GET", "/colours", colours_page),
    ("POST", "/colours", colours_submit),
]

ROUTES: list[tuple[str, str, Handler]] = [
    (method, PREFIX + path, handler)
    for method, path, handler in [
        *OWN_ROUTES,
        *settings_calendar.ROUTES,
        *settings_lists.ROUTES,
        *settings_staff.ROUTES,
        *settings_year.ROUTES,
        *settings_periods.ROUTES,
    ]
]


def setup_settings(app: web.Application) -> None:
    """Mount every settings route (all admin only: the guard of each page says 403 to others)."""
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
