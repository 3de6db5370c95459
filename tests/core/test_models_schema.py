"""The committed migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

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
