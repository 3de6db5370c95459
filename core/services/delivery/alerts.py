"""Alerts for the staff of a school (a quota nearly used up, a provider refusing): raised once per
key by the system, marked seen ("vu") by a CPE or an admin.

An alert's ``key`` is unique for ever, resolved or not: a key names one occurrence (e.g.
``quota:12:sms:2026-11:80``, the 80 % mark of November's SMS quota), so a resolved alert is not
raised again for the same occurrence, and the next month's has another key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import School, StaffAlert
from core.services.audit import Actor, record, snapshot

Level = Literal["info", "warning", "error"]
LEVELS: tuple[str, ...] = ("info", "warning", "error")
RESOLVERS = frozenset({"admin", "cpe"})  # the roles that may mark an alert as seen
SYSTEM = Actor.system("alerts")
AUDITED = ("kind", "key", "level", "message", "resolved_at")


def may_resolve(role: str) -> bool:
    """Whether staff of ``role`` may mark their school's alerts as seen."""
    return role in RESOLVERS


async def raise_alert(
    school_id: int,
    *,
    kind: str,
    key: str,
    level: Level = "warning",
    message: str,
    data: dict[str, object] | None = None,
    actor: Actor = SYSTEM,
) -> bool:
    """Open an alert for the school's staff unless one with ``key`` exists; True when created.

    Idempotent and safe when two processes raise the same key at once: the unique ``key`` lets
    one insert win, the other gets False. It may be called inside the caller's transaction:
    the insert runs in a savepoint, so a duplicate does not spoil the caller's work (on
    PostgreSQL a failed statement would otherwise abort the whole transaction).
    """
    if level not in LEVELS:
        raise Invalid(
            f"unknown alert level {level!r}: choose one of {', '.join(LEVELS)}", code="alert_level"
        )
    if not key or len(key) > 120 or not kind or len(kind) > 30:
        raise Invalid(
            "an alert needs a kind (30 characters at most) and a key (120 at most)",
            code="alert_key",
        )
    if await StaffAlert.exists(key=key):
        return False
    try:
        async with in_transaction():
            alert = await StaffAlert.create(
                school_id=school_id,
                kind=kind,
                key=key,
                level=level,
                message=message,
                data=data or {},
            )
            after = snapshot(alert, AUDITED)
            await record(actor, "staff_alert.raise", alert, school_id=school_id, after=after)
    except IntegrityError:  # raised at the same moment by another request or worker
        return False
    return True


async def resolve_alert(school: School, actor: Actor, alert_id: int, *, now: datetime) -> bool:
    """Mark the school's alert as seen; False when it already was (a second click).

    An alert of another school is :class:`NotFound`. The caller checks :func:`may_resolve`.
    """
    async with in_transaction():
        found = StaffAlert.filter(id=alert_id, school_id=school.id)
        alert = await found.select_for_update().first()
        if alert is None:
            raise NotFound("no such alert")
        if alert.resolved_at is not None:
            return False
        before = snapshot(alert, AUDITED)
        alert.resolved_at = now.astimezone(UTC)
        await alert.save(update_fields=["resolved_at"])
        await record(
            actor,
            "staff_alert.resolve",
            alert,
            school_id=school.id,
            before=before,
            after=snapshot(alert, AUDITED),
        )
    return True
