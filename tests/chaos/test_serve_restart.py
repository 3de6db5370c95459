"""`absences serve` killed (-9) in the middle of a SIECLE import, then of a timetable import,
both uploaded through the API, and started again: each import is one transaction, so the
database is as before it, never half of it; the same upload again gives the whole result.

"In the middle" is seen, not guessed: the test polls SQLite's write lock from a connection of
its own; once the server's import transaction has held it ``HELD`` seconds, and no answer came,
the process is killed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bench.bench_siecle import write_export
from tests.chaos.support import ROOT, Count, Record, chaos
from tests.gateway.fakes.server import HOST, free_port

pytestmark = chaos
FIXTURES = ROOT / "tests" / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin"
EDT = FIXTURES / "edt" / "college-jean-moulin"
UAI = "0751234X"
COPIES = 5  # the sample school five times: 2,090 students, an import of a few seconds
# seconds the write lock is held that say the import's transaction is open (the token's last
# use takes it for a millisecond); the SIECLE import's lasts a few seconds here
HELD = {"siecle": 1.0, "timetable": 0.05}
TABLES = ("student", "person", "guardian_link", "division", "lesson", "week_pattern", "staff_user")


@dataclass
class Install:
    """An install on SQLite, its admin's API token, and its `absences serve` when running."""

    folder: Path
    env: dict[str, str]
    token: str = ""
    port: int = 0
    process: asyncio.subprocess.Process | None = None

    @property
    def database(self) -> Path:
        return self.folder / "absences.sqlite3"

    @property
    def wal(self) -> Path:
        return self.folder / "absences.sqlite3-wal"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    async def serve(self) -> None:
        self.port = free_port()
        log = (self.folder / "serve.log").open("ab")
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)]
        self.process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        log.close()
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"http://{HOST}:{self.port}/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert self.process.returncode is None, self.log()
                await asyncio.sleep(0.1)
        raise AssertionError(f"`absences serve` did not answer:\n{self.log()}")

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.folder / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def writing(self) -> bool:
        """Whether a transaction of the server holds SQLite's write lock (ours cannot take it)."""
        connection = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            return True
        finally:
            connection.close()

    def counts(self) -> dict[str, int]:
        """What the database holds, read by another process's connection (committed data)."""
        counts = {}
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            for table in TABLES:
                counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return counts

    async def upload(self, kind: str, files: Sequence[Path]) -> tuple[int, dict[str, object]]:
        form = aiohttp.FormData()
        for path in files:
            form.add_field("files", path.read_bytes(), filename=path.name, content_type="text/xml")
        url = f"http://{HOST}:{self.port}/api/v1/schools/{UAI}/imports/{kind}?force_year=true"
        headers = {"Authorization": f"Bearer {self.token}"}
        timeout = aiohttp.ClientTimeout(total=300)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, data=form, headers=headers) as answer,
        ):
            return answer.status, await answer.json()


@pytest.fixture
def install(tmp_path: Path) -> Install:
    folder = tmp_path / "var"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABSENCES_")}
    env |= {
        "ABSENCES_DATABASE_URL": f"sqlite://{folder / 'absences.sqlite3'}",
        "ABSENCES_VAR_DIR": str(folder),
        "ABSENCES_SECRET_KEY": "tests-secret",
        "PYTHONPATH": str(ROOT),
    }
    site = Install(folder, env)
    site.cli("migrate")
    site.cli("school", "add", UAI, "--name", "Collège Jean Moulin")
    site.cli("user", "add", "admin@example.org", "--school", UAI, "--role", "admin")
    site.token = site.cli("token", "create", "admin@example.org").strip().splitlines()[-1]
    return site


async def killed_mid_import(site: Install, kind: str, files: Sequence[Path]) -> float:
    """Upload, and kill the server once the import's transaction has held the database's
    write lock for ``HELD[kind]`` seconds, before any answer; returns how long it held it."""
    request = asyncio.create_task(site.upload(kind, files))
    held_since: float | None = None
    clock = asyncio.get_running_loop().time
    held = 0.0
    while not request.done():
        if site.writing():
            held_since = clock() if held_since is None else held_since
            held = clock() - held_since
            if held >= HELD[kind]:
                await site.kill()
                break
        else:
            held_since = None
        await asyncio.sleep(0.002)
    with pytest.raises(aiohttp.ClientError):
        await request  # answered before the kill: the import was too quick to be cut
    return held


async def restarted_mid_import(
    site: Install,
    kind: str,
    files: Sequence[Path],
    check: Callable[[dict[str, int]], None],
) -> Count:
    """Kill `absences serve` in the import, start it again: the database as before the import
    (or, were the kill to land on the commit itself, as after it: never between); the same
    upload then gives what ``check`` expects, and once more changes nothing."""
    before = site.counts()
    held = await killed_mid_import(site, kind, files)
    await site.serve()
    restarted = site.counts()  # read once SQLite recovered the file (what a reader sees)
    status, summary = await site.upload(kind, files)
    assert status == 200, summary
    complete = site.counts()
    check(complete)
    assert restarted in (before, complete), (before, restarted, complete)  # never half of it
    status, _ = await site.upload(kind, files)
    assert status == 200 and site.counts() == complete  # the same import again: nothing new
    print(
        f"\n{kind} import killed {held * 1000:.0f} ms into its transaction: {restarted} after "
        f"the restart ({'as before' if restarted == before else 'committed'}), {complete} once "
        "imported"
    )
    lost = sum(1 for table in TABLES if complete[table] < before[table])
    return Count(f"serve killed during a {kind} import", len(TABLES), lost, 0, 0, 0)


async def test_serve_killed_during_a_siecle_then_a_timetable_import(
    install: Install, tmp_path: Path, record_property: Record
) -> None:
    export = tmp_path / "siecle"
    export.mkdir()
    files = write_export(export, COPIES, SIECLE)
    await install.serve()
    try:

        def siecle_done(counts: dict[str, int]) -> None:
            assert counts["student"] == 418 * COPIES and counts["division"] == 16 * COPIES

        result = await restarted_mid_import(install, "siecle", files, siecle_done)
        result.check(record_property)

        def timetable_done(counts: dict[str, int]) -> None:
            assert counts["lesson"] > 0

        timetable = sorted(EDT.glob("*.xml"))
        result = await restarted_mid_import(install, "timetable", timetable, timetable_done)
        result.check(record_property)
    finally:
        await install.kill()
