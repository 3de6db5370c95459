"""``absences year start YEAR`` and ``absences purge``: a school passes to the next year, and
drops the years older than its retention.

With ``--school`` a refusal ends the command with one line and exit code 2 (``cli.main``);
without it every school is done, each in its own transaction: a school refused is one line
on stderr, the others go on, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from cli.commands import _require_schema, database
from core.errors import DomainError
from core.models import School
from core.rules.years import year_label
from core.services.audit import Actor
from core.services.schools.purge import Purged, purge
from core.services.schools.school import get_school
from core.services.schools.years import YearStarted, start_year
from core.settings import Settings, load_settings
from workers.mailroom import build_mailroom

YEAR_ACTOR = Actor.system("year start (cli)")
PURGE_ACTOR = Actor.system("purge (cli)")
DRY = " (dry run: nothing was changed)"


def add_parser(sub: Any) -> None:
    """Add ``year start`` and ``purge`` to the ``absences`` command."""
    year = sub.add_parser("year", help="school years").add_subparsers(
        dest="year_command", required=True, metavar="ACTION"
    )
    start = year.add_parser(
        "start", help="pass to the next school year (the past one turns read-only)"
    )
    start.add_argument("year", type=int, help="the year it starts in, e.g. 2027 for 2027-2028")
    start.add_argument("--school", metavar="UAI", help="one school (default: every school)")
    start.add_argument("--dry-run", action="store_true", help="show the counts, change nothing")
    start.add_argument(
        "--today", type=date.fromisoformat, help="as if run that day (YYYY-MM-DD), e.g. to check"
    )
    start.set_defaults(run=year_start)
    purged = sub.add_parser(
        "purge", help="delete the data of the school years older than the school's retention"
    )
    purged.add_argument("--school", metavar="UAI", help="one school (default: every school)")
    purged.add_argument("--dry-run", action="store_true", help="show the counts, change nothing")
    purged.set_defaults(run=purge_years)


def started_lines(done: YearStarted) -> list[str]:
    head = (
        f"{done.uai}: {year_label(done.closed)} closed, {year_label(done.opened)} started "
        f"({done.starts_on.isoformat()} to {done.ends_on.isoformat()})"
    )
    return [
        head + (DRY if done.dry_run else ""),
        f"  divisions made inactive: {done.divisions}",
        f"  groups made inactive: {done.groups}",
        f"  lessons ended on {done.lessons_end_on.isoformat()}: {done.lessons}",
        f"  enrolments closed: {done.enrolments}",
        f"  students without a division: {done.students}",
    ]


def purged_lines(done: Purged) -> list[str]:
    head = (
        f"{done.uai}: keeps {year_label(done.first_kept)} on, "
        f"deletes what is dated before {done.before.isoformat()}"
    )
    lines = [head + (DRY if done.dry_run else "")]
    lines.extend(f"  {kind}: {count}" for kind, count in done.counts.items())
    if not done.dry_run:
        lines.append(f"  files removed: {done.removed}")
    return lines


Each = Callable[[School, Settings], Awaitable[list[str]]]


async def each_school(uai: str | None, work: Each) -> int:
    """``work`` for the school named, or for every school (a refusal: one line, exit 1)."""
    settings = load_settings()
    refused = 0
    async with database(settings):
        await _require_schema()
        schools = [await get_school(uai)] if uai else await School.all().order_by("uai")
        for school in schools:
            try:
                lines = await work(school, settings)
            except DomainError as error:
                if uai:
                    raise
                print(f"absences: {school.uai}: {error}", file=sys.stderr)
                refused += 1
                continue
            print("\n".join(lines))
    return 1 if refused else 0


async def year_start(args: argparse.Namespace) -> int:
    async def work(school: School, settings: Settings) -> list[str]:
        done = await start_year(
            school, args.year, YEAR_ACTOR, dry_run=args.dry_run, today=args.today
        )
        return started_lines(done)

    return await each_school(args.school, work)


async def purge_years(args: argparse.Namespace) -> int:
    async def work(school: School, settings: Settings) -> list[str]:
        done = await purge(
            school,
            PURGE_ACTOR,
            dry_run=args.dry_run,
            var_dir=settings.var_dir,
            mailroom=build_mailroom(settings),
        )
        return purged_lines(done)

    return await each_school(args.school, work)
