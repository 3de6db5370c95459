"""Deliveries per second through one worker to a local Twilio-speaking server, against a bare
aiohttp loop posting the same requests to the same server, in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_delivery.py [-n 5000 -c 400 -r 3]``.
The server (tests' FakeTwilio) runs in its own process. Ours: N scheduled SMS deliveries on a
fresh SQLite database, enqueued at once (jobs of up to 100 deliveries) and run by the ``deliver``
task on the in-process queue holding ``-c`` deliveries at once (``ABSENCES_WORKER_JOBS``); with
``--redis``, by one arq worker too, and with ``--postgres`` by two ``absences worker``
processes on PostgreSQL. The baseline: the same N form POSTs with ``-c`` requests in
flight. The process is tuned as ``absences worker`` tunes itself (``workers.runtime.tune_gc``)
before any measure, the baseline included. Each measure runs ``-r`` rounds; the best is kept.
Goal: 1,000/s and a ratio of 0.5 or better.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apart import in_own_process
from bench.results import QUICK, record, scale_point
from core.db import close_db, init_db, migrate
from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Event,
    GuardianLink,
    Notice,
    Person,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.settings import load_settings
from workers.queue import InlineQueue, enqueue_deliveries
from workers.runtime import tune_gc
from workers.senders import build_channels
from workers.tasks import FUNCTIONS

PER_STUDENT = 10  # absences (so notices and deliveries) per student
FROM = "+33700000001"
PUBLIC_URL = "https://absences.example.org"
DAY0 = datetime(2026, 1, 5, 8, tzinfo=UTC)  # a Monday, long past: everything is due


def serve(port_out: Any) -> None:
    """The child process: FakeTwilio on a free loopback port, forever."""
    from tests.gateway.fakes.twilio import FakeTwilio

    async def run() -> None:
        twilio = FakeTwilio()
        await twilio.start()
        port_out.send((twilio.url, twilio.account_sid, twilio.auth_token))
        await asyncio.Event().wait()

    asyncio.run(run())


async def seed(count: int) -> list[int]:
    """``count`` scheduled SMS deliveries, one per absence notice, written in bulk."""
    school = await create_school("0750001A", "Collège Banc", Actor.system("bench"))
    students = -(-count // PER_STUDENT)
    await Student.bulk_create(
        [Student(school=school, last_name=f"Eleve{i}", first_name="Léa") for i in range(students)]
    )
    pupils = await Student.filter(school=school).order_by("id")
    await Person.bulk_create(
        [Person(school=school, last_name=f"Parent{i}", first_name="Anne") for i in range(students)]
    )
    persons = await Person.filter(school=school).order_by("id")
    await GuardianLink.bulk_create(
        [GuardianLink(student=s, person=p) for s, p in zip(pupils, persons, strict=True)]
    )
    await ContactPoint.bulk_create(
        [
            ContactPoint(person=p, kind=ContactKind.MOBILE, value=f"+336{10000000 + i}")
            for i, p in enumerate(persons)
        ]
    )
    await _notices(school, pupils, count)
    await _deliveries(school, count)
    return list(await Delivery.all().order_by("id").values_list("id", flat=True))


async def _notices(school: School, pupils: list[Student], count: int) -> None:
    events = []
    for n in range(count):
        start = DAY0 + timedelta(days=n // len(pupils))
        pupil = pupils[n % len(pupils)]
        events.append(
            Event(school=school, student=pupil, kind="absence", starts_at=start,
                  ends_at=start + timedelta(hours=2))
        )  # fmt: skip
    await Event.bulk_create(events)
    rows = await Event.filter(school=school).order_by("id")
    await Notice.bulk_create(
        [
            Notice(school=school, student_id=e.student_id, event_id=e.id, kind="absence",
                   dedupe_key=f"absence:{e.student_id}:{e.starts_at.date()}:am",
                   payload={"day": e.starts_at.date().isoformat(), "half": "am"})
            for e in rows
        ]
    )  # fmt: skip


async def _deliveries(school: School, count: int) -> None:
    links = dict(await GuardianLink.all().values_list("student_id", "person_id"))
    points = dict(await ContactPoint.all().values_list("person_id", "id"))
    numbers = dict(await ContactPoint.all().values_list("id", "value"))
    notices = await Notice.filter(school=school).order_by("id").values_list("id", "student_id")
    await Delivery.bulk_create(
        [
            Delivery(uuid=uuid.uuid4(), notice_id=n, person_id=links[s],
                     contact_id=points[links[s]], channel="sms", to=numbers[points[links[s]]],
                     not_before=DAY0, status=DeliveryStatus.SCHEDULED)
            for n, s in notices
        ]
    )  # fmt: skip


async def ours(ids: list[int], api_url: str, sid: str, token: str, concurrency: int) -> float:
    """Seconds for the deliver task to send every delivery through one in-process worker."""
    settings = _settings(api_url, sid, token, concurrency)
    channels = build_channels(settings)
    ctx: dict[str, Any] = {"channels": channels, "settings": settings}
    queue = InlineQueue(FUNCTIONS, ctx, max_concurrency=concurrency, job_timeout=120)
    ctx["queue"] = queue
    await queue.start()
    try:
        started = time.perf_counter()
        await enqueue_deliveries(queue, [(i, None) for i in ids])
        await queue.drain(timeout=600)
        elapsed = time.perf_counter() - started
    finally:
        await queue.close()
        await channels.close()
    await _all_sent(ids, "in-process runner")
    return elapsed


async def ours_on_redis(
    ids: list[int], api_url: str, sid: str, token: str, concurrency: int, redis_url: str
) -> float:
    """Seconds for one arq worker (``absences worker``'s settings, burst mode) to send every
    delivery, the jobs having been put in Redis first."""
    from redis.asyncio import Redis

    from workers.queue import ArqQueue

    flush = Redis.from_url(redis_url)
    await flush.flushdb()
    await flush.aclose()
    settings = _settings(api_url, sid, token, concurrency)
    queue = ArqQueue(redis_url)
    await queue.start()
    await enqueue_deliveries(queue, [(i, None) for i in ids])

    worker = _burst_worker_of(settings, queue, redis_url, concurrency)
    try:
        started = time.perf_counter()
        await worker.async_run()
        elapsed = time.perf_counter() - started
    finally:
        await worker.close()
        await queue.close()
    await _all_sent(ids, "arq worker")
    return elapsed


def _burst_worker_of(settings: Any, queue: Any, redis_url: str, concurrency: int) -> Any:
    """An arq worker with ``absences worker``'s settings that stops once the queue is empty."""
    from arq.worker import Worker

    from workers.arq_worker import POLL_DELAY, worker_settings

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(channels=build_channels(settings), queue=queue, settings=settings)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["channels"].close()

    kwargs = worker_settings(
        redis_url,
        FUNCTIONS,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=True,
        max_jobs=concurrency,
        job_timeout=120,
    )
    return Worker(**kwargs, handle_signals=False, poll_delay=POLL_DELAY)


async def _all_sent(ids: list[int], who: str) -> None:
    """A run that did not send everything measured nothing: stop."""
    sent = await Delivery.filter(id__in=ids, status=DeliveryStatus.SENT).count()
    if sent != len(ids):
        raise SystemExit(f"{who}: only {sent} of {len(ids)} deliveries sent")


def _settings(api_url: str, sid: str, token: str, concurrency: int) -> Any:
    return load_settings(
        worker_jobs=concurrency,
        sms_provider="twilio",
        twilio_account_sid=sid,
        twilio_auth_token=token,
        twilio_from=FROM,
        twilio_api_url=api_url,
        public_url=PUBLIC_URL,
    )


async def baseline(count: int, api_url: str, sid: str, token: str, concurrency: int) -> float:
    """Seconds for a bare aiohttp loop to POST as many Messages.json requests."""
    url = f"{api_url}/2010-04-01/Accounts/{sid}/Messages.json"
    headers = {"Authorization": aiohttp.encode_basic_auth(sid, token)}
    gate = asyncio.Semaphore(concurrency)

    async def post(session: aiohttp.ClientSession, n: int) -> None:
        form = {
            "To": f"+336{10000000 + n}",
            "From": FROM,
            "Body": "Votre enfant Léa est absent ce matin. Merci de prévenir la vie scolaire.",
            "StatusCallback": f"{PUBLIC_URL}/hooks/twilio/status/{uuid.uuid4()}",
        }
        async with gate, session.post(url, data=form, headers=headers) as response:
            assert response.status == 201, await response.text()
            await response.json()

    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        await asyncio.gather(*(post(session, n) for n in range(count)))
        return time.perf_counter() - started


async def run(
    sizes: list[int],
    concurrency: int,
    server: tuple[str, str, str],
    options: str,
    redis_url: str,
    rounds: int,
) -> dict[str, dict[int, float]]:
    """For each size, ``rounds`` rounds of each measure, one after the other; the best of each
    is kept (the machine's other work only ever slows a round down). Rates by measure and size.
    """
    api_url, sid, token = server
    rates: dict[str, dict[int, float]] = {"baseline": {}, "ours": {}, "arq": {}}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{tmp}/bench.sqlite3{options}"
        await migrate(url)
        await init_db(url)
        try:
            every = await seed(max(sizes))
            tune_gc()  # as `absences serve` and `absences worker` do once started
            for size in sizes:
                ids = every[:size]
                took: dict[str, list[float]] = {"baseline": [], "ours": [], "arq": []}
                for _ in range(rounds):
                    took["baseline"].append(await baseline(size, api_url, sid, token, concurrency))
                    took["ours"].append(await ours(ids, api_url, sid, token, concurrency))
                    await _scheduled_again(ids)
                    if redis_url:
                        took["arq"].append(
                            await ours_on_redis(ids, api_url, sid, token, concurrency, redis_url)
                        )
                        await _scheduled_again(ids)
                for name, runs in took.items():
                    if runs:
                        rates[name][size] = size / min(runs)
                print(
                    f"deliveries: {size} SMS, {concurrency} at once (SQLite{options}), best of "
                    f"{rounds}: baseline {rates['baseline'][size]:,.0f}/s, in-process "
                    f"{rates['ours'][size]:,.0f}/s"
                    + (f", one arq worker {rates['arq'][size]:,.0f}/s" if took["arq"] else "")
                )
        finally:
            await close_db()
    return rates


async def run_two_workers(
    sizes: list[int],
    concurrency: int,
    server: tuple[str, str, str],
    redis_url: str,
    postgres: str,
    rounds: int,
) -> dict[int, float]:
    """Two ``absences worker`` processes (arq, burst mode) sharing the queue, on PostgreSQL (the
    database of an install with several workers): deliveries per second by size."""
    name = f"absences_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres.rsplit("/", 1)[0] + "/" + name
    rates: dict[int, float] = {}
    try:
        await migrate(url)
        await init_db(url)
        try:
            every = await seed(max(sizes))
            for size in sizes:
                ids = every[:size]
                took = []
                for _ in range(rounds):
                    took.append(await _two_worker_round(ids, url, server, redis_url, concurrency))
                    await _all_sent(ids, "two arq workers")
                    await _scheduled_again(ids)
                rates[size] = size / min(took)
                print(f"deliveries: {size} SMS, two arq workers (PostgreSQL): {rates[size]:,.0f}/s")
        finally:
            await close_db()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return rates


def _two_workers_process(*args: Any) -> None:
    *given, out = args
    out.put(asyncio.run(run_two_workers(*given)))


async def _two_worker_round(
    ids: list[int], url: str, server: tuple[str, str, str], redis_url: str, concurrency: int
) -> float:
    """Enqueue every delivery, then time two ready worker processes until both have emptied
    the queue (their start-up is not timed)."""
    from redis.asyncio import Redis

    from workers.queue import ArqQueue

    flush = Redis.from_url(redis_url)
    await flush.flushdb()
    await flush.aclose()
    queue = ArqQueue(redis_url)
    await queue.start()
    await enqueue_deliveries(queue, [(i, None) for i in ids])
    await queue.close()
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    ready = [context.Event() for _ in range(2)]
    children = [
        context.Process(target=_burst_worker, args=(url, redis_url, server, concurrency, flag, go))
        for flag in ready
    ]
    for child in children:
        child.start()
    loop = asyncio.get_running_loop()
    for flag in ready:
        if not await loop.run_in_executor(None, flag.wait, 120):
            raise SystemExit("a worker process did not start")
    started = time.perf_counter()
    go.set()
    for child in children:
        await loop.run_in_executor(None, child.join)
    return time.perf_counter() - started


def _burst_worker(
    url: str, redis_url: str, server: tuple[str, str, str], concurrency: int, ready: Any, go: Any
) -> None:
    """One worker process: connected and ready, it waits for ``go``, then empties the queue."""

    from workers.queue import ArqQueue

    async def work() -> None:
        await init_db(url)
        settings = _settings(*server, concurrency)
        queue = ArqQueue(redis_url)
        await queue.start()

        worker = _burst_worker_of(settings, queue, redis_url, concurrency)
        tune_gc()
        ready.set()
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        try:
            await worker.async_run()
        finally:
            await worker.close()
            await queue.close()
            await close_db()

    asyncio.run(work())


async def _scheduled_again(ids: list[int]) -> None:
    """The deliveries back to scheduled, for the next measure."""
    await Delivery.filter(id__in=ids).update(
        status=DeliveryStatus.SCHEDULED, provider_ref=None, claim=None, provider=""
    )


def publish(rates: dict[str, dict[int, float]], two: dict[int, float], concurrency: int) -> None:
    """The published figures: the largest size, with the others as its scale."""
    base = rates["baseline"]
    size = max(base)

    def figure(name: str, found: dict[int, float], label: str) -> None:
        value = found[size]
        record(
            name,
            value,
            "SMS/s",
            baseline=base[size],
            goal=">= 1,000/s, ratio >= 0.5",
            ok=value >= 1000 and value >= 0.5 * base[size],
            scale=[scale_point(n, found[n], base[n]) for n in sorted(found)],
            how=label,
            concurrency=concurrency,
        )

    figure("deliveries_inprocess", rates["ours"], "in-process runner, SQLite")
    if rates["arq"]:
        figure("deliveries_arq", rates["arq"], "one arq worker on Redis, SQLite")
    if two:
        figure("deliveries_arq_2", two, "two arq worker processes on Redis, PostgreSQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n",
        "--deliveries",
        type=int,
        nargs="+",
        default=[500, 1000, 2000] if QUICK else [1000, 2500, 5000],
        help="the sizes measured; the last is the published figure",
    )
    parser.add_argument("-r", "--rounds", type=int, default=3, help="rounds of each measure")
    parser.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=400,
        help="requests in flight for the baseline, jobs at once for the worker "
        "(ABSENCES_WORKER_JOBS)",
    )
    parser.add_argument(
        "--synchronous", default="", help="SQLite's synchronous pragma (default: tortoise's, FULL)"
    )
    parser.add_argument(
        "--redis",
        default="",
        help="also measure one arq worker on this Redis database (it is flushed), e.g. "
        "redis://127.0.0.1:6379/14",
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="with --redis, also two worker processes on a new database of this PostgreSQL "
        "server, e.g. postgres://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()
    sizes = sorted(args.deliveries)
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    child.start()
    try:
        server = receive.recv()
        options = f"?synchronous={args.synchronous}" if args.synchronous else ""
        rates = asyncio.run(run(sizes, args.concurrency, server, options, args.redis, args.rounds))
        two: dict[int, float] = {}
        if args.redis and args.postgres:
            two = in_own_process(
                _two_workers_process,
                sizes,
                args.concurrency,
                server,
                args.redis,
                args.postgres,
                args.rounds,
            )
    finally:
        child.terminate()
        child.join()
    publish(rates, two, args.concurrency)


if __name__ == "__main__":
    main()
