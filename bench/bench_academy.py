"""Time the academy view of the monthly absenteeism indicator on PostgreSQL against
hand-written SQL.

Run from the repository root: ``.venv/bin/python bench/bench_academy.py [--schools 100
--students 1000] [--database postgres://postgres@127.0.0.1:5432/postgres]``. A new database is
created on that server (and dropped at the end); ``--schools`` demo collèges of ``--students``
pupils each, with a school year of events up to late June, are built in it and their missed
half-days tables computed (timed apart). Then, for January, ``academy_month`` over every school
(what ``GET /api/v1/stats/absenteeism`` answers) is timed against one hand-written SQL statement
run with asyncpg over the same rows, which gives the same figures per school.
Goal: under 2 s and within 1.5 × the SQL. ``ABSENCES_BENCH_QUICK=1``: 10 schools of 300.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import School
from core.rules.absenteeism import DEPP_THRESHOLD
from core.rules.calendar import school_year_of
from core.rules.dated_notices import month_bounds
from core.services.stats import half_days
from core.services.stats.absenteeism import academy_month

RUNS = 5
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"

BASELINE_SQL = """
WITH placed AS (
    SELECT d.school_id, e.student_id,
           ROW_NUMBER() OVER (PARTITION BY e.student_id ORDER BY e.starts_on DESC, e.id DESC) AS n
    FROM enrolment e JOIN division d ON d.id = e.division_id
    WHERE e.starts_on <= $2 AND (e.ends_on IS NULL OR e.ends_on >= $1)
)
SELECT s.uai, COUNT(*), SUM(CASE WHEN (
    SELECT COUNT(*) FROM missed_half_day m
    WHERE m.student_id = p.student_id AND m.day BETWEEN $1 AND $2
      AND m.missed_unjustified > 0) >= $3 THEN 1 ELSE 0 END)
FROM placed p JOIN school s ON s.id = p.school_id
WHERE p.n = 1 GROUP BY s.uai ORDER BY s.uai
"""


def uai_of(number: int) -> str:
    """An invented UAI of Paris (zone C)."""
    return f"075{9000 + number:04d}X"


async def build(url: str, schools: int, students: int, today: date) -> None:
    await migrate(url)
    await init_db(url)
    try:
        started = time.perf_counter()
        for number in range(schools):
            await build_demo(
                students=students, weeks=40, seed=number + 1, today=today, uai=uai_of(number)
            )
        built = time.perf_counter() - started
        started = time.perf_counter()
        rows = 0
        for school in await School.all():
            rows += await half_days.rebuild(school)
        table = time.perf_counter() - started
    finally:
        await close_db()
    print(
        f"academy: {schools} schools of {students} students built in {built:.0f} s; "
        f"missed half-days tables: {rows} rows in {table:.1f} s"
    )


async def ours(url: str, month: tuple[int, int]) -> tuple[float, dict[str, tuple[int, int]]]:
    await init_db(url)
    try:
        schools = list(await School.all().order_by("uai"))
        times, found = [], None
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            found = await academy_month(schools, month)
            times.append(time.perf_counter() - started)
    finally:
        await close_db()
    assert found is not None
    figures = {s.uai: (f.total.enrolled, f.total.over_threshold) for s, f in found.schools}
    return statistics.median(times[1:]), figures


async def baseline(url: str, month: tuple[int, int]) -> tuple[float, dict[str, tuple[int, int]]]:
    first, last = month_bounds(month)
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        times, rows = [], []
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            rows = await connection.fetch(BASELINE_SQL, first, last, DEPP_THRESHOLD)
            times.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return statistics.median(times[1:]), {r[0]: (r[1], r[2]) for r in rows}


async def main_async(server: str, schools: int, students: int) -> None:
    name = f"absences_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        today = date(school_year_of(date.today()), 6, 26)
        await build(url, schools, students, today)
        month = (today.year, 1)
        mine, got = await ours(url, month)
        sql, expected = await baseline(url, month)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    agree = "the same figures" if got == expected else "DIFFERENT figures"
    print(f"academy_month {month[0]}-{month[1]:02d}: {mine * 1000:.0f} ms ({agree})")
    print(f"baseline (hand-written SQL, asyncpg): {sql * 1000:.0f} ms")
    print(f"ratio: {mine / sql:.2f} (goal: < 2 s and <= 1.5)")
    record(
        "academy_month",
        mine * 1000,
        "ms",
        baseline=sql * 1000,
        goal="< 2 s, ratio <= 1.5",
        ok=got == expected and mine < 2 and mine <= 1.5 * sql,
        schools=schools,
        students=schools * students,
        same_figures=got == expected,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=10 if QUICK else 100)
    parser.add_argument("--students", type=int, default=300 if QUICK else 1000)
    parser.add_argument("--database", default=os.environ.get("ABSENCES_BENCH_POSTGRES", SERVER))
    args = parser.parse_args()
    asyncio.run(main_async(args.database, args.schools, args.students))


if __name__ == "__main__":
    main()
