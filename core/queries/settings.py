"""The school's lists as the settings pages and the grid read them: reasons, justification and
action types, closed days."""

from __future__ import annotations

from typing import Literal

from core.models import ActionType, ClosedDay, GenericReason, JustificationType, Reason, School

TypeKind = Literal["justifications", "actions"]


async def reasons(school: School, *, active_only: bool = False) -> list[Reason]:
    """The school's reasons by label (every one, or the active ones), their generic loaded."""
    found = Reason.filter(school=school)
    if active_only:
        found = found.filter(active=True)
    return list(await found.prefetch_related("generic").order_by("label"))


async def school_reason(school: School, reason_id: int) -> Reason | None:
    """One reason of the school with its generic reason (another school's: None)."""
    return await Reason.get_or_none(id=reason_id, school=school).prefetch_related("generic")


async def generic_reasons() -> list[GenericReason]:
    """The national generic reasons, in their order."""
    return list(await GenericReason.all().order_by("id"))


async def typed_rows(school: School, kind: TypeKind) -> list[JustificationType] | list[ActionType]:
    """The school's justification types or action types, by label."""
    if kind == "justifications":
        return list(await JustificationType.filter(school=school).order_by("label"))
    return list(await ActionType.filter(school=school).order_by("label"))


async def active_justifications(school: School) -> list[JustificationType]:
    """The school's active justification types."""
    return list(await JustificationType.filter(school=school, active=True))


async def school_closed_days(school: School) -> list[ClosedDay]:
    """The school's closed days and half-days, by day."""
    return list(await ClosedDay.filter(school=school).order_by("day", "half"))
