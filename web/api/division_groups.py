"""Groups of divisions (« Niveau 3e », « 3e A-B-C »): listed for anyone of the school, made,
changed and deleted by admins and CPEs through :mod:`core.services.schools.division_sets`.
Divisions are named by their codes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.errors import NotFound
from core.queries.division_sets import SetRow, division_set, division_sets
from core.rules.permissions import Permission
from core.services.schools import division_sets as service
from web.api.registry import Call, Route

GROUPS = "/schools/{uai}/division-groups"
ONE = GROUPS + "/{id}"
CODES = "the divisions' codes (active divisions of the school)"


class DivisionGroupOut(BaseModel):
    """A group of divisions."""

    id: int
    name: str
    divisions: list[str] = Field(description="its divisions' codes")


class DivisionGroupList(BaseModel):
    items: list[DivisionGroupOut]
    total: int


class DivisionGroupIn(BaseModel):
    """A new group: a name unique in the school and at least one division."""

    name: str = Field(max_length=120)
    divisions: list[str] = Field(max_length=500, description=CODES)


class DivisionGroupPatch(BaseModel):
    """What changes (the rest stays): its name, its divisions (all of them)."""

    name: str | None = Field(default=None, max_length=120)
    divisions: list[str] | None = Field(default=None, max_length=500, description=CODES)


def _out(row: SetRow) -> DivisionGroupOut:
    return DivisionGroupOut(id=row.id, name=row.name, divisions=row.codes)


async def _one(call: Call, set_id: int) -> SetRow:
    row = await division_set(call.school, set_id)
    if row is None:
        raise NotFound(f"no group of divisions {set_id}")
    return row


async def list_division_groups(call: Call) -> DivisionGroupList:
    """The school's groups of divisions, by name."""
    rows = await division_sets(call.school)
    return DivisionGroupList(items=[_out(r) for r in rows], total=len(rows))


async def create_division_group(call: Call) -> DivisionGroupOut:
    body = call.body_as(DivisionGroupIn)
    ids = await service.division_ids(call.school, body.divisions)
    row = await service.create_division_set(call.school, body.name, ids, call.actor)
    return _out(await _one(call, row.id))


async def patch_division_group(call: Call) -> DivisionGroupOut:
    body = call.body_as(DivisionGroupPatch)
    current = await _one(call, call.path_id())
    codes = current.codes if body.divisions is None else body.divisions
    ids = await service.division_ids(call.school, codes)
    name = current.name if body.name is None else body.name
    await service.update_division_set(call.school, current.id, name, ids, call.actor)
    return _out(await _one(call, current.id))


async def delete_division_group(call: Call) -> DivisionGroupOut:
    """Delete a group (its divisions stay); answers the group as it was."""
    current = await _one(call, call.path_id())
    await service.delete_division_set(call.school, current.id, call.actor)
    return _out(current)


_WRITE = "Refused (422) for an empty or too long name, no division, or a code that is not an "
ROUTES = [
    Route(
        "GET",
        GROUPS,
        list_division_groups,
        summary="List the groups of divisions",
        permission=Permission.READ,
        response=DivisionGroupList,
        tag="division-groups",
    ),
    Route(
        "POST",
        GROUPS,
        create_division_group,
        summary="Create a group of divisions",
        permission=Permission.DIVISION_GROUPS,
        response=DivisionGroupOut,
        status=201,
        body=DivisionGroupIn,
        tag="division-groups",
        description=_WRITE + "active division of the school; 409 when the name is taken.",
    ),
    Route(
        "PATCH",
        ONE,
        patch_division_group,
        summary="Rename a group of divisions or choose its divisions again",
        permission=Permission.DIVISION_GROUPS,
        response=DivisionGroupOut,
        body=DivisionGroupPatch,
        tag="division-groups",
        description=_WRITE + "active division of the school; 409 when the name is taken.",
    ),
    Route(
        "DELETE",
        ONE,
        delete_division_group,
        summary="Delete a group of divisions",
        permission=Permission.DIVISION_GROUPS,
        response=DivisionGroupOut,
        tag="division-groups",
    ),
]
