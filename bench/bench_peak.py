"""The morning peak of an academy: the 8:00 roll calls of every school, then the notices sent at
10:00 by two ``absences worker`` processes to a local Twilio-speaking server.

Run from the repository root: ``.venv/bin/python bench/bench_peak.py [--schools 100]``.
On a new PostgreSQL database (dropped at the end), ``--schools`` demo collèges are built, their
timetables included, and every division gets a lesson at 8:00 on the peak day (the Tuesday
after the demo's day), each with its own teacher. Entry: every lesson of 8:00 of every school
gets its roll call (``take_roll_call``, the service the panel's roll-call page calls, one
transaction each, ``--at-once`` teachers at the same moment), with ``--absent`` pupils marked
absent in each: the academy's 8:00 within 10 minutes, replayed as fast as the database takes
it. Each absence writes its notice and its deliveries; their jobs wait until 10:00, as the
queue defers them. At 10:00 (now, for the bench) the deliveries become due, their jobs are put
in Redis, and two ``absences worker`` processes (started before and ready; SMS and calls
through Twilio's API pointed at the local server, email to a local SMTP server, letters
rendered to PDF) send them. Measured: the seconds until the last SMS is taken by the server,
notices lost (an SMS delivery the server never received: must be 0) and sent twice (the server
counts what it received for each delivery). Goal: every SMS delivered within 60 s, none lost.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_academy import uai_of
from bench.results import QUICK, record
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import Delivery, DeliveryStatus, Division, Lesson, Membership, School, User
from core.models.lesson import LessonOrigin
from core.models.user import Role
from core.queries.lessons import lessons_of_day
from core.rules.calendar import school_year_of
from core.services.audit import Actor
from core.services.events.roll_call import Mark, MarkKind, lesson_students, take_roll_call
from workers.queue import ArqQueue, enqueue_deliveries

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/14"
PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parent.parent
SID, TOKEN = "AC" + "0" * 32, "bench-token"
SENT_OR_PENDING = {"sent", "delivered", "scheduled", "sending"}


def demo_day() -> date:
    """The first Monday of December of this school year: term time, no public holiday."""
    day = date(school_year_of(date.today()), 12, 1)
    return day + timedelta(days=-day.weekday() % 7)


def provider(port_out: Any, report_in: Any) -> None:
    """The child process: the local Twilio-speaking server and an SMTP server; when asked,
    sends back how many requests each delivery made (by the UUID in its StatusCallback)."""
    from tests.gateway.fakes.smtp import SmtpServer
    from tests.gateway.fakes.twilio import FakeTwilio

    async def run() -> None:
        twilio = FakeTwilio(SID, TOKEN)
        await twilio.start()
        smtp = SmtpServer()
        smtp.start()
        port_out.send((twilio.url, smtp.port))
        loop = asyncio.get_running_loop()
        while True:
            asked = await loop.run_in_executor(None, report_in.recv)
            if asked is None:
                break
            counted = Counter(
                (r.get("StatusCallback") or "").rsplit("/", 1)[-1] for r in twilio.requests
            )
            port_out.send(dict(counted))
        smtp.stop()
        await twilio.stop()

    asyncio.run(run())


async def first_hour(school: School, day: date) -> None:
    """A lesson for every division at 8:00 on ``day``, each with its own teacher (created as
    the timetable import creates them, without a login): the demo's timetable has one
    division's week only. Written in bulk, as a school's timetable import would write them."""
    taken = set(
        await Lesson.filter(school=school, weekday=day.weekday(), start_minute=8 * 60)
        .filter(division_id__isnull=False)
        .values_list("division_id", flat=True)
    )
    divisions = [
        d for d in await Division.filter(school=school).order_by("code") if d.id not in taken
    ]
    names = [f"Enseignant {school.uai} {d.code}" for d in divisions]
    await User.bulk_create([User(email=None, display_name=name) for name in names])
    teachers = {
        u.display_name: u for u in await User.filter(display_name__in=names, email__isnull=True)
    }
    await Membership.bulk_create(
        [Membership(user=teachers[name], school=school, role=Role.TEACHER) for name in names]
    )
    await Lesson.bulk_create(
        [
            Lesson(school=school, teacher=teachers[name], division=division,
                   weekday=day.weekday(), start_minute=8 * 60, end_minute=9 * 60,
                   subject="Mathématiques", starts_on=day, ends_on=day,
                   origin=LessonOrigin.MANUAL)
            for name, division in zip(names, divisions, strict=True)
        ]
    )  # fmt: skip


async def build(url: str, schools: int, students: int, today: date) -> None:
    await migrate(url)
    await init_db(url)
    try:
        started = time.perf_counter()
        for number in range(schools):
            summary = await build_demo(
                students=students, weeks=1, seed=number + 1, today=today, uai=uai_of(number)
            )
            await first_hour(await School.get(uai=summary.school_uai), today + timedelta(days=1))
        took = time.perf_counter() - started
        print(f"academy: {schools} schools of {students} built in {took:.0f} s")
    finally:
        await close_db()


async def entry(url: str, day: date, absent: int, at_once: int) -> tuple[int, int, float]:
    """Every school's roll calls of the first hour of ``day``: (roll calls, absences, seconds)."""
    await init_db(url)
    try:
        work = []
        for school in await School.all().order_by("uai"):
            lessons = await lessons_of_day(school, day)
            if not lessons:
                continue
            work += [(school, item) for item in lessons if item.lesson.start_minute == 8 * 60]
        gate = asyncio.Semaphore(at_once)
        moment = datetime.combine(day, clock(8, 5), PARIS)
        absences = 0

        async def take(school: School, item: Any) -> None:
            nonlocal absences
            pupils = await lesson_students(item.lesson)
            marks = [Mark(p.id, MarkKind.ABSENT) for p in pupils[:absent]]
            actor = Actor.system("bench: teacher")
            async with gate:
                done = await take_roll_call(school, actor, item.lesson.id, day, marks, now=moment)
            absences += len(done.recorded)

        started = time.perf_counter()
        await asyncio.gather(*(take(school, item) for school, item in work))
        took = time.perf_counter() - started
        # The jobs wait for 10:00 (the queue defers them): none is due before the bench says.
        await Delivery.filter(status=DeliveryStatus.SCHEDULED).update(
            not_before=datetime.now(PARIS) + timedelta(days=30)
        )
        return len(work), absences, took
    finally:
        await close_db()


def start_workers(count: int, url: str, redis: str, twilio: str, smtp: int, var: Path) -> list[Any]:
    env = {
        **os.environ,
        "ABSENCES_DATABASE_URL": url,
        "ABSENCES_REDIS_URL": redis,
        "ABSENCES_SMS_PROVIDER": "twilio",
        "ABSENCES_TWILIO_ACCOUNT_SID": SID,
        "ABSENCES_TWILIO_AUTH_TOKEN": TOKEN,
        "ABSENCES_TWILIO_FROM": "+33700000001",
        "ABSENCES_TWILIO_API_URL": twilio,
        "ABSENCES_SMTP_HOST": "127.0.0.1",
        "ABSENCES_SMTP_PORT": str(smtp),
        "ABSENCES_SMTP_FROM": "vie-scolaire@example.org",
        "ABSENCES_SMTP_STARTTLS": "false",
        "ABSENCES_PUBLIC_URL": "https://absences.example.org",
        "ABSENCES_VAR_DIR": str(var),
        "ABSENCES_SECRET_KEY": "bench-" + "x" * 40,
    }
    absences = str(ROOT / ".venv" / "bin" / "absences")
    return [
        subprocess.Popen(
            [absences, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(count)
    ]


async def ten_o_clock(
    url: str, redis: str, limit: float
) -> tuple[float, dict[str, int], int, list[int]]:
    """The deliveries become due and are enqueued; seconds until the last SMS was sent, the
    deliveries by channel, those not sent in ``limit`` seconds, the SMS deliveries due."""
    await init_db(url)
    try:
        rows = await Delivery.filter(status=DeliveryStatus.SCHEDULED).values_list("id", "channel")
        channels = Counter(str(channel) for _, channel in rows)
        sms = [i for i, channel in rows if str(channel) == "sms"]
        queue = ArqQueue(redis)
        await queue.start()
        started = time.perf_counter()
        await Delivery.filter(status=DeliveryStatus.SCHEDULED).update(
            not_before=datetime.now(PARIS) - timedelta(seconds=1)
        )
        await enqueue_deliveries(queue, [(i, None) for i, _ in rows])
        await queue.close()
        waiting = len(sms)
        while time.perf_counter() - started < limit:
            waiting = await Delivery.filter(id__in=sms, status=DeliveryStatus.SCHEDULED).count()
            waiting += await Delivery.filter(id__in=sms, status=DeliveryStatus.SENDING).count()
            if not waiting:
                break
            await asyncio.sleep(0.2)
        return time.perf_counter() - started, dict(channels), waiting, sms
    finally:
        await close_db()


async def sms_uuids(url: str, ids: list[int]) -> dict[str, str]:
    """The status of each SMS delivery due at 10:00, by uuid."""
    await init_db(url)
    try:
        rows = await Delivery.filter(id__in=ids).values_list("uuid", "status")
        return {str(u): str(s) for u, s in rows}
    finally:
        await close_db()


async def workers_ready(redis: str, count: int, limit: float = 60) -> None:
    """Until ``count`` workers have written arq's health-check key (they are listening)."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis)
    try:
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if await client.exists("arq:queue:health-check"):
                await asyncio.sleep(2)  # the second one a moment later
                return
            await asyncio.sleep(0.2)
        raise SystemExit("the workers did not start")
    finally:
        await client.aclose()


def stop(workers: list[Any]) -> None:
    """SIGTERM, then what has not stopped within 30 s is killed."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


async def flush(redis: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis)
    await client.flushdb()
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=10 if QUICK else 100)
    parser.add_argument("--students", type=int, default=300 if QUICK else 750)
    parser.add_argument("--absent", type=int, default=4, help="pupils absent per roll call")
    parser.add_argument("--at-once", type=int, default=20, help="teachers saving at once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--database", default=os.environ.get("ABSENCES_BENCH_POSTGRES", SERVER))
    parser.add_argument("--redis", default=REDIS, help="a Redis database (it is flushed)")
    args = parser.parse_args()
    name = f"absences_bench_{uuid.uuid4().hex[:8]}"
    server = args.database.replace("postgres://", "postgresql://", 1)
    url = args.database.rsplit("/", 1)[0] + "/" + name
    today = demo_day()
    day = today + timedelta(days=1)

    async def create() -> None:
        admin = await asyncpg.connect(server)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()

    async def drop() -> None:
        admin = await asyncpg.connect(server)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    asyncio.run(create())
    ports, report = multiprocessing.Pipe(duplex=False)
    asks, ask = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=provider, args=(report, asks), daemon=True)
    child.start()
    workers: list[Any] = []
    try:
        twilio, smtp = ports.recv()
        asyncio.run(build(url, args.schools, args.students, today))
        rolls, absences, took = asyncio.run(entry(url, day, args.absent, args.at_once))
        print(f"8:00: {rolls} roll calls, {absences} absences entered in {took:.1f} s")
        asyncio.run(flush(args.redis))
        with tempfile.TemporaryDirectory() as var:
            workers = start_workers(args.workers, url, args.redis, twilio, smtp, Path(var))
            try:
                asyncio.run(workers_ready(args.redis, args.workers))
                seconds, channels, waiting, due = asyncio.run(
                    ten_o_clock(url, args.redis, args.timeout)
                )
                time.sleep(2)  # anything still in flight reaches the server
                ask.send("report")
                received: dict[str, int] = ports.recv()
            finally:  # before their folder goes (they may still be writing letters)
                stop(workers)
        statuses = asyncio.run(sms_uuids(url, due))
    finally:
        stop(workers)
        ask.send(None)
        child.join(10)
        asyncio.run(drop())
    # lost: an SMS due that the server never received and that did not end on purpose (a
    # notice cancelled meanwhile, a number refused): the system holds it sent, or never sent it
    ended = Counter(status for u, status in statuses.items() if received.get(u, 0) == 0)
    lost = sum(n for status, n in ended.items() if status in SENT_OR_PENDING)
    twice = sum(n - 1 for u, n in received.items() if u in statuses and n > 1)
    print(
        f"10:00: {sum(channels.values())} deliveries due ({channels}); the last SMS sent "
        f"{seconds:.1f} s later; lost {lost}, sent twice {twice}, still waiting {waiting}; "
        f"not sent on purpose: {dict((k, n) for k, n in ended.items() if k not in SENT_OR_PENDING)}"
    )
    record(
        "morning_peak",
        seconds,
        "s",
        baseline=None,
        goal="all delivered < 60 s, 0 lost",
        ok=seconds < 60 and lost == 0 and waiting == 0,
        schools=args.schools,
        roll_calls=rolls,
        absences=absences,
        entry_seconds=round(took, 1),
        deliveries=channels,
        sms=len(statuses),
        lost=lost,
        not_sent_on_purpose={k: n for k, n in ended.items() if k not in SENT_OR_PENDING},
        sent_twice=twice,
        workers=args.workers,
    )


if __name__ == "__main__":
    main()
