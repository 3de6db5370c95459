"""Saved follow-up searches: a user names the criteria and columns they want to run again."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import SavedSearch, School
from core.queries.search import EXTRA_COLUMNS, parse_criteria
from core.services import audit
from core.services.audit import Actor

MAX_NAME = 120


def _checked(name: str, criteria: object, columns: Sequence[str]) -> tuple[str, dict[str, object]]:
    name = " ".join(name.split())
    if not name:
        raise Invalid("a saved search needs a name", code="search_name")
    if len(name) > MAX_NAME:
        raise Invalid(
            f"the name of a saved search has at most {MAX_NAME} characters",
            code="search_name_long",
            most=MAX_NAME,
        )
    unknown = sorted(set(columns) - set(EXTRA_COLUMNS))
    if unknown:
        raise Invalid(f"unknown column(s): {', '.join(unknown)}", code="search_columns")
    return name, parse_criteria(criteria).saved()


async def save_search(
    school: School, actor: Actor, name: str, criteria: object, columns: Sequence[str]
) -> SavedSearch:
    """Save the criteria and columns under ``name`` for the actor (the same name replaces)."""
    if actor.user_id is None:
        raise Invalid("only a staff user saves searches", code="search_staff")
    name, saved = _checked(name, criteria, columns)
    chosen = [c for c in EXTRA_COLUMNS if c in set(columns)]
    async with in_transaction():
        search = await SavedSearch.get_or_none(user_id=actor.user_id, school=school, name=name)
        before = audit.snapshot(search) if search else None
        if search is None:
            search = await SavedSearch.create(
                user_id=actor.user_id, school=school, name=name, criteria=saved, columns=chosen
            )
        else:
            search.criteria, search.columns = saved, chosen
            await search.save(update_fields=["criteria", "columns"])
        action = "saved_search.update" if before else "saved_search.create"
        await audit.record(
            actor, action, search, school_id=school.id, before=before, after=audit.snapshot(search)
        )
    return search


async def delete_search(school: School, actor: Actor, search_id: int) -> None:
    """Delete one of the actor's own saved searches (another user's is not found)."""
    async with in_transaction():
        search = await SavedSearch.get_or_none(id=search_id, school=school, user_id=actor.user_id)
        if search is None:
            raise NotFound(f"no saved search {search_id}")
        before = audit.snapshot(search)
        await search.delete()
        await audit.record(
            actor,
            "saved_search.delete",
            "saved_search",
            school_id=school.id,
            entity_id=search_id,
            before=before,
        )
