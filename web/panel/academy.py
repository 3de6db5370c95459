"""The academy view of the monthly absenteeism indicator: ``/stats/academy``.

For a user with the statistics right in several schools, or an operator of the install (every
school): each school's indicator of a month (aggregates only, no student), the median, the top
decile and the schools at or above it. The same figures as ``GET /api/v1/stats/absenteeism``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.i18n import words
from core.rules.permissions import Permission
from core.services.schools.users import schools_with
from core.services.stats.absenteeism import academy_month, parse_month
from web.i18n import language
from web.panel import session
from web.panel.guard import current_user
from web.panel.problems import problem_page
from web.panel.refusals import worded
from web.panel.render import render

PATH = "/stats/academy"


def setup_academy(app: web.Application) -> None:
    app.router.add_get(PATH, academy_page)


async def academy_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    said = words(language(request))
    schools = await schools_with(user, Permission.STATISTICS)
    if not schools:
        return problem_page(
            request,
            403,
            said.gettext("Accès refusé"),
            said.gettext("Votre rôle ne donne accès aux statistiques d'aucun établissement."),
        )
    today = date.today()
    asked = request.query.get("month", "")[:20] or f"{today.year:04d}-{today.month:02d}"
    data = session.load(request)
    context: dict[str, Any] = {
        "user": user,
        "school": None,
        "role": None,
        "month": asked,
        "csrf": session.csrf_token(data),
    }
    status = 200
    try:
        found = await academy_month(schools, parse_month(asked))
        context.update(error=None, figures=found.as_json())
    except DomainError as error:
        context.update(error=worded(said, error), figures=None)
        status = 400
    response = render(request, "academy.html", context, status=status)
    session.store(request, response, data)
    return response
