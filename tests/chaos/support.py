"""What the fault tests share: servers of our own to stop and start (Redis, a PostgreSQL
cluster), `absences worker` processes, and the count every fault ends with.

The shared Redis and PostgreSQL of the test suite are never stopped: a fault test starts its own
``redis-server`` or PostgreSQL cluster on a free loopback port, in the test's temporary folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.models import Delivery, DeliveryStatus, School, Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from tests.conftest import unavailable
from tests.core.services.notice_support import MONDAY, absence, at, make_family
from tests.gateway.fakes.server import HOST, free_port
from tests.gateway.fakes.twilio import FakeTwilio
from workers.queue import ArqQueue
from workers.tasks import sweep

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_S = float(os.environ.get("ABSENCES_CHAOS_OUTAGE_S", "5"))
"""How long Redis stays down (``make test``: 5 s; ``make chaos``: 60 s, the issue's figure)."""


# --- a school whose notices are due ----------------------------------------------------------

SYSTEM = Actor.system("tests")
RECORDED = at(MONDAY, 8, 30)  # long past: the deliveries are due now


async def a_school() -> School:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
    school.reminder_after_days = 0  # only the absence notices these tests make
    await school.save(update_fields=["reminder_after_days"])
    return school


async def record_absence(school: School, name: str) -> int:
    """A pupil with both parents reachable by SMS, absent Monday morning (recorded long ago);
    returns the event's id."""
    pupil = await Student.create(school=school, last_name=name, first_name="Léa")
    await make_family(school, pupil)
    event = await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    return event.id


async def absences(school: School, pupils: int) -> list[int]:
    """An absence for each of ``pupils`` pupils, recorded long ago and never enqueued: both
    parents' SMS are due, two deliveries per pupil."""
    for n in range(pupils):
        await record_absence(school, f"Élève{n:03}")
    return [d.id for d in await Delivery.all().order_by("id")]


# --- the count ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """What a fault did to the notices: ``lost`` never sent (must be 0), ``sent_twice``
    deliveries the provider took more than once (at most ``in_flight``: those a process held,
    sent but not yet recorded, when the fault struck), ``extra`` the SMS beyond one each."""

    fault: str
    total: int
    lost: int
    sent_twice: int
    extra: int
    in_flight: int

    @property
    def line(self) -> str:
        return (
            f"fault {self.fault}: lost={self.lost} sent_twice={self.sent_twice} "
            f"in_flight={self.in_flight} (of {self.total}; {self.extra} extra sendings)"
        )

    def check(self, record: Callable[[str, object], None] | None = None) -> None:
        """Print the line, attach it to the test's report, and assert the bounds."""
        print(f"\n{self.line}")
        if record is not None:
            record("fault", self.line)
        assert self.lost == 0, self.line
        assert self.sent_twice <= self.in_flight and self.extra <= self.in_flight, self.line


def sends_by_delivery(twilio: FakeTwilio) -> Counter[str]:
    """How many SMS the provider took for each delivery (its uuid ends the StatusCallback)."""
    return Counter((r.get("StatusCallback") or "").rsplit("/", 1)[-1] for r in twilio.requests)


async def count(fault: str, twilio: FakeTwilio, ids: Collection[int], in_flight: int) -> Count:
    """The count of ``ids`` once the fault is over: a delivery is lost when it is not "sent"
    (or "delivered") or the provider never took it."""
    rows = await Delivery.filter(id__in=list(ids)).values_list("uuid", "status")
    sends = sends_by_delivery(twilio)
    taken = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    lost = sum(1 for uuid, status in rows if status not in taken or not sends[str(uuid)])
    mine = [sends[str(uuid)] for uuid, _ in rows]
    assert sum(mine) == len(twilio.requests), "the provider took SMS of no delivery of the test"
    return Count(
        fault,
        len(rows),
        lost,
        sum(1 for n in mine if n > 1),
        sum(n - 1 for n in mine if n > 1),
        in_flight,
    )


# --- a Redis of our own ------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a free port, without persistence: stopping it loses every job."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server", "not installed (apt-get install redis-server)")
        self.binary = str(binary)
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "redis.log").open("ab")
        command = [self.binary, "--port", str(self.port), "--bind", HOST, "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        client = SyncRedis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("our redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        """Stop it at once (SIGKILL): what it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


# --- a PostgreSQL cluster of our own -----------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PostgresCluster:
    """A throwaway cluster (``initdb``) on a free port, its socket in its own folder; run as
    the ``postgres`` user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self, folder: Path) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            unavailable("PostgreSQL binaries", "no initdb/pg_ctl (apt-get install postgresql)")
        assert bindir is not None
        self.bin = bindir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            try:
                import pwd

                pwd.getpwnam(self.user)
            except KeyError:
                unavailable("PostgreSQL cluster", "running as root without a postgres user")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/postgres"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = list(command)
        if self.user is not None:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=120)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            shutil.chown(self.folder, self.user)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -h {HOST} -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log,
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)  # fmt: skip

    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A cluster in a folder of its own under the system's temporary folder (not pytest's:
    every pytest run makes ``pytest-of-<user>`` private again, which the ``postgres`` user
    would then no longer enter), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="absences-chaos-pg-"))
    folder.chmod(0o755)
    cluster = PostgresCluster(folder)
    try:
        cluster.create()
        cluster.start()
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or ""
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        unavailable("PostgreSQL cluster", f"{error} {detail}".strip())
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- `absences worker` processes ---------------------------------------------------------------


@dataclass
class Worker:
    """An `absences worker` process and where its output goes."""

    process: asyncio.subprocess.Process
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    async def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def finish(self, seconds: float, redis_url: str) -> None:
        """Wait for a ``--burst`` worker to empty the queue and stop."""
        try:
            await asyncio.wait_for(self.process.wait(), seconds)
        except TimeoutError:
            await self.kill()
            queued = await queued_jobs(redis_url)
            raise AssertionError(
                f"the worker did not finish; still queued: {queued}\n{self.tail()}"
            ) from None
        assert self.process.returncode == 0, self.tail()


def worker_env(db_url: str, redis_url: str, twilio: FakeTwilio, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABSENCES_")}
    env |= {
        "ABSENCES_DATABASE_URL": db_url,
        "ABSENCES_REDIS_URL": redis_url,
        "ABSENCES_SMS_PROVIDER": "twilio",
        "ABSENCES_TWILIO_ACCOUNT_SID": twilio.account_sid,
        "ABSENCES_TWILIO_AUTH_TOKEN": twilio.auth_token,
        "ABSENCES_TWILIO_FROM": "+33700000001",
        "ABSENCES_TWILIO_API_URL": twilio.url,
        "ABSENCES_PUBLIC_URL": "http://127.0.0.1:9",  # named in StatusCallback, never called
        "ABSENCES_VAR_DIR": str(var_dir),
        "ABSENCES_SECRET_KEY": "tests-secret",
        "ABSENCES_WORKER_JOBS": "20",
        "PYTHONPATH": str(ROOT),
    }
    return env


async def start_worker(env: dict[str, str], log: Path, *, burst: bool = False) -> Worker:
    command = [sys.executable, "-m", "cli.main", "worker", *(["--burst"] if burst else [])]
    out = log.open("ab")
    try:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    finally:
        out.close()
    return Worker(process, log)


async def until(
    check: Callable[[], bool], seconds: float, what: str, worker: Worker | None = None
) -> None:
    """Wait (polling) until ``check()``; fail with the worker's log if it stops or time is up."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if worker is not None and worker.process.returncode is not None:
            raise AssertionError(
                f"the worker stopped ({worker.process.returncode}) {what}\n{worker.tail()}"
            )
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting {what}:\n{worker.tail() if worker else ''}")
        await asyncio.sleep(0.005)


async def all_sent(ids: Collection[int], seconds: float, worker: Worker) -> None:
    """Wait until every delivery of ``ids`` is recorded "sent", then a little more (time for
    one to be sent again, were it to be)."""
    deadline = asyncio.get_running_loop().time() + seconds
    sent = Delivery.filter(id__in=list(ids), status=DeliveryStatus.SENT)
    while await sent.count() < len(ids):
        if worker.process.returncode is not None or asyncio.get_running_loop().time() > deadline:
            done = await sent.count()
            raise AssertionError(f"{done} of {len(ids)} sent:\n{worker.tail()}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)


async def expire_in_progress_jobs(redis_url: str) -> int:
    """What 42 s would do (arq lets a dead worker's job run again once its in-progress mark,
    set for the job timeout + 10 s, expires): expire the marks now."""
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match="arq:in-progress:*")]
        if keys:
            await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()


async def queued_jobs(redis_url: str) -> list[tuple[str, float]]:
    """arq's queue: each job id and in how many seconds it may run (for a failure's message)."""
    client = Redis.from_url(redis_url)
    try:
        now = datetime.now(UTC).timestamp() * 1000
        rows = await client.zrange("arq:queue", 0, -1, withscores=True)
        return [(key.decode(), round((score - now) / 1000, 1)) for key, score in rows]
    finally:
        await client.aclose()


chaos = pytest.mark.chaos
MARKS = [
    chaos,
    pytest.mark.redis,
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]
"""A fault test's marks (``pytestmark = MARKS``): it needs Redis; arq's pool warns on close."""
Record = Callable[[str, object], None]
"""pytest's ``record_property``: the fault's line is attached to the test's report."""


async def enqueue_backlog(redis_url: str) -> int:
    """The sweep of a worker, run once: every delivery due is enqueued (stuck ones first put
    back)."""
    queue = ArqQueue(redis_url)
    await queue.start()
    try:
        return await sweep({"queue": queue})
    finally:
        await queue.close()
