"""Database configuration and lifecycle: the one place that knows how tortoise is set up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

from core.files import create_private_file, narrow_file, private_dir
from core.models import MODEL_MODULES

APP_LABEL = "models"
MIGRATIONS_MODULE = "core.migrations"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class DatabaseError(Exception):
    """The database cannot be reached or prepared; the message is one line for the admin."""


def normalise_url(url: str) -> str:
    """Tortoise's URL: ``postgresql://`` becomes ``postgres://``; SQLite waits on locks."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://"):
        # Tortoise opens SQLite in WAL mode, where synchronous=NORMAL is durable against a
        # process crash and roughly halves the cost of each commit (a power cut may lose the
        # last transactions, never corrupt the file).
        for pragma in ("busy_timeout=5000", "synchronous=NORMAL"):
            if pragma.split("=")[0] not in url:
                url += ("&" if "?" in url else "?") + pragma
    return url


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise configuration for our single app, with its built-in migrations."""
    return {
        "connections": {"default": normalise_url(database_url)},
        "apps": {
            APP_LABEL: {
                "models": list(MODEL_MODULES),
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_directory(database_url: str) -> None:
    """Prepare a SQLite file owner-only (0600), refusing a missing directory (we create var/).

    SQLite gives its -wal, -shm and -journal files the mode of the database file, so creating
    the database 0600 before SQLite opens it keeps them private too, whatever the umask.
    """
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path in ("", ":memory:"):
        return
    database = Path(path)
    if database.parent == Path("var"):
        private_dir(database.parent)
    if not database.parent.is_dir():
        raise DatabaseError(f"the database directory {str(database.parent)!r} does not exist")
    create_private_file(database)
    for suffix in SQLITE_SIDE_FILES:
        narrow_file(database.with_name(database.name + suffix))


async def init_db(database_url: str) -> None:
    """Open the connections (no schema change: that is :func:`migrate`'s job)."""
    ensure_sqlite_directory(database_url)
    try:
        await Tortoise.init(config=tortoise_config(database_url))
        await ping()
    except DatabaseError:
        raise
    except Exception as error:  # driver errors vary: asyncpg, sqlite3, OSError
        raise DatabaseError(f"cannot open the database: {_one_line(error)}") from None


async def ping() -> None:
    """Ask the database a trivial question; raises what the driver raises when it cannot."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database went away — a restart, a cut
    connection, a server not accepting connections yet — rather than that a statement was
    wrong: what is worth trying again once it is back."""
    from tortoise.exceptions import DBConnectionError

    lost: tuple[type[BaseException], ...] = (DBConnectionError, ConnectionError, OSError)
    try:
        from asyncpg import exceptions as pg

        lost += (
            pg.PostgresConnectionError,  # SQLSTATE class 08
            pg.InterfaceError,  # the connection closed under the client
            pg.OperatorInterventionError,  # 57: admin shutdown, cannot connect now
        )
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, lost):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def database_answers() -> bool:
    """Whether the database answers (the health probe's question)."""
    try:
        await ping()
    except Exception:  # any driver failure means the probe must say so, not crash
        return False
    return True


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, *, replay: bool = False) -> list[str]:
    """Apply the committed migrations; returns the names applied.

    An empty database gets the models' schema in one step and every migration recorded as
    applied: replaying the whole chain costs seconds of CPU per migration on a new install
    (tests/core/test_models_schema.py checks both ways give the same schema). ``replay``
    forces the chain, as an existing database always gets it.
    """
    from tortoise.migrations.api.migrate import migrate as run_migrations
    from tortoise.migrations.executor import PlanStep

    ensure_sqlite_directory(database_url)
    config = tortoise_config(database_url)
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    def planned(_connection: str, plan: list[PlanStep], fake: bool, _dry_run: bool) -> None:
        if fake:
            applied.extend(f"{s.migration.app_label}.{s.migration.name}" for s in plan)

    try:
        fresh = not replay and await _is_empty(config)
        if fresh:
            await Tortoise.generate_schemas(safe=False)
        await run_migrations(config=config, progress=progress, reporter=planned, fake=fresh)
    except Exception as error:
        raise DatabaseError(f"cannot migrate the database: {_one_line(error)}") from None
    return applied


async def _is_empty(config: dict[str, Any]) -> bool:
    """Whether the database holds no table at all (a new install), opening the connections."""
    await Tortoise.init(config=config)
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    _, rows = await connection.execute_query(query)
    return not rows


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
