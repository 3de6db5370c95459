"""``absences bot set-webhook`` registers the webhook and the menu; ``absences bot`` polls;
both say in one line what is missing when the bot is not configured."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from tests.cli.test_cli import ROOT, Install, one_line_error
from tests.gateway.fakes.telegram import FakeTelegram


def test_without_a_token_or_a_secret_the_commands_say_what_to_set(tmp_path: Path) -> None:
    install = Install(tmp_path)
    assert "ABSENCES_TELEGRAM_TOKEN" in one_line_error(install.run("bot"))
    token = {"ABSENCES_TELEGRAM_TOKEN": "1:x"}
    line = one_line_error(install.run("bot", "set-webhook", extra=token))
    assert "ABSENCES_TELEGRAM_WEBHOOK_SECRET" in line
    down = token | {
        "ABSENCES_TELEGRAM_WEBHOOK_SECRET": "s",
        "ABSENCES_PUBLIC_URL": "https://absences.example.org",
        "ABSENCES_TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    assert "cannot reach" in one_line_error(install.run("bot", "set-webhook", extra=down))
    bad = {"ABSENCES_TELEGRAM_TOKEN": "not-a-token"}
    assert "bad setting ABSENCES_TELEGRAM_TOKEN" in one_line_error(install.run("bot", extra=bad))


def _env(tmp_path: Path, telegram: FakeTelegram, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABSENCES_")}
    return env | {
        "ABSENCES_DATABASE_URL": f"sqlite://{tmp_path}/absences.sqlite3",
        "ABSENCES_VAR_DIR": str(tmp_path / "var"),
        "ABSENCES_TELEGRAM_TOKEN": telegram.token,
        "ABSENCES_TELEGRAM_API_URL": telegram.url,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


async def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return int(process.returncode or 0), err.decode()


async def test_set_webhook_registers_the_url_the_secret_and_the_menu(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = _env(
        tmp_path,
        telegram,
        ABSENCES_TELEGRAM_WEBHOOK_SECRET="s3cret",
        ABSENCES_PUBLIC_URL="https://absences.example.org",
    )
    code, err = await _run(env, "bot", "set-webhook")
    assert code == 0, err
    assert telegram.webhook["url"] == "https://absences.example.org/hooks/telegram"
    assert telegram.webhook["secret_token"] == "s3cret"
    french = [c["command"] for c in telegram.commands[""]]
    assert french == [
        "absences",
        "justifier",
        "historique",
        "preferences",
        "langue",
        "aide",
        "stop",
    ]
    assert telegram.commands["en"][0]["description"] == "Your children's open absences"


async def test_polling_answers_the_updates(telegram: FakeTelegram, tmp_path: Path) -> None:
    env = _env(tmp_path, telegram)
    code, err = await _run(env, "migrate")
    assert code == 0, err
    telegram.webhook = {"url": "https://old.example.org/hooks/telegram"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": 31337, "type": "private"},
        "from": {"id": 31337, "is_bot": False, "first_name": "Anne"},
        "text": "/absences",
    }
    telegram.updates.append(telegram.update("message", message))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        for _ in range(300):  # its answer, within 30 s
            if telegram.texts(31337):
                break
            await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    assert telegram.webhook == {}  # deleted before polling
    assert telegram.texts(31337)[0].startswith("Ce fil n'est relié à aucun responsable")
