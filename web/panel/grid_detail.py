"""The details of one event for the grid's dialog: states, constat, history, notices (reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.models import AuditEntry, Delivery, Event, Notice, School
from core.queries.scope import ALL, Scope
from core.rules.visibility import ReasonShown, Visibility
from core.services.events.record import school_event
from web.panel.grid_data import day_label, event_json

EDITABLE = ("reason", "justification", "accepted", "settled", "counts", "comment")
HIDDEN_CHANGES = frozenset({"version"})


def _when(moment: datetime | None, tz: ZoneInfo, lang: str) -> str:
    if moment is None:
        return "…"
    local = moment.astimezone(tz)
    return f"{day_label(local.date(), lang)} {local:%H:%M}"


def _change_line(key: str, before: object, after: object) -> str:
    return f"{key}: {'—' if before is None else before} → {'—' if after is None else after}"


def _hidden(view: Visibility) -> frozenset[str]:
    """The changes of the history the reader may not see (a teacher: comments, the
    justification's type, and the local reason unless the school shows it)."""
    hidden = {
        "comment": not view.comments,
        "justification": not view.medical,
        "reason": view.reason == ReasonShown.GENERIC,
    }
    return HIDDEN_CHANGES | {key for key, hide in hidden.items() if hide}


def _history_row(
    row: AuditEntry, tz: ZoneInfo, lang: str, words: dict[str, str], hidden: frozenset[str]
) -> dict[str, Any]:
    before = row.before or {}
    after = row.after or {}
    changes = (
        []
        if row.action == "event.record"
        else [
            _change_line(key, before.get(key), value)
            for key, value in after.items()
            if key not in hidden
        ]
    )
    return {
        "at": _when(row.at, tz, lang),
        "actor": row.actor_label,
        "action": words.get(f"grid.audit.{row.action}", row.action),
        "changes": changes,
    }


async def _history(
    school: School, event: Event, tz: ZoneInfo, lang: str, words: dict[str, str], view: Visibility
) -> list[dict[str, Any]]:
    rows = await AuditEntry.filter(
        school_id=school.id, entity="event", entity_id=str(event.id)
    ).order_by("at", "id")
    hidden = _hidden(view)
    return [_history_row(row, tz, lang, words, hidden) for row in rows]


async def _notices(event: Event, tz: ZoneInfo, lang: str, view: Visibility) -> list[dict[str, Any]]:
    notices = await Notice.filter(event_id=event.id).order_by("created_at", "id")
    shown = [n.id for n in notices] if view.deliveries else []
    deliveries = await Delivery.filter(notice_id__in=shown).order_by("id")
    return [
        {
            "kind": str(notice.kind),
            "status": str(notice.status),
            "at": _when(notice.created_at, tz, lang),
            "deliveries": [
                {"channel": str(d.channel), "to": d.to, "status": str(d.status)}
                for d in deliveries
                if d.notice_id == notice.id
            ],
        }
        for notice in notices
    ]


def _recorder(event: Event, history: list[dict[str, Any]]) -> str:
    """Who recorded it: the staff user, or the label of the process that did (an import…)."""
    if event.recorded_by is not None:
        return str(event.recorded_by.display_name or event.recorded_by.email)
    return str(history[0]["actor"]) if history else ""


async def event_details(
    school: School, event_id: int, lang: str, words: dict[str, str], scope: Scope = ALL
) -> dict[str, Any]:
    """Everything the dialog shows about an event of ``school`` that the reader's ``scope``
    shows (another school's, or one about a student out of the scope, is not found)."""
    event = await school_event(school, event_id)
    scope.check(event.student_id, "event")
    view = scope.view
    await event.fetch_related("reason__generic", "justification", "student", "recorded_by")
    tz = ZoneInfo(school.timezone)
    history = await _history(school, event, tz, lang, words, view)
    reason, justification = event.reason, event.justification
    return {
        **event_json(event, school, words, view),
        "student_name": event.student.display_name,
        "kind_label": words.get(f"grid.kind.{event.kind}", str(event.kind)),
        "start": _when(event.starts_at, tz, lang),
        "end": _when(event.ends_at, tz, lang) if event.ends_at else None,
        "reason": view.reason_of(reason.code, reason.generic.code) if reason else None,
        "justification": view.justification(justification.code) or None if justification else None,
        "accepted": event.accepted,
        "settled": event.settled,
        "counts": event.counts,
        "comment": view.comment(event.comment),
        "deleted": event.deleted,
        "source": words.get(f"grid.source.{event.source}", str(event.source)),
        "recorded_by": _recorder(event, history),
        "recorded_at": _when(event.recorded_at, tz, lang),
        "history": history,
        "notices": await _notices(event, tz, lang, view),
    }
