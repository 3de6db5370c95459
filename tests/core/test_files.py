"""Files with families' data are owner-only (0600, folders 0700) whatever the umask."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.db import close_db, ensure_sqlite_directory, migrate
from core.files import create_private_file, private_dir, write_private
from core.settings import load_settings
from tests.conftest import mode_of

pytestmark = pytest.mark.usefixtures("lax_umask")


def test_a_private_folder_and_its_missing_parents_are_0700(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    folder = private_dir(home / "var" / "letters")
    assert (mode_of(home / "var"), mode_of(folder)) == (0o700, 0o700)
    assert mode_of(home) == 0o755  # a folder that was there already is left alone


def test_a_private_file_is_written_whole_and_0600(tmp_path: Path) -> None:
    path = tmp_path / "outbox" / "a.json"
    write_private(path, b"first")
    write_private(path, b"second")
    assert path.read_bytes() == b"second"
    assert (mode_of(path), mode_of(path.parent)) == (0o600, 0o700)
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]


def test_an_existing_file_loses_the_rights_of_others(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    create_private_file(path)
    assert mode_of(path) == 0o600


async def test_the_sqlite_database_and_its_write_ahead_log_are_0600(tmp_path: Path) -> None:
    database = tmp_path / "absences.sqlite3"
    try:
        await migrate(f"sqlite://{database}")
    finally:
        await close_db()
    assert mode_of(database) == 0o600
    connection = sqlite3.connect(database)  # SQLite gives its side files the database's mode
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE probe (x INTEGER)")
        connection.commit()
        assert mode_of(database.with_name(database.name + "-wal")) == 0o600
        assert mode_of(database.with_name(database.name + "-shm")) == 0o600
    finally:
        connection.close()


def test_a_log_left_by_an_older_version_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "absences.sqlite3"
    wal = tmp_path / "absences.sqlite3-wal"
    for path in (database, wal):
        path.write_bytes(b"")
        path.chmod(0o644)
    ensure_sqlite_directory(f"sqlite://{database}")
    assert (mode_of(database), mode_of(wal)) == (0o600, 0o600)


def test_the_generated_secret_key_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path / "var", secret_key=None)
    key = settings.resolved_secret_key()
    path = tmp_path / "var" / "secret_key"
    assert path.read_text().strip() == key
    assert (mode_of(path), mode_of(path.parent)) == (0o600, 0o700)
