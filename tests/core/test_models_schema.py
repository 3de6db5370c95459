"""The committed migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.models import Model

from core.db import MODEL_MODULES, close_db, migrate, tortoise_config
from tests.conftest import drop_postgres_database


def test_the_migration_tool_config_names_every_model_module() -> None:
    """`make migrations` reads tortoise.json: it must know every module, in the same order."""
    config = json.loads((Path(__file__).resolve().parents[2] / "tortoise.json").read_text())
    assert config["apps"]["models"]["models"] == list(MODEL_MODULES)
    assert config["apps"]["models"]["migrations"] == "core.migrations"


async def test_the_committed_migrations_match_the_models() -> None:
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    pending = [(w.name, [type(op).__name__ for op in w.operations]) for w in writers]
    assert pending == [], "run `make migrations` and commit the new migration"


MIGRATIONS = Path(__file__).resolve().parents[2] / "core" / "migrations"


async def _new_database(db: str, tmp_path: Path, name: str) -> str:
    if db.startswith("sqlite"):
        return f"sqlite://{tmp_path}/{name}.sqlite3"
    url = f"{db}_{name}"
    await Tortoise.get_connection("default").execute_script(
        f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'
    )
    return url


SQLITE_SHAPE = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
ORDER = ("cid", "id", "seq")  # positions, which differ when a column was added later
POSTGRES_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, character_maximum_length,
       regexp_replace(coalesce(column_default, ''), '_id_seq[0-9]*', '_id_seq')
FROM information_schema.columns WHERE table_schema = current_schema()"""
POSTGRES_INDEXES = """
SELECT c.relname, i.indisunique, array_agg(a.attname::text ORDER BY k.ord)::text
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
GROUP BY c.relname, i.indexrelid, i.indisunique"""
POSTGRES_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, confrelid::regclass::text, confdeltype::text,
       (SELECT array_agg(attname::text) FROM pg_attribute
        WHERE attrelid = conrelid AND attnum = ANY(conkey))::text
FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"""


async def _shape(url: str) -> set[tuple[object, ...]]:
    """Tables, columns, indexes and foreign keys as sets (order and names left aside)."""
    await close_db()
    await Tortoise.init(config=tortoise_config(url))
    connection = Tortoise.get_connection("default")
    found: set[tuple[object, ...]] = set()
    try:
        if url.startswith("sqlite"):
            for row in (await connection.execute_query(SQLITE_SHAPE))[1]:
                table = row["name"]
                if table == "tortoise_migrations":
                    continue
                for pragma in ("table_info", "foreign_key_list"):
                    for r in (await connection.execute_query(f'PRAGMA {pragma}("{table}")'))[1]:
                        kept = (v for k, v in dict(r).items() if k not in ORDER)
                        found.add((table, pragma, *kept))
                for index in (await connection.execute_query(f'PRAGMA index_list("{table}")'))[1]:
                    info = f'PRAGMA index_info("{index["name"]}")'
                    columns = [r["name"] for r in (await connection.execute_query(info))[1]]
                    found.add((table, "index", index["unique"], tuple(columns)))
        else:
            for query in (POSTGRES_COLUMNS, POSTGRES_INDEXES, POSTGRES_FOREIGN_KEYS):
                for r in (await connection.execute_query(query))[1]:
                    if "tortoise_migrations" not in str(tuple(r.values())):
                        found.add(tuple(r.values()))
    finally:
        await close_db()
    return found


async def test_migrations_apply_once_and_a_new_database_gets_the_same_schema(
    db: str, tmp_path: Path
) -> None:
    """A new database is created from the models in one step; an old one replays the chain:
    both hold the same tables, columns, indexes and foreign keys, and record every migration."""
    fast = await _new_database(db, tmp_path, "fast")
    replayed = await _new_database(db, tmp_path, "replayed")
    shipped = [f"models.{name}" for name in sorted(p.stem for p in MIGRATIONS.glob("0*.py"))]
    try:
        assert await migrate(fast) == shipped
        await close_db()
        assert await migrate(fast) == []
        await close_db()
        assert await migrate(replayed, replay=True) == shipped
        await close_db()
        assert await migrate(replayed) == []
        shape = await _shape(fast)
        assert len(shape) > 300
        other = await _shape(replayed)
        assert (shape - other, other - shape) == (set(), set())
    finally:
        await close_db()
        if not db.startswith("sqlite"):
            await drop_postgres_database(fast)
            await drop_postgres_database(replayed)


def _declared(model: type[Model]) -> set[tuple[tuple[str, ...], bool]]:
    """The multi-column unique constraints and the indexes a model declares, by columns."""
    meta = model._meta

    def column(name: str) -> str:
        field = meta.fields_map[name]
        return str(getattr(field, "source_field", None) or field.source_field or name)

    found = {(tuple(column(n) for n in names), True) for names in meta.unique_together}
    for index in meta.indexes:
        names = index.fields if hasattr(index, "fields") else index
        found.add((tuple(column(n) for n in names), False))
    return found


async def test_a_migrated_sqlite_database_has_every_constraint_and_index(tmp_path: Path) -> None:
    """SQLite rebuilds a table to alter a column, and the rebuild left out its multi-column
    constraints and indexes (a provider's callback twice, a sweep without its index)."""
    path = tmp_path / "migrated.sqlite3"
    await migrate(f"sqlite://{path}", replay=True)
    await close_db()
    with sqlite3.connect(path) as db:
        indexes: dict[str, set[tuple[tuple[str, ...], bool]]] = {}
        for table, name, unique in db.execute(
            'SELECT m.tbl_name, l.name, l."unique" FROM sqlite_master m '
            "JOIN pragma_index_list(m.tbl_name) l WHERE m.type = 'table'"
        ):
            columns = tuple(r[2] for r in db.execute(f'PRAGMA index_info("{name}")'))
            indexes.setdefault(table, set()).add((columns, bool(unique)))
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config("sqlite://:memory:"))
        models = list(ctx.apps["models"].values())
    missing = [
        (model._meta.db_table, declared)
        for model in models
        for declared in _declared(model)
        if declared not in indexes.get(model._meta.db_table, set())
    ]
    assert missing == []
