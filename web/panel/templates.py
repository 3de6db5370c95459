"""The template pages: every notice template of the school, and an editor for each.

* ``GET /s/{uai}/templates`` — the list (kind × channel × language, own or default, or French
  where neither: the coverage of each of the school's languages; ``?language=es`` adds a
  column for a language the school writes its first template in) and the letters' logo;
  ``GET /s/{uai}/templates/{kind}/{channel}/{language}`` — the editor: a text with a live SMS
  counter, or a letter in a WYSIWYG editor; the merge fields to insert.
  Admins, CPEs and the direction (read only) see them; not the vie scolaire nor teachers.
* ``POST …/{language}`` saves, ``POST …/reset`` goes back to the default (admins and CPEs);
  ``POST …/preview`` (JSON, ``X-CSRF-Token``) renders a draft with sample values in the
  sandbox; ``POST …/preview.pdf`` lays a draft letter out as a PDF.
* ``GET``/``POST /s/{uai}/templates/logo`` and ``POST …/logo/remove``: the letters' logo.

Trying a template needs the app's :class:`core.services.ports.TemplateTools` (the composition
root gives them); without them the pages only read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import Conflict, Invalid, NotFound
from core.i18n import N_
from core.queries.languages import school_languages
from core.rules.languages import NOTICE_LANGUAGES, is_notice_language, language_name
from core.rules.merge_fields import snippet
from core.rules.permissions import Permission
from core.services.ports import SendFailed, TemplateTools
from core.services.schools.logo import remove_logo, school_logo, set_logo
from core.services.templates.editing import (
    SourceRefused,
    TemplateKey,
    TemplateView,
    TemplateWarning,
    clean_body,
    kinds_and_channels,
    letter_preview,
    list_templates,
    parse_key,
    read_template,
    reset_template,
    save_template,
    trial_template,
)
from core.services.templates.letters import logo_bytes, logo_src
from core.services.templates.values import sample_context
from web.keys import TEMPLATE_TOOLS
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.labels import known_label, label
from web.panel.refusals import worded

BASE = "/s/{uai}/templates"
ONE = BASE + "/{kind:[a-z_]+}/{channel:[a-z]+}/{language:[a-z]{2}}"
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def setup_templates(app: web.Application) -> None:
    """Mount the template pages and register their words."""
    app.router.add_get(BASE, list_page)
    app.router.add_get(BASE + "/logo", logo_image)
    app.router.add_post(BASE + "/logo", logo_upload)
    app.router.add_post(BASE + "/logo/remove", logo_delete)
    app.router.add_get(ONE, editor)
    app.router.add_post(ONE, save)
    app.router.add_post(ONE + "/reset", reset)
    app.router.add_post(ONE + "/preview", preview)
    app.router.add_post(ONE + "/preview.pdf", preview_pdf)


def _here(page: Page) -> str:
    return f"/s/{page.school.uai}/templates"


def _key(request: web.Request) -> TemplateKey:
    info = request.match_info
    try:
        return parse_key(info["kind"], info["channel"], info["language"])
    except NotFound:
        raise web.HTTPNotFound(text="no such template") from None


def _tools(request: web.Request) -> TemplateTools | None:
    return request.config_dict.get(TEMPLATE_TOOLS)


def _redirect(
    page: Page, target: str, flash: str, warnings: list[str] | None = None
) -> web.Response:
    page.session["flash"] = flash
    if warnings:
        page.session["tpl_warnings"] = warnings
    response = web.Response(status=303, headers={"Location": target})
    session.store(page.request, response, page.session)
    return response


def _render(page: Page, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    response = page.render(template, context, status=status)
    response.headers["Content-Security-Policy"] = CSP  # the editor shows data: images
    return response


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageColumn:
    """A language of the list: its code, its name, how many kinds × channels have a text in
    it (the school's own or a default); the others go out in French."""

    code: str
    name: str
    covered: int
    total: int


def _language_name(page: Page, code: str) -> str:
    """French and English in the reader's words, the others in their own."""
    return known_label(page.words, "tpl.lang", code) or language_name(code)


def _added(page: Page, languages: list[str]) -> str | None:
    """``?language=es``: a language of the list the school has no template in yet, shown so
    that staff write its first one."""
    code = page.request.query.get("language", "")
    return code if is_notice_language(code) and code not in languages else None


async def list_page(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.READ_TEMPLATES)
    own = await school_languages(page.school.id)
    added = _added(page, own)
    listed = await list_templates(page.school, also=[added] if added else [])
    languages = list(dict.fromkeys(r.key.language for r in listed))
    rows = {(r.key.kind, r.key.channel, r.key.language): r for r in listed}
    table = [
        (kind, channel, [rows[(kind, channel, lang)] for lang in languages])
        for kind, channel in kinds_and_channels()
    ]
    columns = [
        LanguageColumn(
            code,
            _language_name(page, code),
            sum(1 for r in listed if r.key.language == code and (r.overridden or r.has_default)),
            len(table),
        )
        for code in languages
    ]
    context: dict[str, Any] = {
        "here": _here(page),
        "table": table,
        "languages": columns,
        "addable": [
            (code, _language_name(page, code)) for code in NOTICE_LANGUAGES if code not in languages
        ],
        "added": added,
        "can_edit": page.can(Permission.TEMPLATES),
        "logo": school_logo(page.school) is not None,
        "flash": page.session.pop("flash", None),
    }
    return _render(page, "templates_list.html", context)


# --- the editor --------------------------------------------------------------------------------


def _samples(page: Page, key: TemplateKey) -> dict[str, str]:
    """The sample values of the plain merge fields, for the live SMS counter."""
    values = sample_context(page.school, key.kind, key.language)
    flat: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{k}": str(v) for k, v in value.items()})
        elif isinstance(value, str | int):
            flat[name] = str(value)
    return flat


def _label(page: Page, field: str) -> str:
    return label(page.words, "tpl.field", field)  # as it is: a value a newer template names


def _editor_context(page: Page, view: TemplateView) -> dict[str, Any]:
    key = view.key
    here = _here(page)
    updated = (
        view.updated_at.astimezone(ZoneInfo(page.school.timezone)) if view.updated_at else None
    )
    fields = [(name, _label(page, name), snippet(name)) for name in view.fields]
    return {
        "here": here,
        "action": f"{here}/{key.kind}/{key.channel}/{key.language}",
        "key": key,
        "language_name": _language_name(page, key.language),
        "view": view,
        "updated": updated.strftime("%d/%m/%Y %H:%M") if updated else "",
        "fields": fields,
        "samples": json.dumps(_samples(page, key), ensure_ascii=False),
        "can_edit": page.can(Permission.TEMPLATES),
        "available": _tools(page.request) is not None,
        "logo_url": logo_src(page.school.uai) if school_logo(page.school) else "",
        "flash": page.session.pop("flash", None),
        "warnings": page.session.pop("tpl_warnings", []),
        "error": None,
    }


async def editor(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.READ_TEMPLATES)
    view = await read_template(page.school, _key(request))
    return _render(page, "template_edit.html", _editor_context(page, view))


def _error_text(page: Page, error: Invalid | Conflict) -> str:
    """Why the template was refused, in words: where (subject or body, and its line) and what,
    never the checker's or the sandbox's own text."""
    what = worded(page.words, error, "tpl.error")
    if isinstance(error, SourceRefused):
        where = label(page.words, "tpl.where", error.where)
        place = (
            page.gettext("{where}, ligne {line} :").format(where=where, line=error.line)
            if error.line
            else page.gettext("{label} :").format(label=where)
        )
        return f"{place} {what}"
    return what


def _warning_texts(page: Page, warnings: tuple[TemplateWarning, ...]) -> list[str]:
    return [label(page.words, "tpl.warn", w.code).format(detail=w.detail) for w in warnings]


async def _refused(
    page: Page, key: TemplateKey, form: dict[str, Any], error: str, status: int
) -> web.Response:
    view = await read_template(page.school, key)
    context = _editor_context(page, view)
    body = str(form.get("body", ""))
    draft = TemplateView(
        key,
        str(form.get("subject", "")),
        clean_body(page.school, key, body) if key.html else body,  # shown back in the editor
        view.overridden,
        view.has_default,
        view.fields,
        view.updated_at,
    )
    context.update(view=draft, error=error)
    return _render(page, "template_edit.html", context, status=status)


def _required_tools(request: web.Request) -> TemplateTools:
    tools = _tools(request)
    if tools is None:
        raise web.HTTPServiceUnavailable(text="the template tools are not configured")
    return tools


async def save(request: web.Request) -> web.StreamResponse:
    page = await school_page(request, Permission.TEMPLATES)
    key = _key(request)
    form = await require_csrf(page)
    tools = _required_tools(request)
    subject, body = str(form.get("subject", "")), str(form.get("body", ""))
    try:
        _, warnings = await save_template(
            page.school, page.actor, key, subject=subject, body=body, tools=tools
        )
    except Invalid as error:
        return await _refused(page, key, form, _error_text(page, error), 422)
    except Conflict as error:
        return await _refused(page, key, form, _error_text(page, error), 409)
    target = f"{_here(page)}/{key.kind}/{key.channel}/{key.language}"
    return _redirect(
        page, target, page.gettext("Modèle enregistré."), _warning_texts(page, warnings)
    )


async def reset(request: web.Request) -> web.StreamResponse:
    page = await school_page(request, Permission.TEMPLATES)
    key = _key(request)
    await require_csrf(page)
    done = await reset_template(page.school, page.actor, key)
    target = f"{_here(page)}/{key.kind}/{key.channel}/{key.language}"
    return _redirect(
        page,
        target,
        page.gettext(
            N_("Le modèle par défaut s'applique de nouveau.")
            if done
            else N_("Ce modèle était déjà celui par défaut.")
        ),
    )


async def preview(request: web.Request) -> web.Response:
    """``{subject, body, html, sms, warnings}`` of a draft, or ``{error}`` (422)."""
    page = await school_page(request, Permission.READ_TEMPLATES)
    key = _key(request)
    form = await require_csrf(page)
    tools = _required_tools(request)
    body = clean_body(page.school, key, str(form.get("body", "")))
    try:
        tried = await trial_template(
            page.school, key, str(form.get("subject", "")).strip(), body, tools
        )
    except Invalid as error:
        return web.json_response({"error": _error_text(page, error)}, status=422)
    sms = None
    if tried.sms is not None:
        info = tried.sms
        sms = {"encoding": info.encoding, "length": info.length, "segments": info.segments}
    result = {
        "subject": tried.subject,
        "body": tried.body,
        "html": key.html,
        "sms": sms,
        "warnings": _warning_texts(page, tried.warnings),
    }
    return web.json_response(result)


async def preview_pdf(request: web.Request) -> web.StreamResponse:
    """A draft letter laid out as the letter channel would, with sample values."""
    page = await school_page(request, Permission.READ_TEMPLATES)
    key = _key(request)
    if not key.html:
        raise web.HTTPNotFound(text="only a letter has a PDF")
    form = await require_csrf(page)
    tools = _required_tools(request)
    body = clean_body(page.school, key, str(form.get("body", "")))
    try:
        tried = await trial_template(page.school, key, "", body, tools)
        pdf = await tools.letters.pdf(letter_preview(page.school, key, tried))
    except Invalid as error:
        return await _refused(page, key, form, _error_text(page, error), 422)
    except SendFailed:
        return await _refused(
            page,
            key,
            form,
            page.gettext("Le courrier n'a pas pu être mis en page."),
            422,
        )
    name = f"{key.kind}-{key.language}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"}
    return web.Response(body=pdf, content_type="application/pdf", headers=headers)


# --- the logo ----------------------------------------------------------------------------------


async def logo_image(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.READ_TEMPLATES)
    logo = school_logo(page.school)
    found = logo_bytes(logo) if logo else None
    if found is None:
        raise web.HTTPNotFound(text="no logo")
    mime, content = found
    headers = {"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=content, content_type=mime, headers=headers)


async def logo_upload(request: web.Request) -> web.StreamResponse:
    page = await school_page(request, Permission.TEMPLATES)
    form = await require_csrf(page)
    upload = form.get("logo")
    content = upload.file.read() if isinstance(upload, web.FileField) else b""
    try:
        await set_logo(page.school, page.actor, content)
    except Invalid as error:
        return _redirect(page, _here(page), _error_text(page, error))
    return _redirect(page, _here(page), page.gettext("Logo enregistré."))


async def logo_delete(request: web.Request) -> web.StreamResponse:
    page = await school_page(request, Permission.TEMPLATES)
    await require_csrf(page)
    await remove_logo(page.school, page.actor)
    return _redirect(page, _here(page), page.gettext("Logo retiré."))
