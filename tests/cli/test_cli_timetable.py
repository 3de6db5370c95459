"""``absences import timetable`` as an admin runs it (subprocesses), on a school created from
its own SIECLE export (the 2026-27 sample): a dry run, the import, a re-import that changes
nothing, a zip, and one line for a refused file."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import Install, one_line_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
LESSONS = len(json.loads((EDT / "expected.json").read_text(encoding="utf-8"))["lessons"])
UAI = "0751234X"


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Install:
    """One school for the module (importing SIECLE in a subprocess takes a while); the tests
    run in order: the first import, then re-imports."""
    tmp_path = tmp_path_factory.mktemp("install")
    (tmp_path / "var").mkdir()
    install = Install(tmp_path)
    assert install.run("migrate").returncode == 0
    made = install.run("import", "siecle", "--school", UAI, str(SIECLE), "--force-year")
    assert made.returncode == 0, made.stderr
    return install


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def timetable(install: Install, *args: str) -> subprocess.CompletedProcess[str]:
    return install.run("import", "timetable", "--school", UAI, *args, "--force-year")


def test_dry_run_then_import_then_nothing_to_change(school: Install) -> None:
    preview = summary_of(timetable(school, str(EDT), "--dry-run", "--json"))
    assert preview["dry_run"] and preview["counts"]["lessons"]["created"] == LESSONS
    done = summary_of(timetable(school, str(EDT), "--json"))
    assert not done["dry_run"] and done["counts"]["lessons"]["created"] == LESSONS
    assert done["counts"]["staff"]["created"] == 30 and len(done["to_place"]) == 5
    again = summary_of(timetable(school, str(EDT), "--json"))
    assert again["changes"] == 0 and again["counts"]["lessons"]["unchanged"] == LESSONS
    text = timetable(school, str(EDT)).stdout
    assert "changes: 0" in text and "other staff to give a role: 5" in text
    assert "teachers created" not in text  # created by the first import only


def test_the_two_files_in_a_zip_give_the_same_timetable(school: Install, tmp_path: Path) -> None:
    archive = tmp_path / "edt.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in EDT.glob("*.xml"):
            zipped.write(path, path.name)
    result = timetable(school, str(archive))
    assert result.returncode == 0, result.stderr
    assert "changes: 0" in result.stdout  # the same lessons as the two files gave


def test_another_schools_files_are_one_line_and_change_nothing(school: Install) -> None:
    result = school.run("import", "timetable", "--school", "0699999Z", str(EDT))
    assert "0751234X" in one_line_error(result)
    assert summary_of(timetable(school, str(EDT), "--dry-run", "--json"))["changes"] == 0


def test_a_file_that_is_no_timetable_is_one_line(school: Install, tmp_path: Path) -> None:
    bad = tmp_path / "emp_sts_0751234X_2026.xml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><EDT_STS/>')
    assert "emp_sts_0751234X_2026.xml" in one_line_error(timetable(school, str(bad)))
