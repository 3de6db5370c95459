"""The statistics page's selection: which days (a month, a reporting period, a school year, a
free range), which students (the school, a division, a group of divisions, a level, one
student) and which kind (absences or lateness), read from its query string and checked against
the school; and what its form offers.

The query string (bookmarkable): ``period`` = ``YYYY-MM`` | ``term-ID`` | ``year`` |
``year-YYYY`` | ``range`` (with ``from`` and ``to``, ``YYYY-MM-DD``); ``scope`` = empty (the
school) | ``division:CODE`` | ``set:ID`` | ``group:CODE`` | ``level:MEF`` | ``student:ID``;
``kind`` = ``absence`` | ``lateness``. A refused value raises :class:`~core.errors.Invalid` with a
code the panel words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.bounds import day_in_window, fits, parse_id
from core.errors import Invalid
from core.models import Division, DivisionSet, Mef, Period, School, Student, TeachingGroup
from core.queries.common import school_year_dates
from core.queries.periods import year_periods
from core.queries.years import current_year
from core.rules.absenteeism import Month, Placement
from core.rules.calendar import school_year_of
from core.rules.counting import EventKind
from core.rules.dated_notices import month_bounds, months_between
from core.rules.indicators import MAX_SPAN_DAYS

KINDS = (EventKind.ABSENCE, EventKind.LATENESS)


@dataclass(frozen=True, slots=True)
class Span:
    """The days asked: ``key`` as the form gives it back, ``name`` a reporting period's."""

    first: date
    last: date
    key: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """The students asked: ``kind`` empty for the school, else one of :data:`SCOPES` with its
    ``key`` (a division's code, a group of divisions' id, a teaching group's code, a MEF code, a
    student's id); ``divisions`` the codes of a group of divisions, ``students`` the ids of a
    teaching group's students."""

    kind: str = ""
    key: str = ""
    label: str = ""
    divisions: frozenset[str] = frozenset()
    students: frozenset[int] = frozenset()

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.key}" if self.kind else ""

    def holds(self, placed: Placement) -> bool:
        """Whether a student placed so belongs to the scope."""
        if self.kind == "division":
            return placed.division == self.key
        if self.kind == "set":
            return placed.division in self.divisions
        if self.kind == "level":
            return placed.level == self.key
        if self.kind == "group":
            return placed.student_id in self.students
        if self.kind == "student":
            return str(placed.student_id) == self.key
        return True


@dataclass(frozen=True, slots=True)
class Selection:
    span: Span
    scope: Scope
    kind: EventKind
    start_year: int  # the school year of the monthly indicator shown


def parse_month(text: str | None) -> Month:
    """« 2026-10 » → (2026, 10); anything else is refused with a sentence."""
    try:
        year, number = (int(part) for part in str(text or "").strip().split("-"))
        date(year, number, 1)
    except ValueError:
        raise Invalid(f"month {str(text)[:20]!r}: expected YYYY-MM", code="month_invalid") from None
    if not 2000 <= year <= 2100:
        raise Invalid(f"month {text}: out of range", code="month_invalid")
    return year, number


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"date {text[:20]!r}: expected YYYY-MM-DD", code="stats_date") from None
    if not day_in_window(day):
        raise Invalid(f"date {text}: out of range", code="stats_date")
    return day


def _year(raw: str) -> int:
    """``year-2025`` → 2025."""
    start = parse_id(raw[5:])
    if start is None or not 2000 <= start <= 2099:
        raise Invalid(f"period {raw!r}", code="stats_period")
    return start


def _range(query: Mapping[str, str]) -> Span:
    given = [query.get(name, "").strip() for name in ("from", "to")]
    if not all(given):
        raise Invalid("a range needs from and to", code="stats_range_missing")
    first, last = (_day(text) for text in given)
    if last < first:
        raise Invalid("the range ends before it starts", code="stats_range_reversed")
    if (last - first).days + 1 > MAX_SPAN_DAYS:
        raise Invalid("range too long", code="stats_range_long", most=MAX_SPAN_DAYS)
    return Span(first, last, "range")


async def _span(school: School, query: Mapping[str, str], today: date) -> Span:
    raw = query.get("period", "").strip()[:40]
    if raw == "":
        return Span(*month_bounds((today.year, today.month)), f"{today:%Y-%m}")
    if raw == "range":
        return _range(query)
    if raw == "year" or raw.startswith("year-"):
        start = (await current_year(school.id, today))[0] if raw == "year" else _year(raw)
        first, last = await school_year_dates(school, start)
        return Span(first, last, raw)
    if raw.startswith("term-"):
        period_id = parse_id(raw[5:])
        found = None
        if period_id is not None:
            found = await Period.get_or_none(id=period_id, year__school_id=school.id)
        if found is None:
            raise Invalid(f"period {raw!r}", code="period_unknown")
        return Span(found.starts_on, found.ends_on, raw, found.name)
    return Span(*month_bounds(parse_month(raw)), raw)


async def _coded(model: Any, school: School, key: str, refusal: str) -> Any:
    """The school's row of ``model`` with this code; ``Invalid`` (``refusal``) if none."""
    found = None
    if fits(model, "code", key):
        found = await model.get_or_none(school=school, code=key)
    if found is None:
        raise Invalid(f"{refusal} {key[:30]!r}", code=refusal)
    return found


async def _division(school: School, key: str) -> Scope:
    division = await _coded(Division, school, key, "stats_division")
    return Scope("division", division.code, division.code)


async def _division_set(school: School, key: str) -> Scope:
    set_id = parse_id(key)
    found = None
    if set_id is not None:
        found = await DivisionSet.get_or_none(id=set_id, school=school).prefetch_related(
            "divisions"
        )
    if found is None:
        raise Invalid(f"division set {key[:30]!r}", code="stats_division_set")
    codes = frozenset(d.code for d in found.divisions)
    return Scope("set", str(found.id), found.name, codes)


async def _group(school: School, key: str) -> Scope:
    group = await _coded(TeachingGroup, school, key, "stats_group")
    ids: list[Any] = await Student.filter(school=school, groups__id=group.id).values_list(
        "id", flat=True
    )
    students = frozenset(int(i) for i in ids)
    return Scope("group", group.code, group.label or group.code, students=students)


async def _level(school: School, key: str) -> Scope:
    mef = await _coded(Mef, school, key, "stats_level")
    return Scope("level", mef.code, mef.short_label or mef.label or mef.code)


async def _student(school: School, key: str) -> Scope:
    student_id = parse_id(key)
    student = None
    if student_id is not None:
        student = await Student.get_or_none(id=student_id, school=school)
    if student is None:
        raise Invalid(f"student {key[:30]!r}", code="stats_student")
    return Scope("student", str(student.id), student.display_name)


SCOPES = {
    "division": _division,
    "set": _division_set,
    "group": _group,
    "level": _level,
    "student": _student,
}


async def _scope(school: School, raw: str) -> Scope:
    kind, _, key = raw.strip()[:80].partition(":")
    if not kind:
        return Scope()
    if kind not in SCOPES or not key:
        raise Invalid(f"scope {raw[:40]!r}", code="stats_scope")
    return await SCOPES[kind](school, key)


def _kind(raw: str) -> EventKind:
    raw = raw.strip()
    if raw in ("", EventKind.ABSENCE):
        return EventKind.ABSENCE
    if raw == EventKind.LATENESS:
        return EventKind.LATENESS
    raise Invalid(f"kind {raw[:20]!r}", code="stats_kind")


async def resolve_selection(school: School, query: Mapping[str, str], today: date) -> Selection:
    """The selection the query string asks for (see the module), checked against the school;
    a span running past ``today`` stops at ``today`` (days to come have no lesson time lost
    yet)."""
    span = await _span(school, query, today)
    scope = await _scope(school, query.get("scope", ""))
    kind = _kind(query.get("kind", ""))
    if span.first <= today < span.last:
        span = Span(span.first, today, span.key, span.name)
    return Selection(span, scope, kind, school_year_of(span.first))


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(slots=True)
class StatsChoices:
    """What the form offers: the months of the current school year, its reporting periods,
    this year and the previous one; the divisions, groups of divisions, teaching groups and
    levels."""

    months: list[Month] = field(default_factory=list)
    terms: list[Period] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    divisions: list[Option] = field(default_factory=list)
    sets: list[Option] = field(default_factory=list)
    groups: list[Option] = field(default_factory=list)
    levels: list[Option] = field(default_factory=list)


async def stats_choices(school: School, today: date) -> StatsChoices:
    periods = await year_periods(school, today)
    divisions = await Division.filter(school=school, active=True).order_by("code")
    sets = await DivisionSet.filter(school=school).order_by("name")
    groups = await TeachingGroup.filter(school=school, active=True).order_by("code")
    levels = await Mef.filter(school=school).order_by("code")
    return StatsChoices(
        months=months_between(periods.starts_on, periods.ends_on),
        terms=periods.periods,
        years=[periods.start_year, periods.start_year - 1],
        divisions=[Option(f"division:{d.code}", d.code) for d in divisions],
        sets=[Option(f"set:{s.id}", s.name) for s in sets],
        groups=[Option(f"group:{g.code}", g.label or g.code) for g in groups],
        levels=[
            Option(f"level:{m.code}", m.short_label or m.label or m.code) for m in levels if m.code
        ],
    )
