"""The watched folder: a new set is imported once, an unchanged one is left alone, a changed one
is imported again, a broken one is reported once and skipped until it changes."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from core.errors import DomainError
from core.models import AuditEntry, School, Student
from core.services.siecle.watch import MARKER, Watcher, read_marker, start_watch
from core.settings import SettingsError, load_settings
from tests.core.siecle.support import SMALL

UAI = "0759999Z"  # the small export's school
SEPTEMBER = date(2025, 9, 22)


def drop(share: Path, uai: str = UAI, source: Path = SMALL) -> Path:
    """Copy an export into ``share/<uai>/``, dated a minute ago (settled)."""
    folder = share / uai
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.xml"):
        shutil.copy(path, folder / path.name)
    age(folder)
    return folder


def age(folder: Path, seconds: float = 120) -> None:
    then = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (then, then))


async def audit_count(action: str) -> int:
    return await AuditEntry.filter(action=action).count()


async def test_a_new_export_is_imported_once_then_left_alone(db: str, tmp_path: Path) -> None:
    folder = drop(tmp_path)
    watcher = Watcher(tmp_path)

    (first,) = await watcher.scan(today=SEPTEMBER)
    assert (first.uai, first.outcome) == (UAI, "imported")
    assert first.summary is not None and first.summary.school_created
    assert await Student.filter(school__uai=UAI).count() == 3
    marker = read_marker(folder)
    assert marker["outcome"] == "imported" and len(str(marker["hash"])) == 64
    assert {p.name for p in folder.iterdir()} >= {"ElevesSansAdresses.xml", MARKER}
    imports = await audit_count("siecle.import")

    (second,) = await Watcher(tmp_path).scan(today=SEPTEMBER)  # a new process: the marker
    assert second.outcome == "unchanged"
    assert await audit_count("siecle.import") == imports


async def test_a_changed_file_is_imported_again(db: str, tmp_path: Path) -> None:
    folder = drop(tmp_path)
    watcher = Watcher(tmp_path)
    await watcher.scan(today=SEPTEMBER)
    students = folder / "ElevesSansAdresses.xml"
    data = students.read_bytes()
    assert b"03/02/2014" in data
    students.write_bytes(data.replace(b"03/02/2014", b"04/02/2014", 1))
    age(folder)

    (again,) = await watcher.scan(today=SEPTEMBER)
    assert again.outcome == "imported" and again.summary is not None
    assert again.summary.counts["students"].updated == 1
    assert again.summary.changes == 1
    assert (await watcher.scan(today=SEPTEMBER))[0].outcome == "unchanged"


async def test_a_broken_file_is_reported_once_and_skipped_until_it_changes(
    db: str, tmp_path: Path
) -> None:
    folder = drop(tmp_path)
    students = folder / "ElevesSansAdresses.xml"
    good = students.read_bytes()
    students.write_bytes(good.replace(b"?>", b'?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY x "y">]>', 1))
    age(folder)
    watcher = Watcher(tmp_path)

    (refused,) = await watcher.scan(today=SEPTEMBER)
    assert refused.outcome == "refused"
    assert "ElevesSansAdresses.xml" in refused.message and "\n" not in refused.message
    assert read_marker(folder)["outcome"] == "refused"
    (entry,) = await AuditEntry.filter(action="siecle.refused")
    assert entry.entity_id == UAI and entry.school_id is None  # no school yet
    assert entry.after is not None and entry.after["error"] == refused.message
    assert not await School.exists(uai=UAI)

    for _ in range(3):  # skipped, not retried: no new audit row
        assert (await watcher.scan(today=SEPTEMBER))[0].outcome == "unchanged"
        assert (await Watcher(tmp_path).scan(today=SEPTEMBER))[0].outcome == "unchanged"
    assert await audit_count("siecle.refused") == 1

    students.write_bytes(good)  # fixed: imported at the next scan
    age(folder)
    assert (await watcher.scan(today=SEPTEMBER))[0].outcome == "imported"
    assert await School.exists(uai=UAI)


async def test_files_still_being_copied_wait_for_the_next_scan(db: str, tmp_path: Path) -> None:
    folder = drop(tmp_path)
    age(folder, seconds=5)
    (waiting,) = await Watcher(tmp_path, settle=60).scan(today=SEPTEMBER)
    assert waiting.outcome == "waiting"
    assert not (folder / MARKER).exists()
    assert not await School.exists(uai=UAI)


async def test_another_schools_files_in_a_folder_are_refused(db: str, tmp_path: Path) -> None:
    drop(tmp_path, uai="0751234X")
    (refused,) = await Watcher(tmp_path).scan(today=SEPTEMBER)
    assert refused.outcome == "refused" and "0759999Z" in refused.message


async def test_other_folders_and_files_are_ignored(db: str, tmp_path: Path) -> None:
    (tmp_path / "archives").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / UAI).mkdir()
    (tmp_path / UAI / "readme.txt").write_text("drop the files here")
    assert [(r.uai, r.outcome) for r in await Watcher(tmp_path).scan()] == [(UAI, "empty")]
    with pytest.raises(DomainError, match="does not exist"):
        await Watcher(tmp_path / "missing").scan()


async def test_serve_scans_the_folder_in_the_background(db: str, tmp_path: Path) -> None:
    folder = drop(tmp_path)
    settings = load_settings(siecle_watch_dir=tmp_path, siecle_watch_interval=10)
    task = start_watch(settings)
    assert task is not None
    try:
        for _ in range(200):
            if (folder / MARKER).exists():
                break
            await asyncio.sleep(0.05)
        marker = json.loads((folder / MARKER).read_text())
        # today's school year is not the export's: refused, reported, and the loop lives on
        assert marker["outcome"] in ("imported", "refused")
        assert not task.done()
    finally:
        task.cancel()
    assert start_watch(load_settings(siecle_watch_dir=None)) is None


def test_the_watch_settings_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSENCES_SIECLE_WATCH_DIR", "/srv/siecle")
    monkeypatch.setenv("ABSENCES_SIECLE_WATCH_INTERVAL", "600")
    settings = load_settings()
    assert (settings.siecle_watch_dir, settings.siecle_watch_interval) == (Path("/srv/siecle"), 600)
    monkeypatch.setenv("ABSENCES_SIECLE_WATCH_DIR", "")
    monkeypatch.delenv("ABSENCES_SIECLE_WATCH_INTERVAL")
    settings = load_settings()
    assert (settings.siecle_watch_dir, settings.siecle_watch_interval) == (None, 3600)
    monkeypatch.setenv("ABSENCES_SIECLE_WATCH_INTERVAL", "1")
    with pytest.raises(SettingsError, match="ABSENCES_SIECLE_WATCH_INTERVAL"):
        load_settings()
