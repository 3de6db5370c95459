"""The groups of divisions page's reads: each group with its divisions, and the school's
active divisions by level to choose from."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Division, DivisionSet, School


@dataclass(frozen=True, slots=True)
class SetRow:
    id: int
    name: str
    division_ids: frozenset[int]
    codes: list[str]


@dataclass(slots=True)
class Level:
    """The active divisions of one level (MEF), by code; ``label`` empty: no level known."""

    label: str
    divisions: list[Division] = field(default_factory=list)


async def division_sets(school: School) -> list[SetRow]:
    """The school's groups of divisions by name, each with its divisions (active or not)."""
    rows = await DivisionSet.filter(school=school).order_by("name").prefetch_related("divisions")
    found = []
    for row in rows:
        divisions = sorted(row.divisions, key=lambda d: d.code)
        found.append(
            SetRow(
                row.id, row.name, frozenset(d.id for d in divisions), [d.code for d in divisions]
            )
        )
    return found


async def division_set(school: School, set_id: int) -> SetRow | None:
    """One group of the school, or None."""
    return next((row for row in await division_sets(school) if row.id == set_id), None)


async def divisions_by_level(school: School) -> list[Level]:
    """The school's active divisions grouped by level (its short label, else its label),
    levels in the order of their first division's code; those without a level last."""
    divisions = (
        await Division.filter(school=school, active=True).order_by("code").select_related("mef")
    )
    levels: dict[str, Level] = {}
    for division in divisions:
        mef = division.mef
        label = (mef.short_label or mef.label or mef.code) if mef is not None else ""
        levels.setdefault(label, Level(label)).divisions.append(division)
    return sorted(levels.values(), key=lambda level: level.label == "")
