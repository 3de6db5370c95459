"""``absences export siecle-absences --school UAI --period ID [--output FILE]``: the absences
file of one reporting period for SIECLE's report cards (the periods' ids: the panel's
settings, or ``GET /api/v1/schools/{uai}/periods``).

The file goes to stdout (its bytes, ISO-8859-1) and a line saying what it holds to stderr; with
``--output`` it is written to FILE and that line goes to stdout. An unknown school or period
ends the command with one line and exit code 2 (``cli.main``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.commands import CommandError, _require_schema, database
from core.services.audit import Actor
from core.services.schools.period_export import SiecleAbsences, export_siecle_absences
from core.services.schools.school import get_school, now_utc
from core.settings import load_settings

EXPORT_ACTOR = Actor.system("siecle absences export (cli)")


def add_parser(sub: Any) -> None:
    """Add ``export siecle-absences`` to the ``absences`` command."""
    export = sub.add_parser("export", help="files for other applications").add_subparsers(
        dest="export_command", required=True, metavar="WHAT"
    )
    absences = export.add_parser(
        "siecle-absences", help="a reporting period's absences for SIECLE's report cards (XML)"
    )
    absences.add_argument("--school", required=True, metavar="UAI")
    absences.add_argument("--period", required=True, type=int, metavar="ID")
    absences.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")
    absences.set_defaults(run=siecle_absences)


def summary(done: SiecleAbsences) -> str:
    period = done.period
    return (
        f"{period.name} ({period.starts_on.isoformat()} to {period.ends_on.isoformat()}): "
        f"{done.students} students, {done.skipped} left out without an ELENOET"
    )


async def siecle_absences(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings):
        await _require_schema()
        school = await get_school(args.school)
        done = await export_siecle_absences(school, args.period, EXPORT_ACTOR, now=now_utc())
    if args.output is None:
        sys.stdout.buffer.write(done.xml)
        sys.stdout.flush()
        print(summary(done), file=sys.stderr)
        return 0
    try:
        args.output.write_bytes(done.xml)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
    print(f"{args.output}: {summary(done)}")
    return 0
