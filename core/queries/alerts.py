"""The open alerts of a school, for the dashboard and the delivery board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.models import School, StaffAlert
from core.queries.common import zone

LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class AlertView:
    """One open alert, its time in the school's zone."""

    id: int
    kind: str
    level: str
    message: str
    created_at: datetime
    data: dict[str, object] = field(default_factory=dict)


async def open_alerts(school: School, *, limit: int = 20) -> list[AlertView]:
    """The school's alerts nobody marked as seen: the most serious first, then the newest."""
    rows = (
        await StaffAlert.filter(school_id=school.id, resolved_at__isnull=True)
        .order_by("-created_at", "-id")
        .limit(limit)
    )
    tz = zone(school)
    views = [
        AlertView(
            id=alert.id,
            kind=alert.kind,
            level=alert.level,
            message=alert.message,
            created_at=alert.created_at.astimezone(tz),
            data=dict(alert.data or {}),
        )
        for alert in rows
    ]
    return sorted(views, key=lambda view: LEVEL_ORDER.get(view.level, 3))
