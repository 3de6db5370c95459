"""Groups of divisions (« Niveau 3e », « 3e A-B-C »): a name and some of the school's active
divisions, offered by the grid and the follow-up. Created, changed and deleted here, each in
one transaction with its audit record; a refused change leaves the group as it was."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.bounds import MAX_ID, fits
from core.errors import Conflict, Invalid, NotFound
from core.models import Division, DivisionSet, School
from core.services import audit
from core.services.audit import Actor

MAX_NAME = 120
MAX_DIVISIONS = 500  # more than any school has


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name or not fits(DivisionSet, "name", name):
        raise Invalid(
            f"a group of divisions is named with 1 to {MAX_NAME} characters",
            code="division_set_name",
        )
    return name


async def _divisions(school: School, ids: Iterable[int]) -> list[Division]:
    """The school's active divisions of ``ids``; refused when one is not (or none given)."""
    wanted = sorted(set(ids))
    if not wanted:
        raise Invalid("a group of divisions holds at least one division", code="division_set_empty")
    if len(wanted) > MAX_DIVISIONS or not all(0 < i <= MAX_ID for i in wanted):
        raise Invalid("a division chosen cannot be one", code="division_set_divisions")
    found = await Division.filter(school=school, active=True, id__in=wanted).order_by("code")
    if len(found) != len(wanted):
        raise Invalid(
            "a division chosen is not an active division of the school",
            code="division_set_divisions",
        )
    return list(found)


async def division_ids(school: School, codes: Iterable[str]) -> list[int]:
    """The ids of the school's active divisions of ``codes``; refused when one is not."""
    wanted = {code.strip() for code in codes}
    if len(wanted) > MAX_DIVISIONS or not all(fits(Division, "code", c) for c in wanted):
        raise Invalid("a division named cannot be one", code="division_set_divisions")
    found = dict(
        await Division.filter(school=school, active=True, code__in=sorted(wanted)).values_list(
            "code", "id"
        )
    )
    if set(found) != wanted:
        raise Invalid(
            "a division named is not an active division of the school",
            code="division_set_divisions",
        )
    return sorted(found.values())


def _taken(name: str) -> Conflict:
    return Conflict(f"a group of divisions is already named {name!r}", code="division_set_exists")


async def _free(school: School, name: str, but: int | None = None) -> None:
    taken = DivisionSet.filter(school=school, name=name)
    if but is not None:
        taken = taken.exclude(id=but)
    if await taken.exists():
        raise _taken(name)


def _state(row: DivisionSet, divisions: list[Division]) -> dict[str, object]:
    return {"name": row.name, "divisions": [d.code for d in divisions]}


async def create_division_set(
    school: School, name: str, division_ids: Iterable[int], actor: Actor
) -> DivisionSet:
    """A new group of divisions; raises :class:`Invalid` or :class:`Conflict` (name taken)."""
    clean = _name(name)
    async with in_transaction():
        divisions = await _divisions(school, division_ids)
        await _free(school, clean)
        try:
            row = await DivisionSet.create(school=school, name=clean)
        except IntegrityError:
            raise _taken(clean) from None
        await row.divisions.add(*divisions)
        await audit.record(
            actor, "division_set.create", row, school_id=school.id, after=_state(row, divisions)
        )
    return row


async def _get(school: School, set_id: int) -> DivisionSet:
    row = await DivisionSet.get_or_none(id=set_id, school=school)
    if row is None:
        raise NotFound(f"no group of divisions {set_id} in {school.uai}")
    return row


async def update_division_set(
    school: School, set_id: int, name: str, division_ids: Iterable[int], actor: Actor
) -> DivisionSet:
    """Rename a group and choose its divisions again (all or nothing)."""
    clean = _name(name)
    async with in_transaction():
        row = await DivisionSet.select_for_update().get_or_none(id=set_id, school=school)
        if row is None:
            raise NotFound(f"no group of divisions {set_id} in {school.uai}")
        divisions = await _divisions(school, division_ids)
        await _free(school, clean, but=row.id)
        had = list(await row.divisions.all().order_by("code"))
        before = _state(row, had)
        row.name = clean
        try:
            await row.save(update_fields=["name"])
        except IntegrityError:
            raise _taken(clean) from None
        await row.divisions.clear()
        await row.divisions.add(*divisions)
        after = _state(row, divisions)
        if before != after:
            await audit.record(
                actor,
                "division_set.update",
                row,
                school_id=school.id,
                before=before,
                after=after,
            )
    return row


async def delete_division_set(school: School, set_id: int, actor: Actor) -> None:
    """Delete a group of divisions (its divisions stay as they are)."""
    async with in_transaction():
        row = await _get(school, set_id)
        before = _state(row, list(await row.divisions.all().order_by("code")))
        await row.divisions.clear()
        await row.delete()
        await audit.record(
            actor,
            "division_set.delete",
            "division_set",
            school_id=school.id,
            entity_id=set_id,
            before=before,
        )
