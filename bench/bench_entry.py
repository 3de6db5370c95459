"""Events recorded through the JSON API by many clients at once, against a bare aiohttp handler
doing one insert and commit, on SQLite and on PostgreSQL, in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_entry.py [-n 1500 -c 10 50 100]``.
For each database (a fresh SQLite file; a new PostgreSQL database, dropped at the end, with
``--postgres``), the demo collège is built and the whole app served on 127.0.0.1 with a CPE's API
token; a load process posts ``POST /api/v1/schools/{uai}/events`` (an absence of one hour, each
on its own student and hour, so none conflicts) with ``-c`` requests in flight — as many
clients at once —, ``-n`` requests per size. Each request records the event, its missed
half-days, the family's notice and its deliveries and the audit row, in one transaction.
The baseline is a handler mounted on the same app that reads the same JSON body and inserts it
into a table of the same database (autocommit), posted to by the same load process in the same
way. Published: ``entry_api_c50`` (SQLite) and ``entry_api_c50_postgres``, requests per second
and p95 at 50 clients, the other sizes as their scale. Goal: a ratio of 0.5 or better and a p95
within 2 × the baseline's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from aiohttp import web
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apart import in_own_process
from bench.load import Loader, Outcome
from bench.results import QUICK, record, scale_point
from bench.serving import served
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import School, Student
from core.queries.calendar import load_calendar
from core.rules.calendar import SchoolCalendar, school_year_of
from core.services.access.tokens import create_token
from core.services.audit import Actor
from core.settings import load_settings
from web.app import create_app
from workers.queue import InlineQueue

BARE_PATH = "/bench/bare-event"
BARE_TABLE = "bench_bare_event"
WARM_UP = 30
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PARIS = ZoneInfo("Europe/Paris")
Sizes = dict[int, tuple[Outcome, Outcome]]


def default_today() -> date:
    """The first Monday of December of this school year: term time, no public holiday."""
    day = date(school_year_of(date.today()), 12, 1)
    return day + timedelta(days=-day.weekday() % 7)


async def _no_send(ctx: dict[str, Any], *delivery_ids: int) -> None:
    """Deliveries wait for the send-after delay; sending is the deliveries bench's figure."""


def _bare(placeholders: str) -> Any:
    """The baseline handler: the JSON body read, one insert, autocommit, a 201 with its id."""

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        connection = Tortoise.get_connection("default")
        await connection.execute_insert(
            f"INSERT INTO {BARE_TABLE} (student_id, kind, body) VALUES {placeholders}",
            [int(body["student_id"]), str(body["kind"]), json.dumps(body)],
        )
        return web.json_response({"ok": True}, status=201)

    return handler


def _bodies(students: list[int], today: date, calendar: SchoolCalendar) -> list[dict[str, Any]]:
    """One absence per student and slot of the school's timetable, Tuesday to Friday after
    ``today``: none overlaps another nor the demo's own (all before ``today``)."""
    bodies = []
    for offset in range(1, 5):
        day = today + timedelta(days=offset)
        for slot in calendar.slots:
            if slot.weekday != day.weekday():
                continue
            start = datetime.combine(day, slot.start, PARIS)
            end = datetime.combine(day, slot.end, PARIS)
            for student in students:
                bodies.append(
                    {
                        "student_id": student,
                        "kind": "absence",
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                    }
                )
    return bodies


async def _measure(
    url: str, sizes: list[int], count: int, students: int, today: date, folder: Path
) -> Sizes:
    await migrate(url)
    await init_db(url)
    queue = InlineQueue({"deliver": _no_send})
    await queue.start()
    found: Sizes = {}
    try:
        summary = await build_demo(students=students, weeks=2, today=today)
        postgres = url.startswith("postgres")
        connection = Tortoise.get_connection("default")
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        await connection.execute_script(
            f"CREATE TABLE {BARE_TABLE} (id {key}, student_id INTEGER NOT NULL, "
            "kind VARCHAR(20) NOT NULL, body TEXT NOT NULL)"
        )
        cpe = next(login for login in summary.logins if login.role == "cpe")
        token = await create_token(cpe.email, Actor.system("bench"), name="bench")
        ids = await Student.filter(school__uai=summary.school_uai, active=True).values_list(
            "id", flat=True
        )
        school = await School.get(uai=summary.school_uai)
        every = _bodies(sorted(int(i) for i in ids), today, await load_calendar(school))
        if len(every) < 2 * count * len(sizes) + 2 * WARM_UP:
            raise SystemExit(f"only {len(every)} absences to record: more students needed")
        bodies = iter(every)
        app = create_app(load_settings(var_dir=folder / "var"), queue)
        app.router.add_post(BARE_PATH, _bare("($1, $2, $3)" if postgres else "(?, ?, ?)"))
        loader = Loader()
        try:
            async with served(app) as base:
                headers = {"Authorization": f"Bearer {token}", "Origin": base}
                api = f"{base}/api/v1/schools/{summary.school_uai}/events"

                async def post(target: str, n: int, concurrency: int) -> Outcome:
                    requests = [{"json": next(bodies)} for _ in range(n)]
                    done = await loader.post(target, requests, concurrency, headers=headers)
                    if done.statuses != {201: n}:
                        raise SystemExit(f"{target}: answers {done.statuses}, expected {n} × 201")
                    return done

                await post(base + BARE_PATH, WARM_UP, 10)
                await post(api, WARM_UP, 10)
                for size in sizes:
                    bare = await post(base + BARE_PATH, count, size)
                    ours = await post(api, count, size)
                    found[size] = (ours, bare)
                    print(
                        f"  {size} clients: ours {ours.rate:,.0f} req/s, p95 {ours.p95 * 1000:.0f}"
                        f" ms; bare {bare.rate:,.0f} req/s, p95 {bare.p95 * 1000:.0f} ms"
                    )
        finally:
            loader.close()
    finally:
        await queue.close()
        await close_db()
    return found


def _on_sqlite(sizes: list[int], count: int, students: int, today: date, out: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/bench.sqlite3"
        out.put(asyncio.run(_measure(url, sizes, count, students, today, Path(folder))))


def _on_postgres(
    server: str, sizes: list[int], count: int, students: int, today: date, out: Any
) -> None:
    async def run() -> Sizes:
        name = f"absences_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = server.rsplit("/", 1)[0] + "/" + name
        try:
            with tempfile.TemporaryDirectory() as folder:
                return await _measure(url, sizes, count, students, today, Path(folder))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()

    out.put(asyncio.run(run()))


def publish(name: str, found: Sizes, headline: int, database: str) -> None:
    ours, bare = found[headline]
    ratio_ok = ours.rate >= 0.5 * bare.rate
    p95_ok = ours.p95 <= 2 * bare.p95
    record(
        name,
        ours.rate,
        "req/s",
        baseline=bare.rate,
        goal="ratio >= 0.5, p95 <= 2 × the baseline's",
        ok=ratio_ok and p95_ok,
        scale=[scale_point(f"c{n}", o.rate, b.rate) for n, (o, b) in sorted(found.items())],
        database=database,
        clients=headline,
        p95_ms=round(ours.p95 * 1000, 1),
        baseline_p95_ms=round(bare.p95 * 1000, 1),
        requests=len(ours.latencies),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=400 if QUICK else 1500)
    parser.add_argument(
        "-c", "--clients", type=int, nargs="+", default=[10, 50, 100], help="the sizes measured"
    )
    parser.add_argument("--students", type=int, default=300 if QUICK else 600)
    parser.add_argument("--today", type=date.fromisoformat, default=default_today())
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ABSENCES_BENCH_POSTGRES", SERVER),
        help="a PostgreSQL server's URL (a database is created there and dropped); '' to skip",
    )
    args = parser.parse_args()
    sizes = sorted(set(args.clients) | {50})
    print(f"entry through the API, {args.requests} requests per size (SQLite)")
    found = in_own_process(_on_sqlite, sizes, args.requests, args.students, args.today)
    publish("entry_api_c50", found, 50, "SQLite")
    if args.postgres:
        print(f"entry through the API, {args.requests} requests per size (PostgreSQL)")
        found = in_own_process(
            _on_postgres, args.postgres, sizes, args.requests, args.students, args.today
        )
        publish("entry_api_c50_postgres", found, 50, "PostgreSQL")


if __name__ == "__main__":
    main()
