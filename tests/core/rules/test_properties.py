"""Property tests of the counting rules (hypothesis), checked against a brute-force oracle."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.rules.calendar import (
    HalfDayKey,
    SchoolCalendar,
    Slot,
    SlotAssignment,
    default_slots,
    half_of,
)
from core.rules.counting import (
    CountableEvent,
    CountingMode,
    coverage,
    half_day_count,
    missed_half_days,
    monthly_counts,
)
from tests.core.rules.support import (
    GEPI_MIDDAY,
    MARTINIQUE,
    NOUMEA,
    PARIS,
    REUNION,
    am,
    event,
    pm,
    school,
)

STEP = timedelta(minutes=5)
PROPS = settings(max_examples=150, deadline=None)

# Calendars sharing 5-minute boundaries, so a 5-minute grid samples them exactly.
SPLIT_CALENDARS = [
    school(),
    school(midday=GEPI_MIDDAY),
    school(tz=REUNION),
    school(tz=NOUMEA, midday=GEPI_MIDDAY),
    school(tz=MARTINIQUE, slots=(*default_slots(), Slot(4, time(18), time(21, 55)))),
    school(
        closed_days=frozenset({date(2026, 3, 24), date(2026, 10, 21)}),
        closed_half_days=frozenset({pm("2026-03-26"), am("2026-10-22"), am("2026-03-30")}),
    ),
]
CALENDARS = [*SPLIT_CALENDARS, school(midday=GEPI_MIDDAY, slot_assignment=SlotAssignment.BY_START)]

# Two windows of three weeks, each around a daylight-saving weekend in Europe/Paris.
WINDOWS = [datetime(2026, 3, 16, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC)]
WINDOW_STEPS = 21 * 24 * 12
MAX_STEPS = 4 * 24 * 12  # events up to four days long


@st.composite
def intervals(draw: st.DrawFn) -> tuple[datetime, datetime]:
    base = draw(st.sampled_from(WINDOWS))
    start = base + draw(st.integers(0, WINDOW_STEPS)) * STEP
    return start, start + draw(st.integers(1, MAX_STEPS)) * STEP


@st.composite
def events(draw: st.DrawFn) -> CountableEvent:
    start, end = draw(intervals())
    return event(
        start,
        draw(st.sampled_from([end, end, end, None])),
        accepted=draw(st.sampled_from([None, False, True])),
    )


NOW = datetime(2026, 11, 2, tzinfo=UTC)
modes = st.sampled_from(list(CountingMode))
calendars = st.sampled_from(CALENDARS)


def _in_lesson(cal: SchoolCalendar, moment: datetime) -> HalfDayKey | None:
    """Brute force: the half-day whose lesson time contains `moment`, from the definitions."""
    key = half_of(moment, cal.tz, cal.midday)
    wall = moment.astimezone(cal.tz)
    if cal.is_closed(key):
        return None
    for slot in cal.slots:
        if slot.weekday == wall.weekday() and slot.start <= wall.time() < slot.end:
            return key
    return None


def oracle(
    cal: SchoolCalendar, start: datetime, end: datetime
) -> dict[HalfDayKey, tuple[int, int]]:
    """key → (lesson seconds, missed seconds), sampling every 5 minutes."""
    missed: Counter[HalfDayKey] = Counter()
    moment = start
    while moment < end:
        if (key := _in_lesson(cal, moment)) is not None:
            missed[key] += int(STEP.total_seconds())
        moment += STEP
    lessons: Counter[HalfDayKey] = Counter()
    for day in {key.day for key in missed}:
        moment = datetime.combine(day, time(0), tzinfo=cal.tz).astimezone(UTC)
        while moment.astimezone(cal.tz).date() == day:
            if (key := _in_lesson(cal, moment)) is not None:
                lessons[key] += int(STEP.total_seconds())
            moment += STEP
    return {key: (lessons[key], seconds) for key, seconds in missed.items()}


@PROPS
@given(st.sampled_from(SPLIT_CALENDARS), intervals())
def test_coverage_matches_brute_force(
    cal: SchoolCalendar, interval: tuple[datetime, datetime]
) -> None:
    found = {c.key: (c.lesson_seconds, c.missed_seconds) for c in coverage(cal, *interval)}
    assert found == oracle(cal, *interval)


@PROPS
@given(calendars, intervals())
def test_complete_le_proportional_le_raw(
    cal: SchoolCalendar, interval: tuple[datetime, datetime]
) -> None:
    covs = coverage(cal, *interval)
    raw = half_day_count(covs, CountingMode.RAW)
    complete = half_day_count(covs, CountingMode.COMPLETE)
    proportional = half_day_count(covs, CountingMode.PROPORTIONAL)
    assert complete <= proportional <= raw == len(covs)
    assert raw == int(raw) and complete == int(complete)


@PROPS
@given(calendars, intervals())
def test_coverage_only_school_half_days_sorted_and_bounded(
    cal: SchoolCalendar, interval: tuple[datetime, datetime]
) -> None:
    covs = coverage(cal, *interval)
    keys = [c.key for c in covs]
    assert keys == sorted(set(keys))
    for c in covs:
        assert cal.is_school_half_day(c.key)
        assert not cal.is_closed(c.key)
        assert c.key.day.weekday() < 5
        assert 0 < c.missed_seconds <= c.lesson_seconds
    start, end = interval
    assert sum(c.missed_seconds for c in covs) <= (end - start).total_seconds()


@PROPS
@given(calendars, intervals(), st.integers(1, MAX_STEPS - 1), modes)
def test_splitting_an_event_changes_nothing(
    cal: SchoolCalendar, interval: tuple[datetime, datetime], cut: int, mode: CountingMode
) -> None:
    start, end = interval
    middle = min(start + cut * STEP, end - STEP)
    whole = [event(start, end)]
    parts = [event(start, middle), event(middle, end)] if middle > start else whole
    assert missed_half_days(cal, parts, now=NOW, mode=mode) == missed_half_days(
        cal, whole, now=NOW, mode=mode
    )
    assert monthly_counts(cal, parts, now=NOW, mode=mode) == monthly_counts(
        cal, whole, now=NOW, mode=mode
    )


@PROPS
@given(
    calendars,
    st.lists(events(), max_size=5).flatmap(lambda e: st.tuples(st.just(e), st.permutations(e))),
    modes,
)
def test_order_of_events_does_not_matter(
    cal: SchoolCalendar,
    lists: tuple[list[CountableEvent], list[CountableEvent]],
    mode: CountingMode,
) -> None:
    evts, shuffled = lists
    expected = missed_half_days(cal, evts, now=NOW, mode=mode)
    assert missed_half_days(cal, shuffled, now=NOW, mode=mode) == expected
    assert missed_half_days(cal, list(reversed(evts)), now=NOW, mode=mode) == expected


@PROPS
@given(calendars, st.lists(events(), max_size=4), events(), modes)
def test_adding_an_event_never_lowers_a_count(
    cal: SchoolCalendar, evts: list[CountableEvent], extra: CountableEvent, mode: CountingMode
) -> None:
    before = missed_half_days(cal, evts, now=NOW, mode=mode)
    after = missed_half_days(cal, [*evts, extra], now=NOW, mode=mode)
    assert all(after.get(key, 0) >= weight for key, weight in before.items())
    justified_too = missed_half_days(cal, evts, now=NOW, mode=mode, justified_too=True)
    assert all(justified_too.get(key, 0) >= weight for key, weight in before.items())


@PROPS
@given(calendars, st.lists(events(), max_size=4), modes)
def test_union_is_at_most_the_sum_and_monthly_adds_up(
    cal: SchoolCalendar, evts: list[CountableEvent], mode: CountingMode
) -> None:
    union = missed_half_days(cal, evts, now=NOW, mode=mode)
    if mode != CountingMode.COMPLETE:  # complete can grow when events join up
        alone = sum(sum(missed_half_days(cal, [e], now=NOW, mode=mode).values()) for e in evts)
        assert sum(union.values()) <= alone + 1e-9
    monthly = monthly_counts(cal, evts, now=NOW, mode=mode)
    assert abs(sum(monthly.values()) - sum(union.values())) <= 0.01 * max(1, len(monthly))
    assert all(value > 0 for value in union.values())
    assert all(weight <= 1 for weight in union.values())
    assert {(key.day.year, key.day.month) for key in union} == set(monthly)


def test_windows_do_cross_dst() -> None:
    for base in WINDOWS:
        offsets = {(base + timedelta(days=d)).astimezone(PARIS).utcoffset() for d in range(21)}
        assert len(offsets) == 2
