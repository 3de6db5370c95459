"""The audit log: every change records who, when, and the state before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise.models import Model

from core.models import AuditEntry, User


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: a staff user, or a named system process (an import, the demo)."""

    user_id: int | None
    label: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user_id=user.id, label=user.email or user.known_as)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user_id=None, label=label)


def plain(value: Any) -> Any:
    """A JSON-safe copy of a field value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(instance: Model, names: tuple[str, ...] | None = None) -> dict[str, object]:
    """The stored fields of ``instance`` (foreign keys by id), as plain JSON values."""
    meta = instance._meta
    fields = names or tuple(meta.db_fields)
    result: dict[str, object] = {}
    for name in fields:
        attribute = meta.fields_db_projection_reverse.get(name, name)
        result[attribute] = plain(getattr(instance, attribute))
    return result


def changed(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    """Only the keys whose value differs (used to keep audit rows short)."""
    return {k: v for k, v in after.items() if before.get(k) != v}


async def record(
    actor: Actor,
    action: str,
    entity: Model | str,
    *,
    school_id: int | None,
    entity_id: object = None,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> AuditEntry:
    """Write one audit row (call it inside the transaction of the change it describes)."""
    if isinstance(entity, Model):
        name = entity._meta.db_table
        entity_id = entity.pk if entity_id is None else entity_id
    else:
        name = entity
    return await AuditEntry.create(
        school_id=school_id,
        actor_id=actor.user_id,
        actor_label=actor.label[:120],
        action=action,
        entity=name,
        entity_id=None if entity_id is None else str(entity_id),
        before=None if before is None else plain(before),
        after=None if after is None else plain(after),
    )
