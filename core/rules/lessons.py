"""Lessons as plain values: on which days one is given, how a timetable's lessons compare with
the stored ones (unchanged, moved, added, removed), and which of a teacher's lessons overlap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import NamedTuple


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def occurs(
    day: date,
    weekday: int,
    starts_on: date | None,
    ends_on: date | None,
    mondays: Collection[date] | None,
    cancelled: Collection[date] = (),
) -> bool:
    """Whether a lesson (``weekday`` 0 = Monday) is given on ``day``: its weekday, within its
    first and last day, a week of its pattern (``None``: every week), not cancelled."""
    if day.weekday() != weekday:
        return False
    if starts_on is not None and day < starts_on:
        return False
    if ends_on is not None and day > ends_on:
        return False
    if mondays is not None and monday_of(day) not in mondays:
        return False
    return day not in cancelled


class LessonKey(NamedTuple):
    """What makes a timetable lesson the same lesson: who and what (``who``), then when and
    where. Ids are the stored ones (division, group, teacher, pattern); ``None`` when absent."""

    division_id: int | None
    group_id: int | None
    subject_code: str
    teacher_id: int
    weekday: int
    start_minute: int
    end_minute: int
    pattern_id: int | None
    room: str

    @property
    def order(self) -> tuple[int, int, int, int, str, int, int, str, int]:
        """A total order, by time first (``None`` ids as 0)."""
        return (
            self.weekday,
            self.start_minute,
            self.end_minute,
            self.pattern_id or 0,
            self.room,
            self.division_id or 0,
            self.group_id or 0,
            self.subject_code,
            self.teacher_id,
        )

    @property
    def who(self) -> tuple[int | None, int | None, str, int]:
        return self.division_id, self.group_id, self.subject_code, self.teacher_id


@dataclass(slots=True)
class LessonPlan:
    """How the stored lessons (by id) become the wanted ones."""

    unchanged: list[int] = field(default_factory=list)
    moved: list[tuple[int, LessonKey]] = field(default_factory=list)  # (stored id, new key)
    added: list[LessonKey] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def plan_lessons(wanted: Iterable[LessonKey], stored: Mapping[int, LessonKey]) -> LessonPlan:
    """Compare: identical lessons stay; of the rest, a stored lesson and a wanted one of the
    same division or group, subject and teacher are the same lesson moved (paired in order
    of time); what is left is added or removed. Duplicates count once each."""
    plan = LessonPlan()
    left: dict[LessonKey, list[int]] = defaultdict(list)
    for lesson_id, key in sorted(stored.items()):
        left[key].append(lesson_id)
    fresh: list[LessonKey] = []
    for key in wanted:
        if left.get(key):
            plan.unchanged.append(left[key].pop(0))
        else:
            fresh.append(key)
    gone: dict[tuple[int | None, int | None, str, int], list[tuple[LessonKey, int]]]
    gone = defaultdict(list)
    for key, ids in left.items():
        for lesson_id in ids:
            gone[key.who].append((key, lesson_id))
    for pairs in gone.values():
        pairs.sort(key=lambda pair: (pair[0].order, pair[1]))
    for key in sorted(fresh, key=lambda k: k.order):
        candidates = gone.get(key.who)
        if candidates:
            _, lesson_id = candidates.pop(0)
            plan.moved.append((lesson_id, key))
        else:
            plan.added.append(key)
    plan.removed = sorted(lesson_id for pairs in gone.values() for _, lesson_id in pairs)
    return plan


def teacher_overlaps(
    lessons: Iterable[LessonKey], mondays: Mapping[int, frozenset[date]]
) -> list[tuple[LessonKey, LessonKey]]:
    """Pairs of one teacher's lessons given at overlapping times of the same weekday in at
    least one common week (``mondays`` by pattern id; no pattern: every week)."""
    by_day: dict[tuple[int, int], list[LessonKey]] = defaultdict(list)
    for key in lessons:
        by_day[(key.teacher_id, key.weekday)].append(key)
    found: list[tuple[LessonKey, LessonKey]] = []
    for keys in by_day.values():
        keys.sort(key=lambda k: (k.start_minute, k.end_minute))
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                if second.start_minute >= first.end_minute:
                    break
                if _share_a_week(first, second, mondays):
                    found.append((first, second))
    return found


def _share_a_week(a: LessonKey, b: LessonKey, mondays: Mapping[int, frozenset[date]]) -> bool:
    if a.pattern_id is None or b.pattern_id is None or a.pattern_id == b.pattern_id:
        return True
    return bool(mondays.get(a.pattern_id, frozenset()) & mondays.get(b.pattern_id, frozenset()))


def every_week(mondays: Collection[date]) -> bool:
    """Whether a week pattern's Mondays follow each other without a gap (a weekly lesson)."""
    ordered = sorted(mondays)
    return all((b - a).days == 7 for a, b in pairwise(ordered))
