"""The ``absences`` command as an admin runs it: real processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Install:
    """A working directory with its own database, as a school's admin would have."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ABSENCES_")}
        self.env["ABSENCES_DATABASE_URL"] = f"sqlite://{path}/var/absences.sqlite3"
        self.env["ABSENCES_VAR_DIR"] = str(path / "var")
        self.env["PYTHONPATH"] = str(ROOT)

    def run(
        self, *args: str, stdin: str = "", extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            cwd=self.path,
            env={**self.env, **(extra or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", *args],
            cwd=self.path,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def install(tmp_path: Path) -> Install:
    (tmp_path / "var").mkdir()
    return Install(tmp_path)


@pytest.fixture
def migrated(install: Install) -> Install:
    result = install.run("migrate")
    assert result.returncode == 0, result.stderr
    return install


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_migrate_applies_once_then_says_up_to_date(install: Install) -> None:
    assert "0001_initial" in install.run("migrate").stdout
    assert "up to date" in install.run("migrate").stdout


def test_a_bad_setting_is_one_line(install: Install) -> None:
    line = one_line_error(install.run("migrate", extra={"ABSENCES_PORT": "abc"}))
    assert "ABSENCES_PORT" in line


def test_a_missing_database_directory_is_one_line(install: Install) -> None:
    extra = {"ABSENCES_DATABASE_URL": f"sqlite://{install.path}/nowhere/db.sqlite3"}
    line = one_line_error(install.run("migrate", extra=extra))
    assert "does not exist" in line


def test_an_unmigrated_database_is_named(install: Install) -> None:
    line = one_line_error(install.run("token", "create", "a@b.fr"))
    assert "absences migrate" in line


def test_school_add_user_add_and_token_create(migrated: Install) -> None:
    refused = migrated.run("user", "add", "cpe@college.fr", "--school", "0751234X", "--role", "cpe")
    assert "0751234X" in one_line_error(refused)  # no such school yet

    created = migrated.run("school", "add", "0751234x", "--name", "Collège Jean Moulin")
    assert "0751234X" in created.stdout, created.stderr
    assert "already exists" in one_line_error(
        migrated.run("school", "add", "0751234X", "--name", "Again")
    )
    assert "invalid UAI" in one_line_error(migrated.run("school", "add", "123", "--name", "X"))

    added = migrated.run(
        "user",
        "add",
        "cpe@college.fr",
        "--school",
        "0751234X",
        "--role",
        "cpe",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "generated password" not in added.stdout
    generated = migrated.run(
        "user", "add", "prof@college.fr", "--school", "0751234X", "--role", "teacher"
    )
    assert "generated password:" in generated.stdout
    bad_role = migrated.run(
        "user", "add", "x@college.fr", "--school", "0751234X", "--role", "janitor", stdin=""
    )
    assert "unknown role" in one_line_error(bad_role)

    token = migrated.run("token", "create", "cpe@college.fr")
    assert token.returncode == 0 and token.stdout.startswith("abs_")
    assert "no user" in one_line_error(migrated.run("token", "create", "nobody@college.fr"))
    tokens_listed_and_revoked(migrated)


def tokens_listed_and_revoked(migrated: Install) -> None:
    """``token create --name/--days/--no-expiry``, ``token list EMAIL``, ``token revoke ID``."""
    named = migrated.run("token", "create", "cpe@college.fr", "--name", "tableur", "--days", "30")
    assert named.returncode == 0, named.stderr
    forever = migrated.run("token", "create", "cpe@college.fr", "--no-expiry")
    assert forever.returncode == 0, forever.stderr
    both = migrated.run("token", "create", "cpe@college.fr", "--days", "3", "--no-expiry")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    assert "from 1 to" in one_line_error(
        migrated.run("token", "create", "cpe@college.fr", "--days", "0")
    )

    listed = migrated.run("token", "list", "cpe@college.fr")
    assert listed.returncode == 0, listed.stderr
    header, *lines = listed.stdout.strip().splitlines()
    assert header.split("\t") == [
        "id",
        "name",
        "prefix",
        "created",
        "last used",
        "expires",
        "revoked",
    ]
    rows = {line.split("\t")[1]: line.split("\t") for line in lines}
    assert len(lines) == 3 and rows["tableur"][2] == named.stdout.strip()[:12]
    assert rows["tableur"][4:] == ["never", rows["tableur"][5], "no"]
    assert rows["tableur"][5].endswith("UTC")
    first_id = rows["tableur"][0]
    revoked = migrated.run("token", "revoke", first_id)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    after = migrated.run("token", "list", "cpe@college.fr").stdout
    line = next(row for row in after.splitlines() if row.startswith(first_id + "\t"))
    assert line.split("\t")[6].endswith("UTC")
    assert "no token 9999" in one_line_error(migrated.run("token", "revoke", "9999"))
    assert "no user" in one_line_error(migrated.run("token", "list", "nobody@college.fr"))


@pytest.fixture
def served(migrated: Install) -> Iterator[tuple[Install, int]]:
    port = free_port()
    migrated.env["ABSENCES_PORT"] = str(port)
    process = migrated.start("serve")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield migrated, port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_answers_healthz(served: tuple[Install, int]) -> None:
    _, port = served
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        body = response.read().decode()
    assert '"status": "ok"' in body and '"queue": "inline"' in body


def test_a_port_in_use_is_one_line(served: tuple[Install, int]) -> None:
    install, port = served
    line = one_line_error(install.run("serve", "--port", str(port)))
    assert "already in use" in line


def test_worker_without_redis_is_one_line(migrated: Install) -> None:
    assert "ABSENCES_REDIS_URL" in one_line_error(migrated.run("worker"))


def test_an_operator_lists_the_unclaimed_replies_and_gives_one_to_its_school(
    migrated: Install,
) -> None:

    assert (
        migrated.run("school", "add", "0751234X", "--name", "Collège Jean Moulin").returncode == 0
    )
    with sqlite3.connect(migrated.path / "var" / "absences.sqlite3") as db:
        db.execute(
            "INSERT INTO inbound_message (channel, provider, provider_ref, sender, recipient,"
            " text, received_at, status, event_ids) VALUES ('sms', 'twilio', 'SM1',"
            " '+33655555555', '+33700000001', 'Mon fils était malade', "
            "'2026-03-02 17:00:00+00:00', 'unmatched', '[]')"
        )
    listed = migrated.run("replies", "unclaimed", "--json")
    assert listed.returncode == 0, listed.stderr
    [reply] = json.loads(listed.stdout)
    assert (reply["sender"], reply["text"]) == ("+33655555555", "Mon fils était malade")
    table = migrated.run("replies", "unclaimed").stdout
    assert "Mon fils était malade" in table and "+33700000001" in table
    given = migrated.run("replies", "assign", str(reply["id"]), "--school", "0751234x")
    assert "0751234X" in given.stdout, given.stderr
    assert json.loads(migrated.run("replies", "unclaimed", "--json").stdout) == []
    assert "school" in one_line_error(
        migrated.run("replies", "assign", str(reply["id"]), "--school", "0751234X")
    )
    assert "0759999Z" in one_line_error(
        migrated.run("replies", "assign", str(reply["id"]), "--school", "0759999Z")
    )
