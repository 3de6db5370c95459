"""``absences import siecle`` and ``absences import watch``: SIECLE exports from the command line.

A refused file raises SiecleError (a DomainError): ``cli.main`` prints its one line and exits 2,
and nothing has changed (the import is one transaction).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cli import timetable
from cli.commands import CommandError, _require_schema, database
from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.services.siecle.watch import WATCH_ACTOR, Watcher, WatchResult
from core.settings import load_settings
from core.siecle import ImportSummary, load_export

IMPORT_ACTOR = Actor.system("import siecle (cli)")
SHOWN = 20  # items of each list printed; --json gives them all
LISTS: tuple[tuple[str, str], ...] = (
    ("moved", "moved"),
    ("left", "left"),
    ("arrived", "arrived"),
    ("unassigned", "without a division"),
    ("invalid_phones", "invalid phone numbers"),
    ("contact_changes", "contact changes"),
    ("links_removed", "guardian links removed"),
)


def add_parser(sub: Any) -> None:
    """Add ``import siecle`` and ``import watch`` to the ``absences`` command."""
    imports = sub.add_parser(
        "import", help="import SIECLE exports or the timetable"
    ).add_subparsers(dest="import_command", required=True, metavar="SOURCE")
    siecle = imports.add_parser(
        "siecle", help="import SIECLE XML exports (files, folders or a zip) as a diff"
    )
    siecle.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    siecle.add_argument(
        "--school", required=True, metavar="UAI", help="the school the files must be of"
    )
    siecle.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    siecle.add_argument("--json", action="store_true", help="print the summary as JSON")
    siecle.add_argument(
        "--force-year", action="store_true", help="accept files of another school year"
    )
    siecle.set_defaults(run=import_files)
    watch = imports.add_parser(
        "watch", help="import once what changed in the watched folder (ABSENCES_SIECLE_WATCH_DIR)"
    )
    watch.add_argument("--dir", type=Path, help="the folder (default: ABSENCES_SIECLE_WATCH_DIR)")
    watch.add_argument(
        "--settle",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="skip files changed more recently than this (a copy in progress); default 60",
    )
    watch.set_defaults(run=import_watch)
    timetable.add_parser(imports)


async def import_files(args: argparse.Namespace) -> int:
    settings = load_settings()
    export = load_export(args.paths)  # before the database: a bad file costs nothing
    async with database(settings):
        await _require_schema()
        summary = await import_siecle(
            export,
            IMPORT_ACTOR,
            school_uai=args.school,
            dry_run=args.dry_run,
            force_year=args.force_year,
        )
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_summary(summary))
    return 0


async def import_watch(args: argparse.Namespace) -> int:
    settings = load_settings()
    root = args.dir or settings.siecle_watch_dir
    if root is None:
        raise CommandError("no folder to watch: set ABSENCES_SIECLE_WATCH_DIR or give --dir")
    async with database(settings):
        await _require_schema()
        results = await Watcher(Path(root), WATCH_ACTOR, settle=args.settle).scan()
    for result in results:
        print(format_watch(result))
    if not results:
        print(f"{root}: no school folder (named by its UAI) in it")
    refused = [r for r in results if r.outcome in ("refused", "failed")]
    for result in refused:
        print(f"absences: {result.uai}: {result.message}", file=sys.stderr)
    return 1 if refused else 0


def format_watch(result: WatchResult) -> str:
    return f"{result.uai}: {result.outcome}" + (f" ({result.message})" if result.message else "")


def format_summary(summary: ImportSummary) -> str:
    """The summary for people: the counts per kind, then the lists worth reading."""
    year = f"{summary.school_year}-{summary.school_year + 1}"
    head = f"{summary.uai}, school year {year}, export of {summary.exported_on.isoformat()}"
    lines = [head + (" (dry run: nothing was changed)" if summary.dry_run else "")]
    if summary.school_created:
        lines.append("school created from the files")
    elif summary.school_updated:
        lines.append("school letterhead or year dates updated")
    lines.append(f"{'':<10}{'created':>9}{'updated':>9}{'unchanged':>11}{'removed':>9}")
    for kind, c in summary.counts.items():
        lines.append(f"{kind:<10}{c.created:>9}{c.updated:>9}{c.unchanged:>11}{c.removed:>9}")
    lines.append(f"changes: {summary.changes}")
    for attribute, title in LISTS:
        notes: list[dict[str, object]] = getattr(summary, attribute)
        lines.append(f"{title}: {len(notes)}")
        lines.extend(f"  {describe(attribute, note)}" for note in notes[:SHOWN])
        if len(notes) > SHOWN:
            lines.append(f"  … and {len(notes) - SHOWN} more (--json lists them all)")
    if summary.links_ignored:
        lines.append(f"links naming a student or person not in the files: {summary.links_ignored}")
    return "\n".join(lines)


def describe(kind: str, note: dict[str, object]) -> str:
    """One line for one item of a list of the summary."""
    get = note.get
    if kind == "moved":
        return f"{get('siecle_id')} {get('name')}: {get('from')} → {get('to')} on {get('on')}"
    if kind == "left":
        return f"{get('siecle_id')} {get('name')} on {get('on')}"
    if kind == "arrived":
        return f"{get('siecle_id')} {get('name')} in {get('division') or '-'}"
    if kind == "invalid_phones":
        owner = f"person {get('person')}" if "person" in note else f"student {get('student')}"
        return f"{owner} {get('name')} {get('field')}: {get('raw')!r} ({get('reason')})"
    if kind == "contact_changes":
        return f"{get('person')} {get('name')} {get('field')}: {get('from')} → {get('to')}"
    if kind == "links_removed":
        return f"student {get('student')} / person {get('person')} (level {get('level')})"
    return f"{get('siecle_id')} {get('name')}"
