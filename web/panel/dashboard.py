"""Today's dashboard on the home page: the tiles and where each one leads."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from core.models import School
from core.queries import dashboard, reader_scope
from core.queries.alerts import open_alerts
from core.queries.calendar import load_calendar
from core.queries.legal import crossed_this_month
from core.queries.thresholds import undecided_crossings
from core.rules.permissions import Permission, allows
from core.services.delivery.alerts import may_resolve
from core.services.notices.labels import month_year
from web.i18n import language
from web.panel.account import now_of


def _has_route(app: web.Application, path: str) -> bool:
    return any(resource.canonical == path for resource in app.router.resources())


def _follow_up(uai: str, **query: str | list[str]) -> str:
    pairs = [(k, v) for k, vs in query.items() for v in ([vs] if isinstance(vs, str) else vs)]
    return f"/s/{uai}/follow-up?{urlencode(pairs)}"


def links(
    app: web.Application, school: School, day: date, *, deliveries: bool = True
) -> dict[str, str | None]:
    """Where the tiles lead: follow-up searches, and the other pages when they exist and the
    reader may open them (the delivery board: only with ``deliveries``)."""
    uai, today = school.uai, day.isoformat()

    def page(path: str) -> str | None:
        return path.format(uai=uai) if _has_route(app, path) else None

    return {
        "absent_now": _follow_up(uai, **{"from": today, "to": today, "kind": "absence"}),
        "absent": _follow_up(uai, **{"from": today, "to": today, "kind": "absence"}),
        "late": _follow_up(uai, **{"from": today, "to": today, "kind": "lateness"}),
        "to_settle": _follow_up(uai, kind="absence", state="to_settle"),
        "missing": page("/s/{uai}/roll-call"),
        "replies": page("/s/{uai}/replies"),
        "failed": page("/s/{uai}/deliveries") if deliveries else None,
    }


async def board_context(
    request: web.Request, school: School, user_id: int, role: str
) -> dict[str, Any]:
    """The dashboard of ``school`` as of now (a teacher's students only), its tiles' links, and
    for the vie scolaire the alerts and the absences awaiting a decision that would make a
    student cross a monthly threshold; for the legal follow-up, how many students reach the
    monthly threshold this month."""
    scope = await reader_scope(school, user_id, role)
    now = now_of(request)
    board = await dashboard(school, now, scope=scope)
    staff = role != "teacher"
    alerts = await open_alerts(school) if staff else []
    calendar = await load_calendar(school)
    undecided = await undecided_crossings(school, calendar, now) if staff else []
    legal = allows(role, Permission.LEGAL_FOLLOW_UP)
    return {
        "board": board,
        "links": links(request.app, school, board.day, deliveries=scope.view.deliveries),
        "alerts": alerts,
        "can_resolve": may_resolve(role),
        "undecided": undecided,
        # the legal follow-up's line: how many students reach the monthly threshold this month
        "legal": await crossed_this_month(school, calendar, now) if legal else None,
        "months": {
            row.month: month_year(date.fromisoformat(f"{row.month}-01"), language(request))
            for row in undecided
        },
    }
