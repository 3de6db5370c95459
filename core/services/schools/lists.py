"""A school's own lists: local reasons (each under a national generic one), justification
types and action types. Created, changed, deactivated (never deleted: events point at them),
each change in one transaction with its audit row.

Errors carry a stable ``code`` (``code_format``, ``code_taken``, ``label``, ``colour``,
``generic_unknown``, ``reason_kind``) for the panel to word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import ActionType, GenericReason, JustificationType, Reason, School
from core.services import audit
from core.services.audit import Actor
from core.services.schools.slots import check_colour

CODE = re.compile(r"^[A-Z0-9_]{1,30}$")
M = TypeVar("M", Reason, JustificationType, ActionType)


def check_code(code: str) -> str:
    """An upper-case code of letters, digits and underscores (30 at most)."""
    value = code.strip().upper()
    if not CODE.match(value):
        raise Invalid(f"invalid code {code!r}: A-Z, 0-9 and _ only", code="code_format")
    return value


def check_label(label: str) -> str:
    value = label.strip()
    if not 1 <= len(value) <= 120:
        raise Invalid("a label needs 1 to 120 characters", code="label")
    return value


@dataclass(frozen=True, slots=True)
class ReasonData:
    """A local reason as the admin describes it (``generic`` is a national code)."""

    code: str
    label: str
    generic: str
    colour: str = "#d9534f"
    legitimate_by_default: bool | None = None
    counts: bool = True
    parents_may_choose: bool = False
    for_absence: bool = True
    for_lateness: bool = False


async def _reason_values(data: ReasonData) -> dict[str, object]:
    generic = await GenericReason.get_or_none(code=data.generic)
    if generic is None:
        raise Invalid(f"unknown generic reason {data.generic!r}", code="generic_unknown")
    if not (data.for_absence or data.for_lateness):
        raise Invalid("a reason is for absences, lateness or both", code="reason_kind")
    return {
        "code": check_code(data.code),
        "label": check_label(data.label),
        "generic_id": generic.id,
        "colour": check_colour(data.colour),
        "legitimate_by_default": data.legitimate_by_default,
        "counts": data.counts,
        "parents_may_choose": data.parents_may_choose,
        "for_absence": data.for_absence,
        "for_lateness": data.for_lateness,
    }


async def _refuse_taken(model: type[M], school: School, code: str, own: int | None) -> None:
    clash = await model.filter(school=school, code=code).exclude(id=own or 0).exists()
    if clash:
        raise Conflict(f"the code {code} is already used", code="code_taken")


async def _get(model: type[M], school: School, row_id: int) -> M:
    row = await model.get_or_none(id=row_id, school=school)
    if row is None:
        raise NotFound(f"no {model._meta.db_table} {row_id} in {school.uai}")
    return row


async def _create(model: type[M], school: School, values: dict[str, object], actor: Actor) -> M:
    async with in_transaction():
        await _refuse_taken(model, school, str(values["code"]), None)
        row = await model.create(school=school, **values)  # type: ignore[arg-type]
        name = model._meta.db_table
        await audit.record(
            actor, f"{name}.create", row, school_id=school.id, after=audit.snapshot(row)
        )
    return row


async def ensure_listed(
    model: type[M], school: School, code: str, values: dict[str, object], actor: Actor
) -> M:
    """The school's row of ``code`` (a default type a feature relies on), added (audited) to a
    school created before the default existed; an active or inactive row is the school's
    choice and is returned as it is."""
    row = await model.get_or_none(school_id=school.id, code=code)
    if row is not None:
        return row
    try:
        return await _create(model, school, {"code": code, **values}, actor)
    except (IntegrityError, Conflict):  # added by another request at the same moment
        return await model.get(school_id=school.id, code=code)


async def _update(
    model: type[M], school: School, row_id: int, values: dict[str, object], actor: Actor
) -> M:
    async with in_transaction():
        row = await _get(model, school, row_id)
        if "code" in values:
            await _refuse_taken(model, school, str(values["code"]), row.id)
        before = audit.snapshot(row)
        for key, value in values.items():
            setattr(row, key, value)
        await row.save()
        after = audit.changed(before, audit.snapshot(row))
        await audit.record(
            actor,
            f"{model._meta.db_table}.edit",
            row,
            school_id=school.id,
            before={k: before[k] for k in after},
            after=after,
        )
    return row


async def create_reason(school: School, data: ReasonData, actor: Actor) -> Reason:
    """A new local reason under a national generic reason."""
    return await _create(Reason, school, await _reason_values(data), actor)


async def update_reason(school: School, reason_id: int, data: ReasonData, actor: Actor) -> Reason:
    return await _update(Reason, school, reason_id, await _reason_values(data), actor)


async def set_active(model: type[M], school: School, row_id: int, active: bool, actor: Actor) -> M:
    """Deactivate (hidden from new entries, kept on past events) or reactivate a row."""
    return await _update(model, school, row_id, {"active": active}, actor)


async def create_justification_type(
    school: School, code: str, label: str, actor: Actor, *, provisional: bool = False
) -> JustificationType:
    values = {"code": check_code(code), "label": check_label(label), "provisional": provisional}
    return await _create(JustificationType, school, values, actor)


async def update_justification_type(
    school: School, row_id: int, label: str, actor: Actor, *, provisional: bool, active: bool
) -> JustificationType:
    values = {"label": check_label(label), "provisional": provisional, "active": active}
    return await _update(JustificationType, school, row_id, values, actor)


async def create_action_type(school: School, code: str, label: str, actor: Actor) -> ActionType:
    values: dict[str, object] = {"code": check_code(code), "label": check_label(label)}
    return await _create(ActionType, school, values, actor)


async def update_action_type(
    school: School, row_id: int, label: str, actor: Actor, *, active: bool
) -> ActionType:
    values = {"label": check_label(label), "active": active}
    return await _update(ActionType, school, row_id, values, actor)
