"""The legal follow-up of absenteeism (L131-8, R131-7), read on demand: the students of the
current school year who crossed the monthly or the persistent threshold, the day they crossed
it, the month's letter and the actions taken since; and the families who did not answer the
school's requests (L131-8 1°).

Computed when read (``docs/design.md``, "The legal follow-up"): the counts are those of the
monthly letters (:func:`core.queries.thresholds.month_counts`), so the list says what the
letters say, as it stands at this moment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from core.models import (
    Action,
    Delivery,
    DeliveryStatus,
    Event,
    InboundMessage,
    Notice,
    NoticeKind,
    School,
    Student,
)
from core.queries.common import chunks, day_start
from core.queries.file_views import ActionView
from core.queries.thresholds import MonthCount, month_counts
from core.queries.years import current_year
from core.rules import dated_notices as dated
from core.rules import legal
from core.rules.calendar import SchoolCalendar, local_date, month_label
from core.rules.counting import EventKind, alert_level

LETTERS = (NoticeKind.THRESHOLD, NoticeKind.PERSISTENT)
REQUESTS = (NoticeKind.ABSENCE, NoticeKind.REMINDER)  # a notice that asks for the reason
LEFT = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)  # a request that left


@dataclass(frozen=True)
class LetterLine:
    """The deliveries of a letter on one channel in one state (both parents' copies are one
    line): ``state`` is a delivery status, or for a paper letter ``to_print`` (made, not printed
    yet), ``printed`` or ``posted``; ``at`` when it came to that state."""

    channel: str
    state: str
    at: datetime | None
    count: int


@dataclass(frozen=True)
class LetterView:
    """The month's threshold or persistent letter, as the planner wrote it."""

    kind: str
    status: str
    created_at: datetime
    lines: list[LetterLine]


def _state(d: Delivery) -> tuple[str, datetime | None]:
    if d.channel == "letter" and d.posted_at is not None:
        return "posted", d.posted_at
    if d.channel == "letter" and d.printed_at is not None:
        return "printed", d.printed_at
    if d.channel == "letter" and d.status == DeliveryStatus.SENT:
        return "to_print", d.sent_at
    return str(d.status), d.sent_at


def letter_lines(deliveries: list[Delivery]) -> list[LetterLine]:
    """The deliveries by channel and state, the latest moment of each, in the order sent."""
    grouped: dict[tuple[str, str], list[datetime | None]] = defaultdict(list)
    for d in deliveries:
        state, at = _state(d)
        grouped[(str(d.channel), state)].append(at)
    return [
        LetterLine(channel, state, max((a for a in ats if a), default=None), len(ats))
        for (channel, state), ats in grouped.items()
    ]


@dataclass(frozen=True)
class Crossing:
    """A student-month at or above the monthly threshold (L131-8 2°)."""

    student_id: int
    student: str
    division: str
    month: str  # YYYY-MM
    count: int | float
    level: str  # threshold, persistent
    crossed_on: date | None  # the day of the half-day that reached the monthly threshold
    persistent_on: date | None  # … the persistent one
    letters: list[LetterView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)  # since the month began


def _year_months(starts_on: date, today: date) -> list[dated.Month]:
    return dated.months_between(min(starts_on, today).replace(day=1), today)


async def _months(school: School, tz: ZoneInfo, now: datetime) -> list[dated.Month]:
    today = local_date(now, tz)
    _, starts_on, _ = await current_year(school.id, today)
    return _year_months(starts_on, today)


def _division(student: Student) -> str:
    division = student.division
    return division.code if division is not None else ""


def _since(months: list[dated.Month], tz: ZoneInfo, now: datetime) -> datetime:
    """The first moment of the months of the list (``now`` when there is none)."""
    return day_start(date(*months[0], 1), tz) if months else now


def _level(school: School, count: float) -> str:
    return alert_level(
        count, school.absence_threshold_half_days, school.persistent_threshold_half_days
    )


def _crossing(school: School, student: Student, month: dated.Month, count: MonthCount) -> Crossing:
    level = _level(school, count.count)

    def day(threshold: int) -> date | None:
        return legal.crossing_day(count.half_days, count.weights, threshold)

    return Crossing(
        student_id=student.id,
        student=student.display_name,
        division=_division(student),
        month=month_label(date(*month, 1)),
        count=dated.shown_count(count.count),
        level=level,
        crossed_on=day(school.absence_threshold_half_days),
        persistent_on=day(school.persistent_threshold_half_days)
        if level == dated.PERSISTENT
        else None,
    )


async def _crossed(
    school: School, calendar: SchoolCalendar, months: list[dated.Month], now: datetime
) -> list[tuple[dated.Month, int, MonthCount]]:
    found: list[tuple[dated.Month, int, MonthCount]] = []
    for month in months:
        for student_id, count in (await month_counts(school, calendar, month, now=now)).items():
            if _level(school, count.count) != "none":
                found.append((month, student_id, count))
    return found


async def crossed_this_month(school: School, calendar: SchoolCalendar, now: datetime) -> int:
    """How many students reach the monthly threshold in the current month (the dashboard)."""
    today = local_date(now, calendar.tz)
    return len(await _crossed(school, calendar, [(today.year, today.month)], now))


@dataclass(frozen=True)
class MonthCrossings:
    """How many students reached a month's threshold (``crossed``, persistent ones included)
    and the persistent one (``persistent``): counts only, no names."""

    month: dated.Month
    crossed: int
    persistent: int


async def crossings_per_month(
    school: School, calendar: SchoolCalendar, months: list[dated.Month], now: datetime
) -> list[MonthCrossings]:
    """For each month, as the letters count it: the students at or above the monthly threshold,
    and those at the persistent one."""
    found = await _crossed(school, calendar, months, now)
    return [
        MonthCrossings(
            month,
            sum(1 for m, _, _ in found if m == month),
            sum(
                1
                for m, _, count in found
                if m == month and _level(school, count.count) == dated.PERSISTENT
            ),
        )
        for month in months
    ]


async def _letters(school: School, rows: list[Crossing]) -> dict[str, list[LetterView]]:
    """The threshold and persistent letters of the rows' student-months, by dedupe key."""
    keys = {
        dated.month_key(kind, row.student_id, _month(row.month)): row
        for row in rows
        for kind in (dated.THRESHOLD, dated.PERSISTENT)
    }
    notices: list[Notice] = []
    for part in chunks(sorted({row.student_id for row in rows})):
        found = await Notice.filter(school=school, student_id__in=part, kind__in=LETTERS)
        notices += [n for n in found if n.dedupe_key in keys]
    notices.sort(key=lambda n: n.id)
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    for part in chunks([n.id for n in notices]):
        for d in await Delivery.filter(notice_id__in=part).order_by("id"):
            deliveries[d.notice_id].append(d)
    letters: dict[str, list[LetterView]] = defaultdict(list)
    for notice in notices:
        row = keys[notice.dedupe_key]
        letters[f"{row.student_id}:{row.month}"].append(
            LetterView(
                str(notice.kind),
                str(notice.status),
                notice.created_at,
                letter_lines(deliveries[notice.id]),
            )
        )
    return letters


def _month(label: str) -> dated.Month:
    year, number = label.split("-")
    return int(year), int(number)


async def _actions(
    school: School, student_ids: list[int], since: datetime
) -> dict[int, list[ActionView]]:
    found: dict[int, list[ActionView]] = defaultdict(list)
    for part in chunks(student_ids):
        rows = (
            await Action.filter(school=school, student_id__in=part, done_at__gte=since)
            .order_by("done_at", "id")
            .prefetch_related("type", "done_by")
        )
        for a in rows:
            found[a.student_id].append(  # type: ignore[attr-defined]
                ActionView(
                    id=a.id,
                    type_code=a.type.code,
                    type_label=a.type.label,
                    done_at=a.done_at,
                    done_by=a.done_by.known_as if a.done_by else "",
                    comment=a.comment,
                    event_id=getattr(a, "event_id", None),
                )
            )
    return found


def _share_actions(
    rows: list[Crossing], actions: dict[int, list[ActionView]], tz: ZoneInfo
) -> list[Crossing]:
    """Each row with the student's actions from its month's first day to the first day of the
    student's next month on the list (the latest row: until now)."""
    later: dict[int, date] = {}
    shared: list[Crossing] = []
    for row in sorted(rows, key=lambda r: r.month, reverse=True):
        first = date(*_month(row.month), 1)
        until = later.get(row.student_id)
        done = [
            a
            for a in actions.get(row.student_id, [])
            if first <= local_date(a.done_at, tz)
            and (until is None or local_date(a.done_at, tz) < until)
        ]
        later[row.student_id] = first
        shared.append(replace(row, actions=done))
    return shared


async def legal_crossings(
    school: School, calendar: SchoolCalendar, now: datetime
) -> list[Crossing]:
    """The student-months of the current school year (up to this month) at or above the
    monthly threshold, as the letters count them: the day each threshold was reached, the
    month's letters and their deliveries, the actions taken since; the most recent month
    first, then by name."""
    tz = calendar.tz
    months = await _months(school, tz, now)
    found = await _crossed(school, calendar, months, now)
    ids = sorted({student_id for _, student_id, _ in found})
    students = {
        s.id: s
        for s in await Student.filter(school=school, id__in=ids).prefetch_related("division")
    }
    rows = [_crossing(school, students[sid], month, count) for month, sid, count in found]
    letters = await _letters(school, rows)
    rows = [replace(r, letters=letters.get(f"{r.student_id}:{r.month}", [])) for r in rows]
    rows = _share_actions(rows, await _actions(school, ids, _since(months, tz, now)), tz)
    rows.sort(key=lambda row: row.student)
    return sorted(rows, key=lambda row: row.month, reverse=True)  # stable: names stay sorted


# --- families who did not answer (L131-8 1°) ---------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A request to the family: one notice (an absence's, a reminder) and the channels it left
    by (one per guardian and channel; each channel named once)."""

    kind: str  # absence, reminder
    at: datetime  # when it first left
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Unanswered:
    """A student whose family was asked about absences and did not answer, or whose absences
    ended with the reason unknown or refused after a request."""

    student_id: int
    student: str
    division: str
    absences: list[date]  # the first day of each absence concerned
    without_reply: int  # of which: no reason and no reply
    reason_refused: int  # … with the reason unknown or inexact
    requests: list[Request]
    last_reply: datetime | None


def _open_absences(school: School, since: datetime) -> Q:
    """The year's absences still unjustified, without a reason or with an unknown or inexact
    one."""
    return Q(
        Q(accepted__isnull=True) | Q(accepted=False),
        Q(reason_id__isnull=True) | Q(reason__generic__code__in=sorted(legal.UNKNOWN_REASONS)),
        school_id=school.id,
        kind=EventKind.ABSENCE,
        deleted=False,
        counts=True,
        student__active=True,
        starts_at__gte=since,
    )


async def _requests(event_ids: list[int]) -> dict[int, list[Request]]:
    """The requests that left about each event: its notice and its reminders (read as plain
    values: a year of absences is thousands of rows)."""
    notices: dict[int, tuple[int, str]] = {}  # notice → (event, kind)
    for part in chunks(event_ids):
        rows = await Notice.filter(event_id__in=part, kind__in=REQUESTS).values_list(
            "id", "event_id", "kind"
        )
        notices.update({int(str(n)): (int(str(e)), str(k)) for n, e, k in rows})
    left: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for part in chunks(list(notices)):
        sent = await (
            Delivery.filter(notice_id__in=part, status__in=LEFT, sent_at__isnull=False)
            .order_by("id")
            .values_list("notice_id", "channel", "sent_at")
        )
        for notice_id, channel, sent_at in sent:
            left[int(str(notice_id))].append((str(channel), sent_at))
    found: dict[int, list[Request]] = defaultdict(list)
    for notice_id, deliveries in left.items():
        event_id, kind = notices[notice_id]
        first = min(at for _, at in deliveries)
        channels = tuple(dict.fromkeys(channel for channel, _ in deliveries))
        found[event_id].append(Request(kind, first, channels))
    return found


async def _replies(
    school: School, student_ids: list[int], since: datetime
) -> dict[int, list[datetime]]:
    found: dict[int, list[datetime]] = defaultdict(list)
    for part in chunks(student_ids):
        rows = await InboundMessage.filter(
            school=school, student_id__in=part, received_at__gte=since
        ).values_list("student_id", "received_at")
        for student_id, received_at in rows:
            found[int(str(student_id))].append(received_at)
    return found


async def unanswered_families(
    school: School, calendar: SchoolCalendar, now: datetime
) -> list[Unanswered]:
    """The students of the current school year whose family did not answer the school's
    requests about an absence still not justified (no reason, no reply since the first
    request, :data:`core.rules.legal.REPLY_WAIT` gone by), or gave a reason unknown or
    inexact after a request; by name."""
    tz = calendar.tz
    since = _since(await _months(school, tz, now), tz, now)
    events = (
        await Event.filter(_open_absences(school, since))
        .order_by("starts_at", "id")
        .values_list("id", "student_id", "starts_at", "reason__generic__code")
    )
    requests = await _requests([int(str(row[0])) for row in events])
    asked = [row for row in events if requests.get(int(str(row[0])))]
    replies = await _replies(school, sorted({int(str(row[1])) for row in asked}), since)
    concerned: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    asked_of: dict[int, list[Request]] = defaultdict(list)
    for event_id, student_id, starts_at, generic in asked:
        sid, times = int(str(student_id)), [r.at for r in requests[int(str(event_id))]]
        if generic is None and legal.unanswered(times, replies[sid], now):
            concerned[sid].append((starts_at, "without_reply"))
        elif legal.reason_refused(generic):
            concerned[sid].append((starts_at, "reason_refused"))
        else:
            continue
        asked_of[sid] += requests[int(str(event_id))]
    students = {
        s.id: s
        for s in await Student.filter(school=school, id__in=list(concerned)).prefetch_related(
            "division"
        )
    }
    rows = [
        Unanswered(
            student_id=sid,
            student=students[sid].display_name,
            division=_division(students[sid]),
            absences=[local_date(starts_at, tz) for starts_at, _ in found],
            without_reply=sum(1 for _, why in found if why == "without_reply"),
            reason_refused=sum(1 for _, why in found if why == "reason_refused"),
            requests=sorted(asked_of[sid], key=lambda r: r.at),
            last_reply=max(replies[sid], default=None),
        )
        for sid, found in concerned.items()
    ]
    return sorted(rows, key=lambda row: row.student)
