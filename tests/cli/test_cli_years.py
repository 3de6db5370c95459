"""``absences year start`` and ``absences purge`` as an admin runs them (subprocesses, about
ten seconds each: one test), on every school of the install."""

from __future__ import annotations

from datetime import date

from core.rules.calendar import school_year_of
from tests.cli.test_cli import Install, install, migrated

__all__ = ["install", "migrated"]  # the fixtures, shared

UAI = "0751234X"


def test_the_year_starts_and_the_purge_counts_first(migrated: Install) -> None:
    assert migrated.run("school", "add", UAI, "--name", "Collège").returncode == 0
    current = school_year_of(date.today())  # the year `school add` made current
    after = f"{current + 1}-08-20"  # the current year is over
    done = migrated.run("year", "start", str(current + 1), "--today", after)
    assert done.returncode == 0, done.stderr
    assert f"{UAI}: {current}-{current + 1} closed, {current + 1}-{current + 2} started" in (
        done.stdout
    )
    assert "students without a division: 0" in done.stdout and "dry run" not in done.stdout
    purged = migrated.run("purge", "--dry-run")
    assert purged.returncode == 0, purged.stderr
    assert f"{UAI}: keeps {current - 1}-{current} on" in purged.stdout  # 3 years, the new one too
    assert "  events: 0" in purged.stdout and "(dry run: nothing was changed)" in purged.stdout
