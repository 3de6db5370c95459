"""Time saving one event through the entry grid's HTTP endpoint against a bare aiohttp handler.

Run from the repository root: ``.venv/bin/python bench/bench_grid.py [--saves 200]``.
The demo school (600 students, 4 weeks of events) is built on a fresh, migrated SQLite file; the
whole app is served on loopback and a logged-in CPE's aiohttp client posts what the grid's
script posts: ``--saves`` absences (one slot, which also writes the family notice and its
deliveries) on as many students, then as many latenesses on others, one request at a time.
The baseline is a handler that answers 200 without touching the database, mounted on the same
app and called by the same client loop with the same body. Goal: median well under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record
from bench.serving import served
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import Student
from core.rules.calendar import school_year_of
from core.settings import load_settings
from web.app import create_app
from workers.queue import InlineQueue

WARM_UP = 5


def default_today() -> date:
    """The first Monday of December of this school year: term time, no public holiday."""
    day = date(school_year_of(date.today()), 12, 1)
    return day + timedelta(days=-day.weekday() % 7)


async def _no_send(ctx: dict[str, Any], delivery_id: int) -> None:
    """Deliveries are deferred by the send-after delay; sending is not what is measured."""


async def _bare(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"ok": True})


def _summary(name: str, times: list[float]) -> str:
    median = statistics.median(times) * 1000
    p95 = statistics.quantiles(times, n=100)[94] * 1000
    return f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms (n={len(times)})"


class Client:
    """A logged-in CPE on the served app."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base, self.session, self.token = base, session, ""

    async def log_in(self, email: str, password: str, grid: str) -> None:
        page = await (await self.session.get(self.base + "/login")).text()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None
        form = {"csrf": found.group(1), "email": email, "password": password}
        response = await self.session.post(self.base + "/login", data=form)
        assert response.status == 200, response.status  # followed to the dashboard
        page = await (await self.session.get(self.base + grid)).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None, "no CSRF token on the grid page"
        self.token = token.group(1)

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, float]:
        headers = {"X-CSRF-Token": self.token}
        started = time.perf_counter()
        async with self.session.post(self.base + path, json=body, headers=headers) as response:
            await response.read()
            return response.status, time.perf_counter() - started


async def _series(
    client: Client, path: str, bodies: list[dict[str, Any]], count: int
) -> tuple[list[float], int]:
    """Post until ``count`` saves succeeded; a 409 (a demo absence already there) is skipped."""
    times: list[float] = []
    conflicts = 0
    for body in bodies:
        if len(times) == count:
            break
        status, elapsed = await client.post(path, body)
        if status == 409:
            conflicts += 1
            continue
        if status not in (200, 201):
            raise SystemExit(f"unexpected {status} from {path} for {body}")
        times.append(elapsed)
    if len(times) < count:
        raise SystemExit(f"only {len(times)} saves succeeded out of {count}")
    return times, conflicts


def _bodies(students: list[int], kind: str, day: date, hour: int) -> list[dict[str, Any]]:
    tz = ZoneInfo("Europe/Paris")
    start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    extra = {"end": (start + timedelta(hours=1)).isoformat()} if kind == "absence" else {}
    return [{"student_id": s, "kind": kind, "start": start.isoformat(), **extra} for s in students]


async def _measure(base: str, uai: str, login: Any, today: date, saves: int) -> None:
    ids: list[Any] = await Student.filter(school__uai=uai, active=True).values_list("id", flat=True)
    students = sorted(int(i) for i in ids)
    half = len(students) // 2
    grid = f"/s/{uai}/grid"
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    # the panel refuses a POST that does not come from its pages: say so, as a browser does
    async with aiohttp.ClientSession(cookie_jar=jar, headers={"Origin": base}) as session:
        client = Client(base, session)
        await client.log_in(login.email, login.password, grid)
        absences = _bodies(students[:half], "absence", today, 8)
        lateness = _bodies(students[half:], "lateness", today, 10)
        await _series(client, "/bench/bare", absences[-WARM_UP:], WARM_UP)
        await _series(client, grid + "/events", absences[-WARM_UP:], WARM_UP)
        absence_times, skipped = await _series(client, grid + "/events", absences, saves)
        lateness_times, _ = await _series(client, grid + "/events", lateness, saves)
        bare_times, _ = await _series(client, "/bench/bare", absences * 2, saves)
    print(_summary("grid save, absence", absence_times) + f" ({skipped} conflicts skipped)")
    print(_summary("grid save, lateness", lateness_times))
    print(_summary("baseline, bare aiohttp handler", bare_times))
    ratio = statistics.median(absence_times) / statistics.median(bare_times)
    print(f"ratio (absence median / baseline median): {ratio:.1f}")
    median = statistics.median(absence_times) * 1000
    record(
        "grid_save",
        median,
        "ms",
        baseline=statistics.median(bare_times) * 1000,
        goal="median < 100 ms",
        ok=median < 100,
        p95_ms=round(statistics.quantiles(absence_times, n=100)[94] * 1000, 1),
        lateness_median_ms=round(statistics.median(lateness_times) * 1000, 1),
        saves=saves,
    )


async def run(students: int, weeks: int, today: date, saves: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/bench.sqlite3"
        await migrate(url)
        await init_db(url)
        queue = InlineQueue({"deliver": _no_send})
        await queue.start()
        try:
            started = time.perf_counter()
            summary = await build_demo(students=students, weeks=weeks, today=today)
            built = time.perf_counter() - started
            print(f"demo: {summary.students} students, {summary.events} events ({built:.1f} s)")
            app = create_app(load_settings(var_dir=Path(folder) / "var"), queue)
            app.router.add_post("/bench/bare", _bare)
            cpe = next(login for login in summary.logins if login.role == "cpe")
            async with served(app) as base:
                await _measure(base, summary.school_uai, cpe, today, saves)
        finally:
            await queue.close()
            await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--saves", type=int, default=50 if QUICK else 200)
    parser.add_argument("--today", type=date.fromisoformat, default=default_today())
    args = parser.parse_args()
    if args.saves * 2 > args.students:
        parser.error("--saves must be at most half of --students (one save per student)")
    print(f"saving on {args.today} (the demo's today)")
    asyncio.run(run(args.students, args.weeks, args.today, args.saves))


if __name__ == "__main__":
    main()
