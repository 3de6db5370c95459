"""The absences file of a reporting period for SIECLE's report cards, downloaded from the
follow-up page or the periods' settings by those who may see the school's statistics
(direction, CPE, admin); each download is recorded in the audit log."""

from __future__ import annotations

from aiohttp import web

from core.errors import NotFound
from core.rules.permissions import Permission
from core.services.schools.period_export import export_siecle_absences
from web.panel.account import now_of
from web.panel.guard import school_page
from web.panel.inputs import path_id

PATH = r"/s/{uai}/periods/{id:\d+}/siecle-absences.xml"


def setup_period_exports(app: web.Application) -> None:
    app.router.add_get(PATH, siecle_absences)


async def siecle_absences(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.STATISTICS)
    try:
        done = await export_siecle_absences(
            page.school, path_id(request), page.actor, now=now_of(request)
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    response = web.Response(body=done.xml, content_type="application/xml")
    response.charset = "iso-8859-1"
    response.headers["Content-Disposition"] = f'attachment; filename="{done.file_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
