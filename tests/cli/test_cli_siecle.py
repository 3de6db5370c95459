"""``absences import siecle`` and ``absences import watch`` as an admin runs them (subprocesses).

The sample is the invented Collège Jean Moulin (tests/fixtures/siecle/college-jean-moulin),
school year 2025-26: the first import of an empty install says ``--force-year`` since the
machine's year may be a later one; the school it creates then has 2025-26 as its year.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import Install, one_line_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "siecle"
SAMPLE = FIXTURES / "college-jean-moulin"
UAI = "0751234X"


@pytest.fixture
def migrated(tmp_path: Path) -> Install:
    (tmp_path / "var").mkdir()
    install = Install(tmp_path)
    result = install.run("migrate")
    assert result.returncode == 0, result.stderr
    return install


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLE / "expected.json").read_text())
    return data["initial"]


def import_sample(install: Install, *options: str, path: Path = SAMPLE) -> dict[str, Any]:
    return summary_of(
        install.run("import", "siecle", "--school", UAI, str(path), "--json", *options)
    )


def test_the_sample_imports_with_its_expected_counts(migrated: Install) -> None:
    first = import_sample(migrated, "--force-year")
    assert first["uai"] == UAI and first["school_created"] and not first["dry_run"]
    assert first["counts"]["students"] == {
        "created": 418,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert first["counts"]["divisions"]["created"] == expected()["divisions"]
    assert first["counts"]["persons"]["created"] == expected()["persons"]
    assert [s["siecle_id"] for s in first["unassigned"]] == ["1202436", "1203528", "1204057"]

    again = import_sample(migrated)  # the school's year is now 2025-26: no --force-year
    assert again["changes"] == 0 and not again["school_created"]
    assert again["counts"]["students"]["unchanged"] == 418


def test_the_text_summary_counts_each_kind(migrated: Install) -> None:
    result = migrated.run("import", "siecle", "--school", UAI, str(SAMPLE), "--force-year")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"{UAI}, school year 2025-2026")
    assert "school created from the files" in out
    students = next(line for line in out.splitlines() if line.startswith("students"))
    assert students.split() == ["students", "418", "0", "0", "0"]
    assert "without a division: 3" in out and "moved: 0" in out and "left: 0" in out
    assert "invalid phone numbers:" in out


def test_a_dry_run_changes_nothing(migrated: Install) -> None:
    for _ in range(2):  # the second still creates the school: the first wrote nothing
        preview = import_sample(migrated, "--dry-run", "--force-year")
        assert preview["dry_run"] and preview["school_created"]
        assert preview["counts"]["students"]["created"] == 418
    text = migrated.run(
        "import", "siecle", "--school", UAI, str(SAMPLE), "--dry-run", "--force-year"
    )
    assert "dry run: nothing was changed" in text.stdout.splitlines()[0]
    refused = migrated.run("user", "add", "a@b.fr", "--school", UAI, "--role", "admin")
    assert UAI in one_line_error(refused)  # still no such school


def test_a_zip_as_siecle_hands_it_out_imports_the_same(migrated: Install, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(SAMPLE.glob("*.xml")):
            zipped.write(path, f"export/{path.name}")
    summary = import_sample(migrated, "--dry-run", "--force-year", path=archive)
    assert summary["counts"]["students"]["created"] == 418


def test_a_file_with_a_dtd_is_one_line_and_changes_nothing(
    migrated: Install, tmp_path: Path
) -> None:
    broken = tmp_path / "export"
    shutil.copytree(SAMPLE, broken)
    students = broken / "ElevesSansAdresses.xml"
    data = students.read_bytes()
    students.write_bytes(data.replace(b"?>", b"?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY a 'b'>]>", 1))
    result = migrated.run("import", "siecle", "--school", UAI, str(broken), "--force-year")
    assert result.returncode == 2
    line = one_line_error(result)
    assert line.startswith("absences: ElevesSansAdresses.xml")
    assert import_sample(migrated, "--dry-run", "--force-year")["school_created"]


def test_another_schools_uai_is_one_line(migrated: Install) -> None:
    result = migrated.run("import", "siecle", "--school", "0759999Z", str(SAMPLE), "--force-year")
    assert result.returncode == 2
    line = one_line_error(result)
    assert UAI in line and "0759999Z" in line


def test_a_missing_path_is_one_line(migrated: Install, tmp_path: Path) -> None:
    result = migrated.run("import", "siecle", "--school", UAI, str(tmp_path / "nowhere"))
    assert "no such file or folder" in one_line_error(result)


def test_import_watch_imports_once_then_leaves_the_folder_alone(
    migrated: Install, tmp_path: Path
) -> None:
    import_sample(migrated, "--force-year")  # the school exists, its year is the export's
    share = tmp_path / "share"
    shutil.copytree(SAMPLE, share / UAI)
    (share / "0759999Z").mkdir()
    (share / "0759999Z" / "ElevesSansAdresses.xml").write_bytes(b"<not xml")
    extra = {"ABSENCES_SIECLE_WATCH_DIR": str(share)}

    first = migrated.run("import", "watch", "--settle", "0", extra=extra)
    assert first.returncode == 1  # one folder refused
    assert f"{UAI}: imported (0 changes)" in first.stdout
    assert "0759999Z: refused" in first.stdout
    assert (share / UAI / ".imported").exists()

    second = migrated.run("import", "watch", "--settle", "0", extra=extra)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split("\n")[:2] == ["0751234X: unchanged", "0759999Z: unchanged"]
    assert sorted(p.name for p in (share / UAI).iterdir()) == sorted(
        [".imported", *(p.name for p in SAMPLE.iterdir())]
    )  # nothing moved


def test_import_watch_needs_a_folder(migrated: Install) -> None:
    assert "ABSENCES_SIECLE_WATCH_DIR" in one_line_error(migrated.run("import", "watch"))
