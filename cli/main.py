"""The ``absences`` command: the composition root, which may import every layer.

Every failure the admin can fix (a bad setting, a missing directory, a port in use, an unknown
school) ends the command with one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from typing import Any

from cli import commands, exports, siecle, stats, years
from core.db import DatabaseError
from core.errors import DomainError
from core.rules.tokens import DEFAULT_TOKEN_DAYS
from core.settings import SettingsError

log = logging.getLogger("absences")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="absences", description="Absences: pupils' attendance and family notices."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="panel, API and webhooks (+ in-process worker)")
    serve.add_argument("--host", help="interface to listen on (ABSENCES_HOST)")
    serve.add_argument("--port", type=int, help="port (ABSENCES_PORT)")
    serve.set_defaults(run=commands.serve)

    worker = sub.add_parser("worker", help="an arq worker process (needs ABSENCES_REDIS_URL)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(run=commands.worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=commands.migrate)

    demo = sub.add_parser("demo", help="create a realistic fictional school")
    demo.add_argument("--students", type=int, default=600)
    demo.add_argument("--weeks", type=int, default=4)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--uai", default="0999001X")
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        help="date the demo as if built that day (YYYY-MM-DD); events stay in its school year",
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when a school already exists"
    )
    demo.set_defaults(run=commands.demo)

    school = sub.add_parser("school", help="schools").add_subparsers(
        dest="school_command", required=True, metavar="ACTION"
    )
    school_add = school.add_parser("add", help="create a school with the default configuration")
    school_add.add_argument("uai")
    school_add.add_argument("--name", required=True)
    school_add.add_argument("--timezone", default="Europe/Paris")
    school_add.add_argument(
        "--zone",
        help="holiday zone: A, B, C, Corse or an overseas académie (default: the UAI's)",
    )
    school_add.set_defaults(run=commands.school_add)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    add = user.add_parser("add", help="create a staff account with a role in a school")
    add.add_argument("email")
    add.add_argument("--school", required=True, metavar="UAI")
    add.add_argument("--role", required=True)
    add.add_argument("--name", default="")
    add.set_defaults(run=commands.user_add)
    operator = user.add_parser(
        "operator", help="let an account create schools from the panel (--remove: no longer)"
    )
    operator.add_argument("email")
    operator.add_argument("--remove", action="store_true")
    operator.set_defaults(run=commands.user_operator)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True, metavar="ACTION"
    )
    create = token.add_parser("create", help="print a new API token for a user")
    create.add_argument("email")
    create.add_argument("--name", default="")
    lifetime = create.add_mutually_exclusive_group()
    lifetime.add_argument(
        "--days", type=int, default=DEFAULT_TOKEN_DAYS, help="valid this many days (365)"
    )
    lifetime.add_argument("--no-expiry", action="store_true", help="valid until revoked")
    create.set_defaults(run=commands.token_create)
    listed = token.add_parser("list", help="a user's tokens (id, name, dates, revoked)")
    listed.add_argument("email")
    listed.set_defaults(run=commands.token_list)
    revoke = token.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=commands.token_revoke)

    replies = sub.add_parser("replies", help="families' replies no school claimed").add_subparsers(
        dest="replies_command", required=True, metavar="ACTION"
    )
    unclaimed = replies.add_parser(
        "unclaimed", help="replies from unknown numbers sent to the install's own sender"
    )
    unclaimed.add_argument("--limit", type=int, default=200)
    unclaimed.add_argument("--json", action="store_true", help="print a JSON list")
    unclaimed.set_defaults(run=commands.replies_unclaimed)
    assign = replies.add_parser("assign", help="give an unclaimed reply to its school")
    assign.add_argument("id", type=int)
    assign.add_argument("--school", required=True, metavar="UAI")
    assign.set_defaults(run=commands.replies_assign)

    bot = sub.add_parser("bot", help="the Telegram bot: long polling (or set-webhook)")
    bot.set_defaults(run=commands.bot_poll)
    bot_sub = bot.add_subparsers(dest="bot_command", metavar="ACTION")
    webhook = bot_sub.add_parser(
        "set-webhook", help="register {ABSENCES_PUBLIC_URL}/hooks/telegram and the menu"
    )
    webhook.set_defaults(run=commands.bot_set_webhook)

    siecle.add_parser(sub)
    years.add_parser(sub)
    stats.add_parser(sub)
    exports.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("tortoise", "weasyprint", "fontTools"):  # their INFO lines are not ours
        logging.getLogger(noisy).setLevel(logging.WARNING)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.run
    try:
        return asyncio.run(run(args))
    except (SettingsError, DatabaseError, DomainError, commands.CommandError) as error:
        print(f"absences: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
