"""Time build_demo on a fresh SQLite database against a bare sqlite3 baseline.

Run from the repository root: ``.venv/bin/python bench/bench_demo.py [--students 2000 --weeks 30]``.
The baseline inserts the same number of student and event rows into bare tables with the
standard library's sqlite3 (one transaction, executemany), so the ratio shows our overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.rules.calendar import school_year_of


def default_today() -> date:
    """The last late June before now: 30 weeks of that school year lie before it."""
    return date(school_year_of(date.today()), 6, 26)


async def time_demo(url: str, students: int, weeks: int, today: date) -> tuple[float, int, int]:
    await migrate(url)
    await init_db(url)
    try:
        started = time.perf_counter()
        summary = await build_demo(students=students, weeks=weeks, today=today)
        elapsed = time.perf_counter() - started
    finally:
        await close_db()
    return elapsed, summary.students, summary.events


def time_baseline(path: Path, students: int, events: int) -> float:
    """Plain executemany inserts of as many student and event rows, in one transaction."""
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE student (id INTEGER PRIMARY KEY, school_id INT, siecle_id TEXT,"
        " last_name TEXT, first_name TEXT, birth_date TEXT, sex TEXT, division_id INT);"
        "CREATE TABLE event (id INTEGER PRIMARY KEY, school_id INT, student_id INT, kind TEXT,"
        " starts_at TEXT, ends_at TEXT, reason_id INT, accepted INT, settled INT, counts INT,"
        " comment TEXT, source TEXT, recorded_by_id INT, recorded_at TEXT, deleted INT);"
    )
    start = datetime(2026, 1, 5, 8, 0)
    student_rows = [(1, str(i), "Martin", "Léa", "2014-01-01", "F", 1) for i in range(students)]
    event_rows = [
        (1, i % students + 1, "absence", (start + timedelta(hours=i)).isoformat(),
         (start + timedelta(hours=i + 1)).isoformat(), 1, 1, 1, 1, "", "demo", 1,
         start.isoformat(), 0)
        for i in range(events)
    ]  # fmt: skip
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO student (school_id, siecle_id, last_name, first_name, birth_date, sex,"
            " division_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            student_rows,
        )
        connection.executemany(
            "INSERT INTO event (school_id, student_id, kind, starts_at, ends_at, reason_id,"
            " accepted, settled, counts, comment, source, recorded_by_id, recorded_at, deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500 if QUICK else 2000)
    parser.add_argument("--weeks", type=int, default=8 if QUICK else 30)
    parser.add_argument("--today", type=date.fromisoformat, default=default_today())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/bench.sqlite3"
        demo, students, events = asyncio.run(time_demo(url, args.students, args.weeks, args.today))
        baseline = time_baseline(Path(folder) / "baseline.sqlite3", students, events)
    print(f"demo: {demo:.2f} s ({students} students, {events} events, today {args.today})")
    print(f"baseline: {baseline:.3f} s")
    print(f"ratio: {demo / baseline:.1f}")
    record(
        "demo_build",
        demo,
        "s",
        baseline=baseline,
        goal="none (how long `absences demo` takes)",
        ok=True,
        students=students,
        events=events,
    )


if __name__ == "__main__":
    main()
