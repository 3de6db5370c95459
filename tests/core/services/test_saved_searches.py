"""Saved searches: per user and school, validated, replaced by name, deleted by their owner."""

from __future__ import annotations

import pytest

from core.errors import Invalid, NotFound
from core.models import AuditEntry, Membership, Role, SavedSearch, School, User
from core.services.audit import Actor
from core.services.events.saved_searches import delete_search, save_search


async def test_a_search_is_saved_with_its_criteria_and_columns(
    school_a: School, cpe_actor: Actor
) -> None:
    saved = await save_search(
        school_a,
        cpe_actor,
        "  5B   en mars ",
        {"division": "5B", "date_from": "2026-03-01", "offset": 100},
        ["comment", "reason"],
    )
    assert saved.name == "5B en mars"
    assert saved.criteria == {"division": "5B", "date_from": "2026-03-01"}
    assert saved.columns == ["reason", "comment"]  # in the columns' own order
    assert await AuditEntry.filter(action="saved_search.create").count() == 1


async def test_the_same_name_replaces_the_search(school_a: School, cpe_actor: Actor) -> None:
    first = await save_search(school_a, cpe_actor, "Suivi", {"division": "5B"}, [])
    second = await save_search(school_a, cpe_actor, "Suivi", {"division": "4A"}, ["notices"])
    assert second.id == first.id
    assert (await SavedSearch.get(id=first.id)).criteria == {"division": "4A"}
    assert await AuditEntry.filter(action="saved_search.update").count() == 1


async def test_bad_criteria_columns_and_names_are_refused(
    school_a: School, cpe_actor: Actor
) -> None:
    with pytest.raises(Invalid, match="kinds"):
        await save_search(school_a, cpe_actor, "x", {"kinds": ["holiday"]}, [])
    with pytest.raises(Invalid, match="unknown column"):
        await save_search(school_a, cpe_actor, "x", {}, ["password"])
    with pytest.raises(Invalid, match="name"):
        await save_search(school_a, cpe_actor, "   ", {}, [])
    with pytest.raises(Invalid, match="staff user"):
        await save_search(school_a, Actor.system("script"), "x", {}, [])


async def test_only_the_owner_deletes_a_search(school_a: School, cpe_actor: Actor) -> None:
    saved = await save_search(school_a, cpe_actor, "Mine", {}, [])
    colleague = await User.create(email="vs@alpha.example")
    await Membership.create(user=colleague, school=school_a, role=Role.VIE_SCOLAIRE)
    with pytest.raises(NotFound):
        await delete_search(school_a, Actor.of(colleague), saved.id)
    await delete_search(school_a, cpe_actor, saved.id)
    assert not await SavedSearch.exists(id=saved.id)
    entry = await AuditEntry.get(action="saved_search.delete")
    assert entry.entity_id == str(saved.id) and entry.before is not None
