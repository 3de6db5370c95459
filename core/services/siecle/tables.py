"""Table synchronisation for the SIECLE import: diff, bulk write, count and audit one table.

Each table is read in one query and written with bulk statements: never a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pypika_tortoise.queries import Table
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.models import Model

from core.models import AuditEntry
from core.services.audit import Actor, plain
from core.siecle.diff import Row, TableDiff, diff_rows
from core.siecle.plan import count
from core.siecle.summary import KindCounts

IMPORT_LABEL = "import siecle"
BATCH = 500
K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=Model)


class AuditLog:
    """The audit rows of one import (one per changed row), written in bulk at the end."""

    def __init__(self, school_id: int, actor: Actor, source: str = IMPORT_LABEL) -> None:
        self.school_id = school_id
        self.actor = actor
        self.entries: list[AuditEntry] = []
        label = actor.label
        self.label = label if label.startswith(source) else f"{source} ({label})"[:120]

    def add(self, action: str, entity: str, entity_id: object, before: Any, after: Any) -> None:
        self.entries.append(
            AuditEntry(
                school_id=self.school_id,
                actor_id=self.actor.user_id,
                actor_label=self.label,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                before=None if before is None else plain(before),
                after=None if after is None else plain(after),
            )
        )

    def add_diff(
        self, entity: str, diff: TableDiff[K], ids: Mapping[K, int], desired: Mapping[K, Row]
    ) -> None:
        """One row per created or updated row; an update that deactivates is a removal."""
        for key in diff.created:
            self.add("siecle.create", entity, ids.get(key), None, desired[key])
        for change in diff.updated:
            removal = change.after.get("active") is False
            action = "siecle.remove" if removal else "siecle.update"
            self.add(action, entity, ids.get(change.key), change.before, change.after)

    async def flush(self) -> None:
        await AuditEntry.bulk_create(self.entries, batch_size=BATCH)
        self.entries.clear()


@dataclass(slots=True)
class TableSync(Generic[K, M]):
    """One table: its stored rows by key, how to make a new one, how to read back ids."""

    model: type[M]
    existing: Mapping[K, M]
    make: Callable[[K, Row], M]
    reload: Callable[[], Awaitable[dict[K, int]]]
    extras: Mapping[K, Row] = field(default_factory=dict)  # stored pseudo-field values

    async def apply(
        self, desired: Mapping[K, Row], counts: KindCounts, audit: AuditLog
    ) -> tuple[TableDiff[K], dict[K, int]]:
        """Diff with ``desired``, write what differs, count and audit it; ids by key."""
        current = {
            key: {name: self._stored(key, obj, name) for name in desired[key]}
            for key, obj in self.existing.items()
            if key in desired
        }
        diff = diff_rows(current, desired)
        # Updates first: a value a row gives up may be taken by a new row (unique keys).
        await bulk_update(self.model, [(self.existing[c.key], c.after) for c in diff.updated])
        if diff.created:
            new = [self.make(key, desired[key]) for key in diff.created]
            await self.model.bulk_create(new, batch_size=BATCH)
        ids = await self.reload() if diff.created else {k: o.pk for k, o in self.existing.items()}
        count(counts, diff)
        audit.add_diff(self.model._meta.db_table, diff, ids, desired)
        return diff, ids

    def _stored(self, key: K, obj: M, name: str) -> object:
        extra = self.extras.get(key)
        return extra[name] if extra is not None and name in extra else getattr(obj, name)


def columns(model: type[Model], row: Row) -> dict[str, Any]:
    """The row without its pseudo-fields (memberships are written apart)."""
    projection = model._meta.fields_db_projection
    return {name: value for name, value in row.items() if name in projection}


async def bulk_update(model: type[M], changes: Sequence[tuple[M, Row]]) -> None:
    """Set the changed columns on each object and write them in a few statements."""
    names: set[str] = set()
    objects: list[M] = []
    for obj, after in changes:
        values = columns(model, after)
        for name, value in values.items():
            setattr(obj, name, value)
        if values:
            names.update(values)
            objects.append(obj)
    if not objects:
        return
    if "updated_at" in model._meta.fields_db_projection:
        now = datetime.now(UTC)
        for obj in objects:
            obj.updated_at = now
        names.add("updated_at")
    await model.bulk_update(objects, fields=sorted(names), batch_size=BATCH)


async def ids_of(model: type[Model], *keys: str, **filters: object) -> dict[Any, int]:
    """Key (one field, or a tuple of several) → id, in one query."""
    found = await model.filter(**filters).values_list(*keys, "id")
    if len(keys) == 1:
        return {row[0]: int(row[1]) for row in found if row[0] is not None}
    return {tuple(row[:-1]): int(row[-1]) for row in found}


async def memberships(model: type[Model], key: str, name: str, **filters: object) -> dict[Any, Row]:
    """Key → {name: sorted codes} of a many-to-many relation, in one query."""
    codes: dict[Any, list[str]] = defaultdict(list)
    for owner, code in await model.filter(**filters).values_list(key, f"{name}__code"):
        found = codes[owner]
        if code is not None:
            found.append(code)
    return {owner: {name: tuple(sorted(found))} for owner, found in codes.items()}


async def write_pairs(
    model: type[Model],
    name: str,
    adds: Sequence[tuple[int, int]],
    removes: Sequence[tuple[int, int]],
) -> None:
    """Insert and delete rows (owner id, other id) of a many-to-many table, in bulk."""
    relation = model._meta.fields_map[name]
    if not isinstance(relation, ManyToManyFieldInstance):
        raise TypeError(f"{model.__name__}.{name} is not a many-to-many field")
    table = Table(relation.through)
    owner, other = table[relation.backward_key], table[relation.forward_key]
    db = model._meta.db
    for start in range(0, len(adds), BATCH):
        insert = db.query_class.into(table).columns(owner, other)
        insert = insert.insert(*adds[start : start + BATCH])
        await db.execute_query(*insert.get_parameterized_sql())
    per_owner: dict[int, list[int]] = defaultdict(list)
    for owner_id, other_id in removes:
        per_owner[owner_id].append(other_id)
    for owner_id, others in per_owner.items():
        delete = db.query_class.from_(table).where((owner == owner_id) & other.isin(others))
        await db.execute_query(*delete.delete().get_parameterized_sql())


async def remove_rows(
    model: type[Model], objects: Sequence[Model], counts: KindCounts, audit: AuditLog
) -> None:
    """Delete rows the files no longer have (contact points, links), each audited."""
    if not objects:
        return
    await model.filter(id__in=[obj.pk for obj in objects]).delete()
    counts.removed += len(objects)
    for obj in objects:
        before = {name: getattr(obj, name) for name in obj._meta.db_fields if name != "id"}
        audit.add("siecle.remove", model._meta.db_table, obj.pk, before, None)
