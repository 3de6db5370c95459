"""Try the Telegram bot end to end without Telegram: the local Bot API peer the tests use, and a
prompt that writes to the bot as a family would.

    .venv/bin/python scripts/telegram_peer.py --webhook http://127.0.0.1:8080/hooks/telegram \\
        --secret "$ABSENCES_TELEGRAM_WEBHOOK_SECRET"

It prints the address to give `absences serve` as ABSENCES_TELEGRAM_API_URL (with the same
ABSENCES_TELEGRAM_TOKEN), then reads lines from the keyboard:

    <chat id> <text>        a family's message (`/start CODE`, `/absences`, free text…)
    press <chat id> <data>  a button pressed (its data, as the bot's answer listed it)

and prints what the bot answered in that chat, with its buttons. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.gateway.fakes.telegram import FakeTelegram

WAIT = 1.5  # seconds the bot gets to answer


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Famille"}


def _sender(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Famille", "language_code": "fr"}


async def run(webhook: str, secret: str, token: str) -> None:
    peer = FakeTelegram(token=token)
    url = await peer.start()
    print(f"Bot API peer: ABSENCES_TELEGRAM_API_URL={url} (token {token})")
    print("Type '<chat id> <text>' or 'press <chat id> <data>'; Ctrl+D to stop.")
    ids = itertools.count(1)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            words = line.strip().split(" ", 2)
            pressed = words[0] == "press" and len(words) == 3
            if not pressed and (len(words) < 2 or not words[0].lstrip("-").isdigit()):
                print("? '<chat id> <text>' or 'press <chat id> <data>'")
                continue
            chat = int(words[1] if pressed else words[0])
            seen = len(peer.texts(chat))
            if pressed:
                body = {
                    "id": str(next(ids)),
                    "from": _sender(chat),
                    "chat_instance": str(chat),
                    "data": words[2],
                    "message": {"message_id": 1, "date": int(time.time()), "chat": _chat(chat)},
                }
                update = peer.update("callback_query", body)
            else:
                text = line.strip().split(" ", 1)[1]
                message = {"message_id": next(ids), "date": int(time.time()), "text": text}
                update = peer.update(
                    "message", {**message, "chat": _chat(chat), "from": _sender(chat)}
                )
            try:
                status, _ = await peer.post_update(webhook, update, secret)
            except ClientError as error:
                print(f"the app does not answer at {webhook}: {error}")
                continue
            if status != 200:
                print(f"the webhook answered {status}")
            await asyncio.sleep(WAIT)
            answered = peer.texts(chat)[seen:]
            for said in answered:
                print(f"bot › {said}")
            for label, data in peer.last_buttons(chat) if answered else []:
                print(f"      [{label}] → press {chat} {data}")
    finally:
        await peer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhook", required=True, help="the app's /hooks/telegram URL")
    parser.add_argument("--secret", required=True, help="ABSENCES_TELEGRAM_WEBHOOK_SECRET")
    parser.add_argument("--token", default="123456:local-token", help="ABSENCES_TELEGRAM_TOKEN")
    args = parser.parse_args()
    asyncio.run(run(args.webhook, args.secret, args.token))


if __name__ == "__main__":
    main()
