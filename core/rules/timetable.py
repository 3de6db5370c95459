"""The timetable's own rule: two slots of the same weekday may touch but never overlap."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class SlotSpan:
    """A weekly slot as minutes since local midnight; ``key`` names it (a database id)."""

    weekday: int
    start: int
    end: int
    key: int | None = None

    def overlaps(self, other: SlotSpan) -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end


def slot_problem(candidate: SlotSpan) -> str | None:
    """Why a slot is not a slot (a code), or None."""
    if not 0 <= candidate.weekday <= 6:
        return "weekday"
    if not 0 <= candidate.start < candidate.end <= MINUTES_PER_DAY:
        return "slot_order"
    return None


def first_overlap(existing: Iterable[SlotSpan], candidate: SlotSpan) -> SlotSpan | None:
    """The first slot (other than the candidate itself, by ``key``) that it would overlap."""
    for slot in sorted(existing, key=lambda s: (s.weekday, s.start)):
        same = candidate.key is not None and slot.key == candidate.key
        if not same and slot.overlaps(candidate):
            return slot
    return None
