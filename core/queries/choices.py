"""What a follow-up form offers: the school's divisions, groups, sets, reasons, action types,
and the user's saved searches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.models import (
    ActionType,
    Division,
    DivisionSet,
    Reason,
    SavedSearch,
    School,
    TeachingGroup,
)
from core.rules.visibility import EVERYTHING, Visibility


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Choices:
    divisions: list[Choice]
    groups: list[Choice]
    sets: list[Choice]
    reasons: list[Choice]


def _label(code: str, label: str) -> str:
    return f"{code} — {label}" if label and label != code else code


def _by_label(item: tuple[str, str]) -> str:
    return item[1]


async def groupings(
    school: School,
) -> tuple[list[Division], list[TeachingGroup], list[DivisionSet]]:
    """The school's active divisions and groups (by code) and its sets of divisions (by name)."""
    divisions = await Division.filter(school=school, active=True).order_by("code")
    groups = await TeachingGroup.filter(school=school, active=True).order_by("code")
    sets = await DivisionSet.filter(school=school).order_by("name")
    return list(divisions), list(groups), list(sets)


async def search_choices(school: School, view: Visibility = EVERYTHING) -> Choices:
    """The school's active divisions and groups, its sets of divisions and its reasons (for a
    reader who sees only generic reasons, the generic reasons of the school's own)."""
    divisions, groups, sets = await groupings(school)
    reasons = await Reason.filter(school=school).order_by("label").prefetch_related("generic")
    shown = {
        view.reason_of(r.code, r.generic.code): view.reason_of(r.label, r.generic.label)
        for r in reasons
    }
    return Choices(
        divisions=[Choice(d.code, _label(d.code, d.label)) for d in divisions],
        groups=[Choice(g.code, _label(g.code, g.label)) for g in groups],
        sets=[Choice(str(s.id), s.name) for s in sets],
        reasons=[Choice(code, label) for code, label in sorted(shown.items(), key=_by_label)],
    )


async def action_types(
    school: School,
    defaults: Sequence[tuple[str, str]] = (),
    only: Collection[str] | None = None,
) -> list[Choice]:
    """The school's active action types, and the ``defaults`` (code, label) it has no row of
    yet (a school created before them: recording one adds it), by label; with ``only``, those
    codes alone. A default the school turned off is not offered."""
    rows = await ActionType.filter(school=school).order_by("label")
    known = {a.code for a in rows}
    found = [Choice(a.code, a.label) for a in rows if a.active]
    found += [Choice(code, label) for code, label in defaults if code not in known]
    return sorted(
        (c for c in found if only is None or c.value in only), key=lambda c: c.label.casefold()
    )


async def saved_searches(school: School, user_id: int) -> list[SavedSearch]:
    """The user's own saved searches in this school, by name."""
    return list(await SavedSearch.filter(school=school, user_id=user_id).order_by("name"))
