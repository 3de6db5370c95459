"""Families' replies per second through ``POST /hooks/twilio/sms`` of the real app, against a bare
aiohttp handler that stores the same form in one insert, in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_inbound.py [-n 600 -c 16 -r 3]``.
The demo school is built on a fresh, migrated SQLite file (its guardians' mobiles come from its
SIECLE-like data) and the whole app is served on 127.0.0.1. A second process posts, with ``-c``
requests in flight, ``-n`` inbound SMS as Twilio posts them — form-encoded, signed with
``X-Twilio-Signature`` — each from a guardian's mobile (distinct numbers while there are enough),
a parent's reason in French: the app checks the signature and stores the reply in one insert;
the in-process worker reads the replies waiting in batches, matches each to the guardian, the
child and the open absences, and writes its thanks (a notice and its SMS delivery; sending
them is the deliveries bench's). Ours is timed from the first post until no reply is left
unread.
The baseline is a handler mounted on the same app that reads the form and stores it in one
INSERT into a table of the same SQLite database, called by the same process in the same way.
Each round ends by checking that every reply was stored and matched, then empties both tables;
the best of ``-r`` rounds is kept. Goal: a ratio of 0.3 or better.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Loader
from bench.results import QUICK, record
from bench.serving import served
from cli.demo.build import build_demo
from core.db import close_db, init_db, migrate
from core.models import (
    ContactKind,
    ContactPoint,
    InboundMessage,
    InboundStatus,
    Notice,
    NoticeKind,
    Usability,
)
from core.settings import load_settings
from gateway.twilio.callbacks import INBOUND_SMS_PATH, render_message_reply, signature
from web.app import create_app
from workers.queue import DELIVER, InlineQueue
from workers.replies import READ_REPLIES, read_replies

PUBLIC_URL = "https://absences.example.org"
AUTH_TOKEN = "bench-auth-token"
ACCOUNT = "AC" + "0" * 32
SCHOOL_NUMBER = "+33700000001"
BARE_PATH = "/hooks/bench/bare-sms"  # under /hooks/, as a provider posts: no Origin check
BARE_TABLE = "bench_bare_inbound"
WARM_UP = 20
REPLIES = (
    "Bonjour, elle a de la fièvre depuis hier soir, je vous envoie un mot",
    "il avait rdv chez le dentiste ce matin",
    "Désolé, panne de voiture, il arrive pour 10h",
    "Il est malade, il reste à la maison aujourd'hui",
    "Enterrement de son grand-père, il sera absent toute la journée",
    "bonjour il a raté le bus",
)


def forms(numbers: list[str], count: int, path: str) -> tuple[list[dict[str, str]], list[str]]:
    """``count`` inbound SMS as Twilio posts them to ``path``, and their signatures."""
    made, signs = [], []
    for n in range(count):
        form = {
            "ToCountry": "FR",
            "SmsMessageSid": "",
            "NumMedia": "0",
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT,
            "From": numbers[n % len(numbers)],
            "To": SCHOOL_NUMBER,
            "Body": REPLIES[n % len(REPLIES)],
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        form["SmsMessageSid"] = form["MessageSid"]
        made.append(form)
        signs.append(signature(PUBLIC_URL + path, form, AUTH_TOKEN))
    return made, signs


async def _bare(request: web.Request) -> web.Response:
    """The baseline: the form stored in one insert, an empty TwiML answer."""
    form = await request.post()
    values = {name: str(value) for name, value in form.items()}
    await Tortoise.get_connection("default").execute_insert(
        f"INSERT INTO {BARE_TABLE} (sid, sender, body, form, received_at) VALUES (?, ?, ?, ?, ?)",
        [
            values.get("MessageSid", ""),
            values.get("From", ""),
            values.get("Body", ""),
            json.dumps(values),
            datetime.now(UTC).isoformat(),
        ],
    )
    return web.Response(text=render_message_reply(), content_type="text/xml")


async def _create_bare_table() -> None:
    await Tortoise.get_connection("default").execute_script(
        f"CREATE TABLE {BARE_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL "
        "UNIQUE, sender TEXT NOT NULL, body TEXT NOT NULL, form TEXT NOT NULL, "
        "received_at TEXT NOT NULL)"
    )


async def _mobiles(uai: str) -> list[str]:
    """The demo guardians' usable mobiles, as its SIECLE-like data gave them."""
    values = await ContactPoint.filter(
        person__school__uai=uai,
        kind=ContactKind.MOBILE,
        siecle_field__isnull=False,
        usability=Usability.OK,
        consent=True,
    ).values_list("value", flat=True)
    return sorted({str(v) for v in values})


async def _check(name: str, statuses: dict[int, int], count: int) -> None:
    if statuses != {200: count}:
        raise SystemExit(f"{name}: answers {statuses}, expected {count} × 200")


async def _read_all(queue: InlineQueue) -> float:
    """Seconds until the worker has read every reply stored (its jobs all done)."""
    started = time.perf_counter()
    await queue.drain(timeout=120)
    if await InboundMessage.filter(status=InboundStatus.RECEIVED).exists():
        raise SystemExit("ours: replies left unread once the worker was done")
    return time.perf_counter() - started


async def _empty() -> None:
    await InboundMessage.all().delete()
    await Notice.filter(kind=NoticeKind.THANKS).delete()
    await Tortoise.get_connection("default").execute_script(f"DELETE FROM {BARE_TABLE}")


async def _measure(
    queue: InlineQueue, base: str, uai: str, count: int, concurrency: int, rounds: int
) -> None:
    numbers = await _mobiles(uai)
    if not numbers:
        raise SystemExit("the demo school has no usable imported mobile")
    loader = Loader()

    async def post(path: str, count: int) -> tuple[float, dict[int, int], int]:
        made, signs = forms(numbers, count, path)
        requests = [
            {"data": f, "headers": {"X-Twilio-Signature": s}}
            for f, s in zip(made, signs, strict=True)
        ]
        done = await loader.post(base + path, requests, concurrency, marker="<Message>")
        return done.seconds, done.statuses, done.marked

    rates: dict[str, list[float]] = {"baseline": [], "ours": []}
    acknowledged = matched = 0
    try:
        await post(BARE_PATH, WARM_UP)
        await post(INBOUND_SMS_PATH, WARM_UP)
        await _empty()
        for _ in range(rounds):
            took, statuses, _ = await post(BARE_PATH, count)
            await _check("baseline", statuses, count)
            rates["baseline"].append(count / took)
            took, statuses, _ = await post(INBOUND_SMS_PATH, count)
            waited = await _read_all(queue)
            print(f"  round: posted in {took:.2f} s, the last reply read {waited:.2f} s later")
            took += waited
            await _check("ours", statuses, count)
            rates["ours"].append(count / took)
            acknowledged = await Notice.filter(kind=NoticeKind.THANKS).count()
            stored = await InboundMessage.filter(provider="twilio").count()
            matched = await InboundMessage.filter(person_id__isnull=False).count()
            if stored != count or matched != count:
                raise SystemExit(f"ours: {stored} stored, {matched} matched of {count} replies")
            await _empty()
    finally:
        loader.close()
    base_rate, ours_rate = max(rates["baseline"]), max(rates["ours"])
    distinct = min(count, len(numbers))
    print(
        f"inbound replies: {count} signed Twilio SMS from {distinct} guardians' numbers, "
        f"{concurrency} in flight (SQLite), best of {rounds} rounds"
    )
    print(f"baseline (bare handler, one insert): {base_rate:,.0f}/s  {_rounds(rates['baseline'])}")
    print(
        f"ours (POST {INBOUND_SMS_PATH}: signed, stored, read, matched, acknowledged): "
        f"{ours_rate:,.0f}/s  {_rounds(rates['ours'])}"
    )
    print(f"  last round: {matched} matched to a guardian, {acknowledged} thanked (once a day)")
    print(f"ratio: {ours_rate / base_rate:.2f}  (goal: 0.3 or better)")
    record(
        "inbound_sms",
        ours_rate,
        "replies/s",
        baseline=base_rate,
        goal="ratio >= 0.3",
        ok=ours_rate >= 0.3 * base_rate,
        replies=count,
        in_flight=concurrency,
    )


async def _not_sent(ctx: dict[str, Any], *delivery_ids: int) -> None:
    """The thanks are written, not sent: sending is the deliveries bench's figure."""


def _rounds(rates: list[float]) -> str:
    return "(rounds: " + ", ".join(f"{rate:,.0f}" for rate in rates) + ")"


async def run(students: int, weeks: int, count: int, concurrency: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/bench.sqlite3"
        await migrate(url)
        await init_db(url)
        ctx: dict[str, Any] = {}
        queue = InlineQueue({READ_REPLIES: read_replies, DELIVER: _not_sent}, ctx)
        ctx["queue"] = queue
        await queue.start()
        try:
            started = time.perf_counter()
            summary = await build_demo(students=students, weeks=weeks, today=date.today())
            built = time.perf_counter() - started
            print(f"demo: {summary.students} students, {summary.events} events ({built:.1f} s)")
            await _create_bare_table()
            settings = load_settings(
                var_dir=Path(folder) / "var", public_url=PUBLIC_URL, twilio_auth_token=AUTH_TOKEN
            )
            app = create_app(settings, queue)
            app.router.add_post(BARE_PATH, _bare)
            async with served(app) as base:
                await _measure(queue, base, summary.school_uai, count, concurrency, rounds)
        finally:
            await queue.close()
            await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--replies", type=int, default=200 if QUICK else 600)
    parser.add_argument("-c", "--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="rounds of each measure")
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--weeks", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.students, args.weeks, args.replies, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
