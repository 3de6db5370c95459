"""Rendering panel pages with jinja2 (autoescaped), in the user's language."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from core.i18n import N_, words
from core.rules.charts import percent
from core.rules.permissions import Permission, allows
from web.i18n import language
from web.panel.labels import label

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "web"
STATIC = TEMPLATES / "static"
ENVIRONMENT = web.AppKey("jinja_environment", jinja2.Environment)


def may(role: str | None, permission: str) -> bool:
    """Whether ``role`` may open what ``permission`` guards (the menu shows only that)."""
    return role is not None and allows(role, Permission(permission))


def make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["may"] = may
    environment.globals["percent"] = percent  # « 12,3 % » in French, "12.3%" in English
    return environment


def render_text(
    request: web.Request, template: str, context: dict[str, Any], lang: str | None = None
) -> str:
    """The template's text in ``lang`` (default: the user's language)."""
    lang = lang or language(request)
    page = request.app[ENVIRONMENT].get_template(template)
    said = words(lang)
    return page.render(
        **said.template_globals(),
        N_=N_,
        label=partial(label, said),
        words=said,
        lang=lang,
        **context,
    )


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    lang = language(request)
    body = render_text(request, template, context, lang)
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.query.get("lang") in ("fr", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", path="/")
    return response
