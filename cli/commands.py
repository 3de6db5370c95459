"""The implementations of the ``absences`` subcommands (thin: they call services)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from core.db import close_db, init_db
from core.db import migrate as migrate_db
from core.models import Membership, School
from core.queries.inbound import unclaimed_replies
from core.rules.holiday_zones import zone_of_uai
from core.services.access.tokens import create_token, revoke_token, tokens_of_email
from core.services.audit import Actor
from core.services.notices.replies import assign_reply
from core.services.schools.operators import set_operator
from core.services.schools.school import create_school, get_school
from core.services.schools.users import add_user, generate_password
from core.settings import Settings, load_settings

CLI_ACTOR = Actor.system("cli")


class CommandError(Exception):
    """A failure of a command that the admin can fix; printed as one line."""


@contextlib.asynccontextmanager
async def database(settings: Settings) -> Any:
    await init_db(settings.database_url)
    try:
        yield
    finally:
        await close_db()


async def _require_schema() -> None:
    try:
        await School.exists()
    except Exception:  # the driver's "no such table" differs per backend
        raise CommandError(
            "the database is not initialised: run `absences migrate` first"
        ) from None


async def migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    applied = await migrate_db(settings.database_url)
    await close_db()
    print("applied: " + ", ".join(applied) if applied else "the database is up to date")
    return 0


STARTUP_SECONDS = 15  # at most, for the in-process worker's first pass before the banner


async def _print_logins(uai: str, password: str) -> None:
    memberships = await Membership.filter(school__uai=uai).prefetch_related("user")
    print(f"Demo logins (password: {password}):")
    for m in sorted(memberships, key=lambda m: m.user.email or ""):
        print(f"  {m.role:<13} {m.user.email or m.user.known_as + ' (no login)'}")


async def demo(args: argparse.Namespace) -> int:
    from cli.demo.build import build_demo

    settings = load_settings()
    async with database(settings):
        await _require_schema()
        if args.if_empty and await School.exists():
            if await School.exists(uai=args.uai):
                print(f"The demo school {args.uai} is already loaded.")
            return 0
        summary = await build_demo(
            students=args.students,
            weeks=args.weeks,
            seed=args.seed,
            uai=args.uai,
            today=args.today,
        )
        print(
            f"Created {summary.school_name} ({summary.school_uai}): {summary.students} students "
            f"in {summary.divisions} divisions, {summary.guardians} guardians, "
            f"{summary.events} events."
        )
        if not args.if_empty:  # else `serve` (after `make run`'s demo) prints them, last
            await _print_logins(summary.school_uai, summary.logins[0].password)
    return 0


async def school_add(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        zone = args.zone or zone_of_uai(args.uai)
        school = await create_school(
            args.uai, args.name, CLI_ACTOR, timezone=args.timezone, holiday_zone=zone
        )
        print(f"created {school.uai} {school.name} ({school.timezone}, zone {zone or '-'})")
    return 0


def _read_password() -> str | None:
    if sys.stdin is None or sys.stdin.closed:
        return None
    if sys.stdin.isatty():
        entered = getpass.getpass("Password (empty to generate one): ")
        return entered or None
    line = sys.stdin.readline().rstrip("\n")
    return line or None


async def user_add(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        school = await get_school(args.school)
        given = _read_password()
        password = given or generate_password()
        user = await add_user(
            args.email, password, school, args.role, CLI_ACTOR, display_name=args.name
        )
        print(f"{user.email} is {args.role} in {school.uai}")
        if given is None:
            print(f"generated password: {password}")
    return 0


async def user_operator(args: argparse.Namespace) -> int:
    """Make an account an operator of the install (it creates schools), or no longer one."""
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        user = await set_operator(args.email, CLI_ACTOR, operator=not args.remove)
        state = "an operator" if user.operator else "no longer an operator"
        print(f"{user.email} is {state} of the install")
    return 0


async def token_create(args: argparse.Namespace) -> int:
    """Print a new token (only here, once), valid ``--days`` (one year) or, with
    ``--no-expiry``, until revoked."""
    settings = load_settings()
    days = None if args.no_expiry else args.days
    async with database(settings):
        await _require_schema()
        print(await create_token(args.email, CLI_ACTOR, name=args.name, days=days))
    return 0


def _when(moment: datetime | None, empty: str) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else empty


async def token_list(args: argparse.Namespace) -> int:
    """One line per token of the user: id, name, prefix, created, last used, expires, revoked."""
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        rows = await tokens_of_email(args.email)
    print("id\tname\tprefix\tcreated\tlast used\texpires\trevoked")
    for row in rows:
        cells = [
            str(row.id),
            row.name or "-",
            row.prefix,
            _when(row.created_at, "-"),
            _when(row.last_used_at, "never"),
            _when(row.expires_at, "never"),
            _when(row.revoked_at, "no"),
        ]
        print("\t".join(cells))
    return 0


async def token_revoke(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        row = await revoke_token(args.id, CLI_ACTOR)
    print(f"token {row.id} ({row.prefix}…) is revoked")
    return 0


async def replies_unclaimed(args: argparse.Namespace) -> int:
    """The replies no school could claim (an unknown number that wrote to the install's own
    sender): one line each, or a JSON list."""
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        rows = await unclaimed_replies(args.limit)
    if args.json:
        print(json.dumps([{**asdict(r), "received_at": r.received_at.isoformat()} for r in rows]))
        return 0
    print("id	received	from	to	text")
    for row in rows:
        text = " ".join(row.text.split())[:80]
        cells = [str(row.id), _when(row.received_at, "-"), row.sender, row.recipient or "-", text]
        print("\t".join(cells))
    return 0


async def replies_assign(args: argparse.Namespace) -> int:
    """Give an unclaimed reply to the school it concerns (its staff then attach it)."""
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        school = await get_school(args.school)
        message = await assign_reply(CLI_ACTOR, args.id, school)
    print(f"reply {message.id} now belongs to {school.uai} ({school.name})")
    return 0


# The commands that run servers import them when they run (cli/running.py): aiogram's types,
# WeasyPrint and the web app take seconds to import, which every other command need not pay.


async def serve(args: argparse.Namespace) -> int:
    from cli import running

    return await running.serve(args)


async def worker(args: argparse.Namespace) -> int:
    from cli import running

    return await running.worker(args)


async def bot_set_webhook(args: argparse.Namespace) -> int:
    from cli import running

    return await running.bot_set_webhook(args)


async def bot_poll(args: argparse.Namespace) -> int:
    from cli import running

    return await running.bot_poll(args)
