"""``absences stats absenteeism`` and ``absences stats check`` as an admin runs them, on a
school created from its SIECLE export (subprocesses: one test)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import Install, install, migrated

__all__ = ["install", "migrated"]  # the fixtures, shared

SIECLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"


def test_the_indicator_of_a_month_and_the_check(migrated: Install) -> None:
    imported = migrated.run("import", "siecle", "--school", UAI, str(SIECLE), "--force-year")
    assert imported.returncode == 0, imported.stderr
    unbuilt = migrated.run("stats", "check", "--school", UAI)
    assert unbuilt.returncode == 0 and "not built for its calendar yet" in unbuilt.stdout
    shown = migrated.run("stats", "absenteeism", "--school", UAI, "--month", "2026-11", "--json")
    assert shown.returncode == 0, shown.stderr
    figures = json.loads(shown.stdout)
    assert figures["school"] == UAI and figures["month"] == "2026-11"
    assert figures["enrolled"] > 400 and figures["over_threshold"] == 0 and figures["rate"] == 0
    text = migrated.run("stats", "absenteeism", "--month", "2026-11")
    assert f"{UAI} 2026-11: 0 of {figures['enrolled']} students" in text.stdout
    year = migrated.run("stats", "absenteeism", "--school", UAI, "--year", "2026", "--json")
    assert year.returncode == 0 and json.loads(year.stdout)["year"] == "2026-2027"
    bad = migrated.run("stats", "absenteeism", "--school", UAI, "--month", "2026-13")
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    far = migrated.run("stats", "absenteeism", "--school", UAI, "--year", "-5")
    assert far.returncode == 2 and "out of range" in far.stderr and "Traceback" not in far.stderr
    checked = migrated.run("stats", "check")
    assert checked.returncode == 0, checked.stderr
    assert f"{UAI}: the missed half-days agree with the events" in checked.stdout
