"""What the entry grid shows: whose rows, which half-period columns, which events (reads only).

Columns are the school's timetable slots of each day shown, each split in two half-periods.
Their instants come from the school's calendar (``to_utc``), so daylight-saving days are right;
the page gets them as epoch milliseconds and as ISO strings in the school's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from core.i18n import N_, Words, words
from core.models import Event, School, TimetableSlot
from core.models.school import minutes_to_time
from core.queries.calendar import load_calendar, timetable_slots
from core.queries.choices import groupings
from core.queries.grid import TargetKind, events_touching, target_students
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar
from core.rules.contrast import ink_for
from core.rules.visibility import EVERYTHING, ReasonShown, Visibility
from web.panel.inputs import NotHere
from web.panel.labels import label

NOT_HERE = {  # a grid target asked by a query string that this school does not have
    "division": N_("La classe « {code} » n'existe pas dans cet établissement."),
    "group": N_("Le groupe « {code} » n'existe pas dans cet établissement."),
    "set": N_("L'ensemble de classes « {code} » n'existe pas dans cet établissement."),
}

View = Literal["day", "week"]


def day_label(day: date, lang: str) -> str:
    """``lundi 2 mars`` / ``Monday 2 March`` (the day and month names are Babel's)."""
    return words(lang).format_date(day, "EEEE d MMMM")


@dataclass(frozen=True)
class NoSchool:
    """A day without lessons (Sunday, a holiday, a closure) and the next school day."""

    said: str  # "dimanche 6 décembre : pas de cours"
    next_day: date | None
    next_said: str  # "Prochain jour de classe : lundi 7 décembre"


def no_school(calendar: SchoolCalendar, day: date, said: Words) -> NoSchool | None:
    """None on a school day; else what to say about ``day``, and the next school day."""
    if calendar.is_school_day(day):
        return None
    following = calendar.next_school_day(day)
    return NoSchool(
        said.gettext("{day} : pas de cours").format(day=day_label(day, said.language)),
        following,
        said.gettext("Prochain jour de classe : {day}").format(
            day=day_label(following, said.language)
        )
        if following
        else "",
    )


@dataclass(frozen=True)
class Target:
    """Whose students the grid shows: a division, a teaching group or a group of divisions."""

    kind: TargetKind
    key: str  # the division's or group's code, the set's id
    label: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class Column:
    """One half-period: a cell of every row."""

    day: date
    day_label: str  # "lundi 2 mars"
    start: datetime  # aware, UTC
    end: datetime
    wall: str  # "08:00–08:30", local
    closed: bool

    def as_json(self, calendar: SchoolCalendar) -> dict[str, Any]:
        return {
            "s": self.start.astimezone(calendar.tz).isoformat(),
            "e": self.end.astimezone(calendar.tz).isoformat(),
            "sm": millis(self.start),
            "em": millis(self.end),
            "closed": self.closed,
        }


@dataclass(frozen=True)
class SlotHeader:
    label: str
    wall: str


@dataclass
class DayHeader:
    day: date
    label: str
    slots: list[SlotHeader] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    division: str


def today_in(school: School, now: datetime) -> date:
    """The school's calendar day at ``now``."""
    return now.astimezone(ZoneInfo(school.timezone)).date()


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def shown_days(day: date, view: View) -> list[date]:
    """The day itself, or Monday to Friday of its week."""
    if view == "day":
        return [day]
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(5)]


def _halves(
    calendar: SchoolCalendar, day: date, label: str, slot: TimetableSlot
) -> tuple[Column, Column]:
    middle = slot.start_minute + (slot.end_minute - slot.start_minute) // 2
    bounds = ((slot.start_minute, middle), (middle, slot.end_minute))
    columns = []
    for first, last in bounds:
        wall = minutes_to_time(first)
        half = Half.MORNING if wall < calendar.midday else Half.AFTERNOON
        columns.append(
            Column(
                day=day,
                day_label=label,
                start=calendar.to_utc(day, wall),
                end=calendar.to_utc(day, minutes_to_time(last)),
                wall=f"{_hhmm(first)}–{_hhmm(last)}",
                closed=calendar.is_closed(HalfDayKey(day, half)),
            )
        )
    return columns[0], columns[1]


async def columns_for(
    school: School, days: list[date], lang: str
) -> tuple[SchoolCalendar, list[DayHeader], list[Column]]:
    """The headers (days, slots) and the half-period columns of ``days``, in order."""
    calendar = await load_calendar(school)
    slots = await timetable_slots(school)
    headers: list[DayHeader] = []
    columns: list[Column] = []
    for day in days:
        header = DayHeader(day, day_label(day, lang))
        for slot in (s for s in slots if s.weekday == day.weekday()):
            wall = f"{_hhmm(slot.start_minute)}–{_hhmm(slot.end_minute)}"
            header.slots.append(SlotHeader(slot.label or wall, wall))
            columns.extend(_halves(calendar, day, header.label, slot))
        headers.append(header)
    return calendar, headers, columns


async def choices(school: School) -> dict[str, list[Target]]:
    """Everything the grid can show, for the picker."""
    divisions, groups, sets = await groupings(school)
    return {
        "division": [Target("division", d.code, d.label or d.code) for d in divisions],
        "group": [Target("group", g.code, g.label or g.code) for g in groups],
        "set": [Target("set", str(s.id), s.name) for s in sets],
    }


def wanted_target(query: Any, options: dict[str, list[Target]]) -> Target | None:
    """The target asked by ``?division=``, ``?group=``, ``?set=`` or ``?target=kind:key``.

    With none asked, the first division; an unknown one is a 404.
    """
    asked: tuple[str, str] | None = None
    for kind in ("division", "group", "set"):
        if query.get(kind):
            asked = (kind, str(query[kind]))
    if asked is None and ":" in query.get("target", ""):
        kind, _, key = str(query["target"]).partition(":")
        asked = (kind, key)
    if asked is None:
        first = [*options["division"], *options["group"], *options["set"]]
        return first[0] if first else None
    found = next((t for t in options.get(asked[0], []) if t.key == asked[1]), None)
    if found is None:
        raise NotHere(NOT_HERE.get(asked[0], NOT_HERE["set"]), code=asked[1][:30])
    return found


async def rows_for(school: School, target: Target | None) -> list[Row]:
    """The active students of the target, by name."""
    if target is None:
        return []
    students = await target_students(school, target.kind, target.key)
    return [Row(s.id, s.display_name, s.division.code if s.division else "") for s in students]


async def events_for(
    school: School, rows: list[Row], days: list[date], calendar: SchoolCalendar
) -> list[Event]:
    """The events (not entered by mistake) of these students that touch these days."""
    return await events_touching(school, [r.id for r in rows], days[0], days[-1], calendar.tz)


def colour_of(event: Event, school: School, *, reason: bool = True) -> str:
    """The reason's colour; without a reason (or not to show it), the school's colour for the
    kind."""
    if event.reason is not None and reason:
        return str(event.reason.colour)
    return kind_colour(school, str(event.kind))


def kind_colour(school: School, kind: str) -> str:
    """The school's colour for a kind of event without a reason."""
    colours = school.colours or {}
    key = kind if kind in ("absence", "lateness") else "other"
    return colours.get(key) or colours.get("other") or "#5bc0de"


State = Literal["accepted", "rejected", "undecided"]


def state_of(event: Event) -> State:
    """Justified, not justified or still to decide: a symbol on the cell besides its colour."""
    if event.accepted is None:
        return "undecided"
    return "accepted" if event.accepted else "rejected"


@dataclass(frozen=True)
class Swatch:
    """One entry of the grid's colour legend."""

    label: str
    colour: str
    ink: str
    kind: str  # whose mark the swatch bears: absence or lateness


def legend(school: School, words: Words, shown_reasons: list[Any]) -> list[Swatch]:
    """The colours a cell may take: each kind without a reason, then each reason's."""
    kinds = [
        Swatch(
            words.gettext("{kind}, sans motif").format(kind=label(words, "grid.kind", kind)),
            kind_colour(school, kind),
            "",
            kind,
        )
        for kind in ("absence", "lateness")
    ]
    reasons = [
        Swatch(r.label, str(r.colour), "", "absence" if r.for_absence else "lateness")
        for r in shown_reasons
    ]
    return [Swatch(s.label, s.colour, ink_for(s.colour), s.kind) for s in kinds + reasons]


def event_json(
    event: Event, school: School, words: Words, view: Visibility = EVERYTHING
) -> dict[str, Any]:
    """An event as the grid paints it (its reason, and for a ``view`` of the generic reason
    only, the reason's generic one, must be fetched)."""
    kind = str(event.kind)
    shown = label(words, "grid.kind", kind)
    local = view.reason == ReasonShown.LOCAL
    if event.reason is not None:
        reason = event.reason
        shown = f"{shown} ({reason.label if local else reason.generic.label})"
    arrival = arrival_of(event, ZoneInfo(school.timezone))
    if arrival:
        shown = words.gettext("{kind}, arrivée à {time}").format(kind=shown, time=arrival)
    colour = colour_of(event, school, reason=local)
    return {
        "id": event.id,
        "student": event.student_id,
        "kind": kind,
        "s": millis(event.starts_at),
        "e": None if event.ends_at is None else millis(event.ends_at),
        "colour": colour,
        "ink": ink_for(colour),
        "state": state_of(event),
        "label": shown,
        "arrival": arrival,
        "version": event.version,
    }


def arrival_of(event: Event, tz: ZoneInfo) -> str | None:
    """A lateness's arrival, ``HH:MM`` local: its end (its start when it has none)."""
    if str(event.kind) != "lateness":
        return None
    return f"{(event.ends_at or event.starts_at).astimezone(tz):%H:%M}"


def local_input(moment: datetime | None, tz: ZoneInfo) -> str:
    """A moment as a ``datetime-local`` field holds it, in the school's zone."""
    return "" if moment is None else f"{moment.astimezone(tz):%Y-%m-%dT%H:%M}"
