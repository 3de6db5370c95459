"""Settings: local reasons (each tied to a national generic reason, with colour and flags),
justification types and action types. Rows are deactivated, never deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.models import ActionType, GenericReason, JustificationType, Reason
from core.services.schools import lists as school_lists
from core.services.schools.lists import ReasonData
from web.panel.guard import Page
from web.panel.settings_kit import (
    Again,
    FormError,
    Shown,
    checked,
    row_id,
    settings_page,
    show,
    submit,
    text,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LEGITIMATE = {"yes": True, "no": False, "judged": None}


def legitimate_choice(value: bool | None) -> str:
    return next(key for key, flag in LEGITIMATE.items() if flag is value)


# Reasons.


async def _reasons(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    rows = await Reason.filter(school=page.school).prefetch_related("generic").order_by("label")
    context = {
        "section": "reasons",
        "rows": rows,
        "generics": await GenericReason.all().order_by("id"),
        "form": form,
        "legitimate_choice": legitimate_choice,
    }
    return show(page, "settings_reasons.html", context, error=error, status=status)


async def reasons_page(request: web.Request) -> web.Response:
    return await _reasons(await settings_page(request), None, {}, 200)


async def _reason(
    page: Page, error: Shown | None, form: dict[str, Any], status: int
) -> web.Response:
    reason = await Reason.get_or_none(id=row_id(page), school=page.school).prefetch_related(
        "generic"
    )
    if reason is None:
        raise web.HTTPNotFound()
    current = {
        "code": reason.code,
        "label": reason.label,
        "generic": reason.generic.code,
        "colour": reason.colour,
        "legitimate": legitimate_choice(reason.legitimate_by_default),
        **{flag: "on" if getattr(reason, flag) else "" for flag in _FLAGS},
    }
    context = {
        "section": "reasons",
        "reason": reason,
        "generics": await GenericReason.all().order_by("id"),
        "form": form or current,
    }
    return show(page, "settings_reason.html", context, error=error, status=status)


async def reason_page(request: web.Request) -> web.Response:
    return await _reason(await settings_page(request), None, {}, 200)


_FLAGS = ("counts", "parents_may_choose", "for_absence", "for_lateness")


def reason_data(form: dict[str, Any]) -> ReasonData:
    choice = text(form, "legitimate")
    if choice not in LEGITIMATE:
        raise FormError("settings.error.legitimate")
    return ReasonData(
        code=text(form, "code"),
        label=text(form, "label"),
        generic=text(form, "generic"),
        colour=text(form, "colour") or "#d9534f",
        legitimate_by_default=LEGITIMATE[choice],
        **{flag: checked(form, flag) for flag in _FLAGS},
    )


async def _add_reason(page: Page, form: dict[str, Any]) -> None:
    await school_lists.create_reason(page.school, reason_data(form), page.actor)


async def _edit_reason(page: Page, form: dict[str, Any]) -> None:
    await school_lists.update_reason(page.school, row_id(page), reason_data(form), page.actor)


async def _toggle_reason(page: Page, form: dict[str, Any]) -> None:
    active = checked(form, "active")
    await school_lists.set_active(Reason, page.school, row_id(page), active, page.actor)


def _row_form(request: web.Request) -> str:
    return "row-" + request.match_info.get("id", "")


async def add_reason(request: web.Request) -> web.Response:
    return await submit(
        request, _add_reason, _reasons, back="/reasons", flash="settings.flash.added"
    )


async def edit_reason(request: web.Request) -> web.Response:
    return await submit(request, _edit_reason, _reason, back="/reasons")


async def toggle_reason(request: web.Request) -> web.Response:
    return await submit(request, _toggle_reason, _reasons, form_id=_row_form, back="/reasons")


# Justification types and action types: one page shape for both.


def _types_page(kind: str) -> Again:
    model = JustificationType if kind == "justifications" else ActionType

    async def again(
        page: Page, error: Shown | None, form: dict[str, Any], status: int
    ) -> web.Response:
        rows = await model.filter(school=page.school).order_by("label")
        context = {"section": kind, "kind": kind, "rows": rows, "form": form}
        return show(page, "settings_types.html", context, error=error, status=status)

    return again


_justifications = _types_page("justifications")
_actions = _types_page("actions")


async def justifications_page(request: web.Request) -> web.Response:
    return await _justifications(await settings_page(request), None, {}, 200)


async def actions_page(request: web.Request) -> web.Response:
    return await _actions(await settings_page(request), None, {}, 200)


async def _add_justification(page: Page, form: dict[str, Any]) -> None:
    await school_lists.create_justification_type(
        page.school,
        text(form, "code"),
        text(form, "label"),
        page.actor,
        provisional=checked(form, "provisional"),
    )


async def _edit_justification(page: Page, form: dict[str, Any]) -> None:
    await school_lists.update_justification_type(
        page.school,
        row_id(page),
        text(form, "label"),
        page.actor,
        provisional=checked(form, "provisional"),
        active=checked(form, "active"),
    )


async def _add_action(page: Page, form: dict[str, Any]) -> None:
    await school_lists.create_action_type(
        page.school, text(form, "code"), text(form, "label"), page.actor
    )


async def _edit_action(page: Page, form: dict[str, Any]) -> None:
    await school_lists.update_action_type(
        page.school, row_id(page), text(form, "label"), page.actor, active=checked(form, "active")
    )


async def add_justification(request: web.Request) -> web.Response:
    return await submit(
        request,
        _add_justification,
        _justifications,
        back="/justifications",
        flash="settings.flash.added",
    )


async def edit_justification(request: web.Request) -> web.Response:
    return await submit(
        request, _edit_justification, _justifications, form_id=_row_form, back="/justifications"
    )


async def add_action(request: web.Request) -> web.Response:
    return await submit(
        request, _add_action, _actions, back="/actions", flash="settings.flash.added"
    )


async def edit_action(request: web.Request) -> web.Response:
    return await submit(request, _edit_action, _actions, form_id=_row_form, back="/actions")


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/reasons", reasons_page),
    ("POST", "/reasons", add_reason),
    ("GET", "/reasons/{id}", reason_page),
    ("POST", "/reasons/{id}", edit_reason),
    ("POST", "/reasons/{id}/active", toggle_reason),
    ("GET", "/justifications", justifications_page),
    ("POST", "/justifications", add_justification),
    ("POST", "/justifications/{id}", edit_justification),
    ("GET", "/actions", actions_page),
    ("POST", "/actions", add_action),
    ("POST", "/actions/{id}", edit_action),
]
