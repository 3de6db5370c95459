"""Backups as docs/deploy.md tells an academy to make them: a school with events, its
statistics, a dump restored into a new database, the same statistics (real PostgreSQL with
pg_dump and pg_restore; SQLite with its online backup API). Subprocesses, as an admin runs them."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import Install
from tests.conftest import (
    _postgres_reachable,
    create_postgres_database,
    drop_postgres_database,
    fresh_postgres_url,
    postgres_base_url,
    unavailable,
)

UAI = "0999001X"
TODAY = "2026-11-27"  # the demo's events fall in the six weeks before it: November crosses


def build_school(install: Install) -> None:
    for args in (
        ("migrate",),
        ("demo", "--students", "60", "--weeks", "6", "--today", TODAY),
    ):
        done = install.run(*args)
        assert done.returncode == 0, done.stderr


def figures(install: Install) -> dict[str, object]:
    """The school year's monthly indicator and November's, as JSON, and the check's verdict."""
    year = install.run("stats", "absenteeism", "--school", UAI, "--year", "2026", "--json")
    month = install.run("stats", "absenteeism", "--school", UAI, "--month", "2026-11", "--json")
    check = install.run("stats", "check", "--school", UAI)
    assert year.returncode == 0 and month.returncode == 0, year.stderr + month.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    return {"year": json.loads(year.stdout), "month": json.loads(month.stdout)}


def assert_worth_comparing(found: dict[str, object]) -> None:
    month = found["month"]
    assert isinstance(month, dict)
    assert month["enrolled"] == 60 and month["over_threshold"] > 0  # not an empty school


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(
            "PostgreSQL client", f"{name} is not installed (apt-get install postgresql-client)"
        )
    assert path is not None
    return path


@pytest.fixture
def two_postgres_databases() -> Iterator[list[str]]:
    reason = asyncio.run(_postgres_reachable(postgres_base_url()))
    if reason is not None:
        unavailable("PostgreSQL", f"{postgres_base_url()}: {reason}")
    urls = [fresh_postgres_url(), fresh_postgres_url()]
    for url in urls:
        asyncio.run(create_postgres_database(url))
    yield urls
    for url in urls:
        asyncio.run(drop_postgres_database(url))


def test_a_postgresql_dump_restored_gives_the_same_statistics(
    tmp_path: Path, two_postgres_databases: list[str]
) -> None:
    pg_dump, pg_restore = tool("pg_dump"), tool("pg_restore")
    source_url, restored_url = two_postgres_databases
    (tmp_path / "var").mkdir()
    source = Install(tmp_path)
    source.env["ABSENCES_DATABASE_URL"] = source_url
    build_school(source)
    before = figures(source)
    assert_worth_comparing(before)

    dump = tmp_path / "absences.dump"
    libpq = source_url.replace("postgres://", "postgresql://", 1)
    dumped = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", libpq],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dumped.returncode == 0, dumped.stderr
    restored = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--exit-on-error",
            "--dbname=" + restored_url.replace("postgres://", "postgresql://", 1),
            str(dump),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr

    copy = Install(tmp_path)
    copy.env["ABSENCES_DATABASE_URL"] = restored_url
    assert "up to date" in copy.run("migrate").stdout  # the migrations' history came along
    assert figures(copy) == before
    # The restored database is a working one: a change there leaves the original alone.
    added = copy.run("school", "add", "0751234X", "--name", "Collège restauré")
    assert added.returncode == 0, added.stderr
    assert "0751234X" not in source.run("stats", "absenteeism", "--month", "2026-11").stdout


def test_a_sqlite_backup_gives_the_same_statistics(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    source = Install(tmp_path)
    build_school(source)
    before = figures(source)
    assert_worth_comparing(before)

    # What `sqlite3 var/absences.sqlite3 ".backup backup.sqlite3"` does, through the same API:
    # a consistent copy even while `absences serve` writes (WAL).
    backup_dir = tmp_path / "restored"
    (backup_dir / "var").mkdir(parents=True)
    target = backup_dir / "var" / "absences.sqlite3"
    with (
        sqlite3.connect(tmp_path / "var" / "absences.sqlite3") as live,
        sqlite3.connect(target) as copy_db,
    ):
        live.backup(copy_db)
    live.close()
    copy_db.close()

    copy = Install(backup_dir)
    assert "up to date" in copy.run("migrate").stdout
    assert figures(copy) == before
