"""Time the monthly absenteeism indicator of one school against hand-written SQL.

Run from the repository root: ``.venv/bin/python bench/bench_stats.py [--students 2000]``.
The demo collège (``--students``, a school year of events up to late June) is built on a fresh,
migrated SQLite file; its missed half-days table is built once (timed apart). Then, for the
month with the most absences, ``school_month`` (what the API and the CLI answer: the calendar
checked, who was enrolled and where, the unjustified half-days, the open-ended absences) is
timed against one hand-written SQL statement with the standard library's sqlite3 over the same
rows (the enrolments, their divisions, the missed half-days), which gives the same figures.
Goal: under 100 ms and within 1.5 × the SQL.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record, scale_point
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import MissedHalfDay, School
from core.queries.stats_page import resolve_selection
from core.rules.absenteeism import DEPP_THRESHOLD, Month
from core.rules.calendar import school_year_of
from core.rules.dated_notices import month_bounds
from core.services.stats import half_days
from core.services.stats.absenteeism import school_month
from core.services.stats.indicators import indicators

RUNS = 30
PAGE_RUNS = 5

# The same work by hand: who was enrolled (in their last division, with their level) and their
# unjustified half-days, counted by division in SQL.
BASELINE_SQL = """
WITH placed AS (
    SELECT e.student_id, d.code AS division, COALESCE(sm.code, dm.code, '') AS level,
           ROW_NUMBER() OVER (PARTITION BY e.student_id ORDER BY e.starts_on DESC, e.id DESC) AS n
    FROM enrolment e
    JOIN division d ON d.id = e.division_id
    JOIN student s ON s.id = e.student_id
    LEFT JOIN mef sm ON sm.id = s.mef_id
    LEFT JOIN mef dm ON dm.id = d.mef_id
    WHERE d.school_id = :school AND e.starts_on <= :last
      AND (e.ends_on IS NULL OR e.ends_on >= :first)
    UNION ALL
    SELECT s.id, d.code, COALESCE(sm.code, dm.code, ''), 1
    FROM student s
    JOIN division d ON d.id = s.division_id
    LEFT JOIN mef sm ON sm.id = s.mef_id
    LEFT JOIN mef dm ON dm.id = d.mef_id
    WHERE s.school_id = :school AND (s.entered_on IS NULL OR s.entered_on <= :last)
      AND (s.left_on IS NULL OR s.left_on >= :first)
      AND s.id NOT IN (SELECT x.student_id FROM enrolment x)
)
SELECT p.division, COUNT(*), SUM(
    (SELECT COUNT(*) FROM missed_half_day m
     WHERE m.student_id = p.student_id AND m.day BETWEEN :first AND :last
       AND m.missed_unjustified > 0) >= :threshold)
FROM placed p WHERE p.n = 1 GROUP BY p.division ORDER BY p.division
"""


def default_today() -> date:
    """The last late June before now: a whole school year of events lies before it."""
    return date(school_year_of(date.today()), 6, 26)


def baseline(path: Path, school_id: int, month: Month) -> tuple[float, dict[str, tuple[int, int]]]:
    first, last = month_bounds(month)
    connection = sqlite3.connect(path)
    params = {
        "school": school_id,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "threshold": DEPP_THRESHOLD,
    }
    times, found = [], {}
    for _ in range(RUNS + 3):
        started = time.perf_counter()
        rows = connection.execute(BASELINE_SQL, params).fetchall()
        times.append(time.perf_counter() - started)
        found = {division: (enrolled, over) for division, enrolled, over in rows}
    connection.close()
    return statistics.median(times[3:]), found


async def _page(school: School, month: Month, today: date) -> float:
    """Seconds for what the statistics page computes for the month and the whole school (its
    tables and the DEPP months of the year), the median of a few runs."""
    selection = await resolve_selection(school, {"period": f"{month[0]:04d}-{month[1]:02d}"}, today)
    now = datetime.combine(today, time_of_day(17), ZoneInfo(school.timezone))
    times = []
    for _ in range(PAGE_RUNS + 1):
        started = time.perf_counter()
        await indicators(school, selection, today=today, now=now)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


async def measure(url: str, students: int, today: date) -> tuple[float, float, bool, float]:
    """Build the school, time ours and the SQL; (ours, baseline, same figures, the page) in
    seconds."""
    await migrate(url)
    await init_db(url)
    try:
        started = time.perf_counter()
        summary = await build_demo(students=students, weeks=40, today=today)
        built = time.perf_counter() - started
        school = await School.get(uai=summary.school_uai)
        started = time.perf_counter()
        written = await half_days.rebuild(school)
        table = time.perf_counter() - started
        months = await MissedHalfDay.filter(school_id=school.id).values_list("day", flat=True)
        counted: dict[Month, int] = {}
        for day in months:
            counted[(day.year, day.month)] = counted.get((day.year, day.month), 0) + 1
        month = max(counted, key=lambda m: counted[m])
        times = []
        for _ in range(RUNS + 3):
            started = time.perf_counter()
            found = await school_month(school, month)
            times.append(time.perf_counter() - started)
        ours = statistics.median(times[3:])
        page = await _page(school, month, today)
    finally:
        await close_db()
    path = Path(url.removeprefix("sqlite://"))
    sql, expected = baseline(path, school.id, month)
    got = {code: (rate.enrolled, rate.over_threshold) for code, rate in found.by_division.items()}
    agree = "the same figures" if got == expected else f"DIFFERENT figures: {got} != {expected}"
    print(
        f"demo: {summary.students} students, {summary.events} events, built in {built:.1f} s; "
        f"missed half-days table: {written} rows in {table:.2f} s"
    )
    print(
        f"indicator_month {month[0]:04d}-{month[1]:02d}: {ours * 1000:.1f} ms "
        f"({found.total.over_threshold}/{found.total.enrolled} over the threshold, {agree})"
    )
    print(f"baseline (hand-written SQL, sqlite3): {sql * 1000:.1f} ms")
    print(f"ratio: {ours / sql:.2f} (goal: < 100 ms and <= 1.5)")
    print(f"stats page, the month's figures and tables: {page * 1000:.0f} ms (goal: < 100 ms)")
    return ours, sql, got == expected, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--students",
        type=int,
        nargs="+",
        default=[200, 400, 800] if QUICK else [500, 1000, 2000],
        help="the sizes measured; the last one is the published figure",
    )
    parser.add_argument("--today", type=date.fromisoformat, default=default_today())
    parser.add_argument("--keep", type=Path, help="build the database in this folder, keep it")
    args = parser.parse_args()
    measured = []
    for students in args.students:
        with tempfile.TemporaryDirectory() as folder:
            where = args.keep or Path(folder)
            (where / "bench.sqlite3").unlink(missing_ok=True)
            url = f"sqlite://{where}/bench.sqlite3"
            measured.append((students, *asyncio.run(measure(url, students, args.today))))
    students, ours, sql, same, page = measured[-1]
    record(
        "indicator_month",
        ours * 1000,
        "ms",
        baseline=sql * 1000,
        goal="< 100 ms, ratio <= 1.5",
        ok=same and ours < 0.1 and ours <= 1.5 * sql,
        scale=[scale_point(n, o * 1000, b * 1000) for n, o, b, _, _ in measured],
        students=students,
        same_figures=all(same for _, _, _, same, _ in measured),
    )
    record(
        "stats_page_month",
        page * 1000,
        "ms",
        baseline=sql * 1000,
        goal="< 100 ms (baseline: the indicator's SQL alone)",
        ok=page < 0.1,
        scale=[scale_point(n, p * 1000, b * 1000) for n, _, b, _, p in measured],
        students=students,
    )


if __name__ == "__main__":
    main()
