"""Groups of divisions: created, changed and deleted with their audit; every refusal worded
by its code and nothing half-applied; the grid and the follow-up offer them."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, Division, DivisionSet, School
from core.queries.choices import search_choices
from core.queries.division_sets import division_sets, divisions_by_level
from core.services.audit import Actor
from core.services.schools.division_sets import (
    create_division_set,
    delete_division_set,
    update_division_set,
)
from web.panel.grid_data import choices as grid_choices


async def _divisions(school: School, *codes: str) -> dict[str, Division]:
    return {code: await Division.create(school=school, code=code) for code in codes}


async def _codes(row: DivisionSet) -> list[str]:
    return sorted(d.code for d in await row.divisions.all())


async def test_a_group_is_created_changed_and_deleted_with_its_audit(
    school_a: School, system: Actor
) -> None:
    d = await _divisions(school_a, "3A", "3B", "3C")
    row = await create_division_set(school_a, "  Niveau   3e ", [d["3A"].id, d["3B"].id], system)
    assert row.name == "Niveau 3e" and await _codes(row) == ["3A", "3B"]
    await update_division_set(school_a, row.id, "3e A-B-C", [d[c].id for c in d], system)
    fresh = await DivisionSet.get(id=row.id)
    assert fresh.name == "3e A-B-C" and await _codes(fresh) == ["3A", "3B", "3C"]
    await delete_division_set(school_a, row.id, system)
    assert not await DivisionSet.exists(id=row.id)
    actions = [a.action for a in await AuditEntry.filter(school_id=school_a.id).order_by("id")]
    assert actions[-3:] == ["division_set.create", "division_set.update", "division_set.delete"]
    update = await AuditEntry.get(action="division_set.update")
    assert update.before == {"name": "Niveau 3e", "divisions": ["3A", "3B"]}
    assert update.after == {"name": "3e A-B-C", "divisions": ["3A", "3B", "3C"]}


async def test_refusals_leave_everything_as_it_was(
    school_a: School, school_b: School, system: Actor
) -> None:
    d = await _divisions(school_a, "3A", "3B")
    theirs = await Division.create(school=school_b, code="3A")
    gone = await Division.create(school=school_a, code="OLD", active=False)
    row = await create_division_set(school_a, "Niveau 3e", [d["3A"].id], system)
    other = await create_division_set(school_a, "3e B", [d["3B"].id], system)
    audited = await AuditEntry.all().count()
    cases: list[tuple[str, list[int], type[Exception], str]] = [
        ("   ", [d["3A"].id], Invalid, "division_set_name"),
        ("x" * 121, [d["3A"].id], Invalid, "division_set_name"),
        ("Autre", [], Invalid, "division_set_empty"),
        ("Autre", [d["3A"].id, theirs.id], Invalid, "division_set_divisions"),
        ("Autre", [d["3A"].id, 999_999], Invalid, "division_set_divisions"),
        ("Autre", [d["3A"].id, 999_999_999_999], Invalid, "division_set_divisions"),
        ("Autre", [gone.id], Invalid, "division_set_divisions"),
        ("3e B", [d["3A"].id], Conflict, "division_set_exists"),
    ]
    for name, ids, kind, code in cases:
        with pytest.raises(kind) as raised:
            await create_division_set(school_a, name, ids, system)
        assert raised.value.code == code, (name, ids)
        with pytest.raises(kind) as raised:
            await update_division_set(school_a, row.id, name, ids, system)
        assert raised.value.code == code, (name, ids)
    assert await DivisionSet.filter(school=school_a).count() == 2
    fresh = await DivisionSet.get(id=row.id)
    assert fresh.name == "Niveau 3e" and await _codes(fresh) == ["3A"]
    assert await _codes(other) == ["3B"]
    assert await AuditEntry.all().count() == audited
    # another school's group is not found, and the same name is free in another school
    with pytest.raises(NotFound):
        await update_division_set(school_b, row.id, "x", [theirs.id], system)
    with pytest.raises(NotFound):
        await delete_division_set(school_b, row.id, system)
    assert await create_division_set(school_b, "Niveau 3e", [theirs.id], system)


async def test_a_group_made_here_is_offered_by_the_grid_and_the_follow_up(
    school_a: School, system: Actor
) -> None:
    d = await _divisions(school_a, "4A", "4B")
    row = await create_division_set(school_a, "Niveau 4e", [d["4A"].id, d["4B"].id], system)
    grid = await grid_choices(school_a)
    assert [(t.kind, t.key, t.label) for t in grid["set"]] == [("set", str(row.id), "Niveau 4e")]
    follow_up = await search_choices(school_a)
    assert [(c.value, c.label) for c in follow_up.sets] == [(str(row.id), "Niveau 4e")]
    listed = await division_sets(school_a)
    assert [(r.name, r.codes) for r in listed] == [("Niveau 4e", ["4A", "4B"])]
    levels = await divisions_by_level(school_a)
    assert [(lv.label, [x.code for x in lv.divisions]) for lv in levels] == [("", ["4A", "4B"])]
