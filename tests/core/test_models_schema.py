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


async def test_migrations_apply_once_on_an_empty_database(db: str, tmp_path: Path) -> None:
    if db.startswith("sqlite"):
        url = f"sqlite://{tmp_path}/migrated.sqlite3"
    else:
        url = db + "_m"
        await Tortoise.get_connection("default").execute_script(
            f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'
        )
    try:
        shipped = sorted(p.stem for p in MIGRATIONS.glob("0*.py"))
        assert await migrate(url) == [f"models.{name}" for name in shipped]
        assert await migrate(url) == []
    finally:
        await close_db()
        if not db.startswith("sqlite"):
            await drop_postgres_database(url)


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
    await migrate(f"sqlite://{path}")
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
