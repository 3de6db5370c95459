"""The school's notice templates: list them, read one, replace one, go back to the default.

Writes go through :mod:`core.services.templates.editing` (checked in the sandbox with sample values,
a letter's HTML sanitised, audited); trying a template needs the app's
:class:`core.services.ports.TemplateTools`, else the writes answer 503.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.rules.permissions import Permission
from core.services.ports import TemplateTools
from core.services.templates.editing import (
    TemplateKey,
    TemplateView,
    TemplateWarning,
    list_templates,
    parse_key,
    read_template,
    reset_template,
    save_template,
)
from web.api.errors import ApiError
from web.api.registry import Call, Route
from web.keys import TEMPLATE_TOOLS

TEMPLATES = "/schools/{uai}/templates"
ONE = TEMPLATES + "/{kind}/{channel}/{language}"


class Unavailable(ApiError):
    """This process was started without the template tools (503)."""

    status = 503
    code = "unavailable"


class TemplateRowOut(BaseModel):
    """One template of the list."""

    kind: str
    channel: str
    language: str
    overridden: bool = Field(description="the school has its own")
    has_default: bool = Field(description="a default template ships")
    updated_at: datetime | None = Field(description="when the school's own was last saved")


class TemplateList(BaseModel):
    """Every notice kind × channel × language."""

    items: list[TemplateRowOut]
    total: int


class WarningOut(BaseModel):
    """Saved all the same: ``sms_segments`` (detail: how many) or ``sms_ucs2`` (detail: the
    characters outside GSM-7), measured on the template rendered with sample values."""

    code: str
    detail: str


class TemplateOut(BaseModel):
    """A template: the school's own, else the default."""

    kind: str
    channel: str
    language: str
    format: Literal["text", "html"] = Field(description="html for letters")
    subject: str = Field(description="emails only")
    body: str
    overridden: bool
    has_default: bool
    updated_at: datetime | None
    fields: list[str] = Field(description="the merge fields this notice offers")
    warnings: list[WarningOut] = Field(default_factory=list)


class TemplateIn(BaseModel):
    """A template to store: jinja2 merge fields (``{{ student.first_name }}``); a letter's
    body is HTML, sanitised before it is stored."""

    subject: str = Field(default="", max_length=200, description="emails only")
    body: str = Field(max_length=2_000_000)


def _key(call: Call) -> TemplateKey:
    info = call.request.match_info
    return parse_key(info["kind"], info["channel"], info["language"])


def _out(view: TemplateView, warnings: tuple[TemplateWarning, ...] = ()) -> TemplateOut:
    key = view.key
    return TemplateOut(
        kind=key.kind,
        channel=key.channel,
        language=key.language,
        format="html" if key.html else "text",
        subject=view.subject,
        body=view.body,
        overridden=view.overridden,
        has_default=view.has_default,
        updated_at=view.updated_at,
        fields=view.fields,
        warnings=[WarningOut(code=w.code, detail=w.detail) for w in warnings],
    )


def _tools(call: Call) -> TemplateTools:
    tools = call.request.config_dict.get(TEMPLATE_TOOLS)
    if tools is None:
        raise Unavailable("templates cannot be tried on this server")
    return tools


async def list_school_templates(call: Call) -> TemplateList:
    """Every template of the school, saying which it overrides."""
    rows = await list_templates(call.school)
    items = [
        TemplateRowOut(
            kind=r.key.kind,
            channel=r.key.channel,
            language=r.key.language,
            overridden=r.overridden,
            has_default=r.has_default,
            updated_at=r.updated_at,
        )
        for r in rows
    ]
    return TemplateList(items=items, total=len(items))


async def get_template(call: Call) -> TemplateOut:
    """One template: the school's own, else the default."""
    return _out(await read_template(call.school, _key(call)))


async def put_template(call: Call) -> TemplateOut:
    """Store the school's own template once it renders with sample values in the sandbox."""
    key = _key(call)
    given = call.body_as(TemplateIn)
    view, warnings = await save_template(
        call.school,
        call.actor,
        key,
        subject=given.subject,
        body=given.body,
        tools=_tools(call),
    )
    return _out(view, warnings)


async def delete_template(call: Call) -> TemplateOut:
    """Delete the school's own template: the default applies again (answered)."""
    key = _key(call)
    await reset_template(call.school, call.actor, key)
    return _out(await read_template(call.school, key))


ROUTES = [
    Route(
        "GET",
        TEMPLATES,
        list_school_templates,
        summary="List the school's notice templates",
        permission=Permission.READ_TEMPLATES,
        response=TemplateList,
        tag="templates",
    ),
    Route(
        "GET",
        ONE,
        get_template,
        summary="Read one notice template",
        permission=Permission.READ_TEMPLATES,
        response=TemplateOut,
        tag="templates",
        description="`kind` is a notice kind, `channel` one of chat, sms, call, email, letter, "
        "`language` a language code (fr, en, es, pt, it, de, ar, tr, ro, pl, ru, uk, zh, vi); "
        "the school's own template, else the default (none outside fr and en: French is sent).",
    ),
    Route(
        "PUT",
        ONE,
        put_template,
        summary="Replace one notice template with the school's own",
        permission=Permission.TEMPLATES,
        response=TemplateOut,
        body=TemplateIn,
        tag="templates",
        description="Refused (422) when it is not valid jinja2, names an unknown merge field "
        "or does what the sandbox forbids; a long or UCS-2 SMS is stored with `warnings`.",
    ),
    Route(
        "DELETE",
        ONE,
        delete_template,
        summary="Go back to the default template",
        permission=Permission.TEMPLATES,
        response=TemplateOut,
        tag="templates",
    ),
]
