"""Comparing what is stored with what the files say, row by row (plain values, no database)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class Change(Generic[K]):
    """A stored row that differs: only the fields that change, before and after."""

    key: K
    before: dict[str, object]
    after: dict[str, object]


@dataclass(slots=True)
class TableDiff(Generic[K]):
    """Which keys are new, which rows change, how many stay as they are."""

    created: list[K] = field(default_factory=list)
    updated: list[Change[K]] = field(default_factory=list)
    unchanged: int = 0


def diff_rows(current: Mapping[K, Row], desired: Mapping[K, Row]) -> TableDiff[K]:
    """Compare ``desired`` (from the files) with ``current`` (stored), field by field.

    Only the fields named in a desired row are compared: a stored field the files do not
    speak of is left alone. Keys of ``current`` missing from ``desired`` are not reported
    (the caller decides what leaving means for each kind).
    """
    result: TableDiff[K] = TableDiff()
    for key, wanted in desired.items():
        stored = current.get(key)
        if stored is None:
            result.created.append(key)
            continue
        after = {name: value for name, value in wanted.items() if stored.get(name) != value}
        if after:
            before = {name: stored.get(name) for name in after}
            result.updated.append(Change(key, before, after))
        else:
            result.unchanged += 1
    return result
