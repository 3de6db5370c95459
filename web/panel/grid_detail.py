"""The details of one event for the grid's dialog: states, constat, history, notices (reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import Words
from core.models import AuditEntry, Event, School
from core.queries.calendar import load_calendar
from core.queries.deliveries import event_history, event_notices
from core.queries.lists import event_detail
from core.queries.scope import ALL, Scope
from core.queries.settings import reasons, typed_rows
from core.rules.visibility import ReasonShown, Visibility
from core.services.events.record import AUDITED
from core.services.notices.absence import late_entry_days, notice_kind
from web.panel.grid_data import day_label, event_json, local_input
from web.panel.labels import known_label, label

EDITABLE = ("reason", "justification", "accepted", "settled", "counts", "comment")
HIDDEN_CHANGES = frozenset({"version"})
DIALOG_RELATIONS = ("reason__generic", "justification", "student", "recorded_by")


def _when(moment: datetime | None, tz: ZoneInfo, lang: str) -> str:
    if moment is None:
        return "…"
    local = moment.astimezone(tz)
    return f"{day_label(local.date(), lang)} {local:%H:%M}"


@dataclass(frozen=True, slots=True)
class Said:
    """How the history says a change: in the reader's words, time zone and language, the
    school's reasons and justification types by their labels (the audit keeps their ids), a
    state by its word ("Justifiée", "Régularisée"), any other field as ``label : new value``
    with the value it replaced."""

    words: Words
    tz: ZoneInfo
    lang: str
    names: dict[str, dict[int, str]]

    def value(self, key: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return self.words.gettext("Oui") if value else self.words.gettext("Non")
        if key in self.names and isinstance(value, int):
            return self.names[key].get(value, "…")
        if key == "kind":
            return label(self.words, "grid.kind", value)
        if key in ("starts_at", "ends_at") and isinstance(value, str):
            return _when(datetime.fromisoformat(value), self.tz, self.lang)
        if key == "comment":
            return self.words.gettext("« {text} »").format(text=value)
        return str(value)

    def change(self, key: str, before: object, after: object) -> str:
        """One change as a line: ``Justifiée``, ``Motif : Maladie de l'élève``, ``Début :
        lun. 2 mars 08:00 (avant : lun. 2 mars 09:00)``."""
        w = self.words
        state = known_label(w, "grid.state", f"{key}.{after}") if isinstance(after, bool) else None
        if state is not None:
            return state
        name = label(w, "grid.field", key)
        now = w.gettext("{label} : {value}").format(label=name, value=self.value(key, after))
        if before is None or before == "" or isinstance(before, bool):
            return now
        return w.gettext("{change} (avant : {before})").format(
            change=now, before=self.value(key, before)
        )


async def _names(school: School) -> dict[str, dict[int, str]]:
    return {
        "reason_id": {reason.id: reason.label for reason in await reasons(school)},
        "justification_id": {
            row.id: row.label for row in await typed_rows(school, "justifications")
        },
    }


def _hidden(view: Visibility) -> frozenset[str]:
    """The changes of the history the reader may not see (a teacher: comments, the
    justification's type, and the local reason unless the school shows it)."""
    hidden = {
        "comment": not view.comments,
        "justification_id": not view.medical,
        "reason_id": view.reason == ReasonShown.GENERIC,
    }
    return HIDDEN_CHANGES | {key for key, hide in hidden.items() if hide}


def _in_order(item: tuple[str, object]) -> int:
    """A change's place in the dialog: the audited fields' order, whatever order the audit
    kept (PostgreSQL's JSON keeps none)."""
    key = item[0]
    return AUDITED.index(key) if key in AUDITED else len(AUDITED)


def _history_row(row: AuditEntry, said: Said, hidden: frozenset[str]) -> dict[str, Any]:
    before = row.before or {}
    after = row.after or {}
    changes = (
        []
        if row.action == "event.record"
        else [
            said.change(key, before.get(key), value)
            for key, value in sorted(after.items(), key=_in_order)
            if key not in hidden
        ]
    )
    return {
        "at": _when(row.at, said.tz, said.lang),
        "actor": row.actor_label,
        "action": label(said.words, "grid.audit", row.action),
        "changes": changes,
    }


async def _history(
    school: School, event: Event, said: Said, view: Visibility
) -> list[dict[str, Any]]:
    rows = await event_history(school, event.id)
    hidden = _hidden(view)
    return [_history_row(row, said, hidden) for row in rows]


async def _notices(event: Event, said: Said, view: Visibility) -> list[dict[str, Any]]:
    """The event's notices and their deliveries, said in the reader's words."""
    w = said.words
    return [
        {
            "kind": label(w, "file.notice", notice.kind),
            "status": label(w, "file.status", notice.status),
            "at": _when(notice.created_at, said.tz, said.lang),
            "deliveries": [
                w.gettext("{label} :").format(label=f"{label(w, 'file.channel', d.channel)} {d.to}")
                + " "
                + label(w, "file.status", d.status)
                for d in deliveries
            ],
        }
        for notice, deliveries in await event_notices(event.id, deliveries=view.deliveries)
    ]


async def _notice_note(school: School, event: Event, words: Words) -> str | None:
    """Why an event that calls for a notice has none: entered too long after its day."""
    if notice_kind(event, school) is None:
        return None
    days = late_entry_days(await load_calendar(school), event, school, event.recorded_at)
    if days is None:
        return None
    return words.ngettext(
        "Pas d'avis à la famille : saisie {n} jour après.",
        "Pas d'avis à la famille : saisie {n} jours après.",
        days,
    ).format(n=days)


def _recorder(event: Event, history: list[dict[str, Any]]) -> str:
    """Who recorded it: the staff user, or the label of the process that did (an import…)."""
    if event.recorded_by is not None:
        return event.recorded_by.known_as
    return str(history[0]["actor"]) if history else ""


async def event_details(
    school: School, event_id: int, lang: str, words: Words, scope: Scope = ALL
) -> dict[str, Any]:
    """Everything the dialog shows about an event of ``school`` that the reader's ``scope``
    shows (another school's, or one about a student out of the scope, is not found)."""
    event = await event_detail(school, event_id, scope, DIALOG_RELATIONS)
    view = scope.view
    tz = ZoneInfo(school.timezone)
    said = Said(words, tz, lang, await _names(school))
    history = await _history(school, event, said, view)
    reason, justification = event.reason, event.justification
    return {
        **event_json(event, school, words, view),
        "student_name": event.student.display_name,
        "kind_label": label(words, "grid.kind", event.kind),
        "start": _when(event.starts_at, tz, lang),
        "end": _when(event.ends_at, tz, lang) if event.ends_at else None,
        "start_local": local_input(event.starts_at, tz),
        "end_local": local_input(event.ends_at, tz),
        "reason": view.reason_of(reason.code, reason.generic.code) if reason else None,
        "justification": view.justification(justification.code) or None if justification else None,
        "accepted": event.accepted,
        "settled": event.settled,
        "counts": event.counts,
        "comment": view.comment(event.comment),
        "deleted": event.deleted,
        "source": label(words, "grid.source", event.source),
        "recorded_by": _recorder(event, history),
        "recorded_at": _when(event.recorded_at, tz, lang),
        "history": history,
        "notices": await _notices(event, said, view),
        "notice_note": await _notice_note(school, event, words),
    }
