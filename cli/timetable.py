"""``absences import timetable``: the timetable's files (STS-Web's sts_emp and the timetable
software's emp_sts) from the command line, as a diff in one transaction.

A refused file raises TimetableError (a DomainError): ``cli.main`` prints its one line and
exits 2, and nothing has changed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.commands import _require_schema, database
from core.services.audit import Actor
from core.services.timetable.importer import import_timetable
from core.settings import load_settings
from core.timetable import load_timetable
from core.timetable.summary import Note, TimetableSummary

IMPORT_ACTOR = Actor.system("import timetable (cli)")
SHOWN = 20  # items of each list printed; --json gives them all
DAYS = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def add_parser(imports: Any) -> None:
    """Add ``import timetable`` to the ``absences import`` subcommands."""
    timetable = imports.add_parser(
        "timetable",
        help="import the timetable (sts_emp from STS-Web, emp_sts from EDT or UDT) as a diff",
    )
    timetable.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    timetable.add_argument(
        "--school", required=True, metavar="UAI", help="the school the files must be of"
    )
    timetable.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    timetable.add_argument("--json", action="store_true", help="print the summary as JSON")
    timetable.add_argument(
        "--force-year", action="store_true", help="accept files of another school year"
    )
    timetable.set_defaults(run=import_files)


async def import_files(args: argparse.Namespace) -> int:
    settings = load_settings()
    export = load_timetable(args.paths)  # before the database: a bad file costs nothing
    async with database(settings):
        await _require_schema()
        summary = await import_timetable(
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


def lesson_line(note: Note) -> str:
    """« 5A Mathématiques (Odile LEFÈBVRE) Mon 08:00-09:00 week Q1 room A15 »."""
    who = note.get("division") or note.get("group") or "?"
    day = note.get("day")
    when = f"{DAYS[day] if isinstance(day, int) and 0 < day < 8 else day} "
    when += f"{note.get('start')}-{note.get('end')}"
    pattern = f" week {note['pattern']}" if note.get("pattern") not in (None, "H") else ""
    room = f" room {note['room']}" if note.get("room") else ""
    return f"{who} {note.get('subject')} ({note.get('teacher')}) {when}{pattern}{room}"


def _line(kind: str, note: Note) -> str:
    if kind == "moved":
        start, end = note["from"], note["to"]
        assert isinstance(start, dict) and isinstance(end, dict)
        return f"{lesson_line(start)} → {lesson_line(end)}"
    if kind in ("added", "removed"):
        return lesson_line(note)
    if kind == "overlaps":
        first, second = note["first"], note["second"]
        assert isinstance(first, dict) and isinstance(second, dict)
        return f"{note.get('teacher')}: {lesson_line(first)} and {lesson_line(second)}"
    if kind == "unknown":
        return f"{note.get('kind')} {note.get('code')}: {note.get('lessons')} lesson(s) skipped"
    if kind == "to_place":
        return f"{note.get('sts_id')} {note.get('name')} ({note.get('function')})"
    return f"{note.get('sts_id')} {note.get('name')}"


LISTS: tuple[tuple[str, str], ...] = (
    ("teachers_created", "teachers created (no login until invited)"),
    ("teachers_matched", "teachers matched by name"),
    ("to_place", "other staff to give a role"),
    ("unknown", "unknown to the SIECLE import"),
    ("overlaps", "a teacher's overlapping lessons"),
    ("moved", "lessons moved"),
    ("added", "lessons added"),
    ("removed", "lessons removed"),
)


def format_summary(summary: TimetableSummary) -> str:
    """The summary for people: the counts per kind, then the lists worth reading."""
    year = f"{summary.school_year}-{summary.school_year + 1}"
    head = f"{summary.uai}, school year {year}, {', '.join(summary.files)}"
    lines = [head + (" (dry run: nothing was changed)" if summary.dry_run else "")]
    lines.append(f"changes take effect on {summary.effective_on.isoformat()}")
    if not summary.lessons_read:
        lines.append("no emp_sts file: lessons left as they are")
    lines.append(f"{'':<10}{'created':>9}{'updated':>9}{'unchanged':>11}{'removed':>9}")
    for kind, c in summary.counts.items():
        lines.append(f"{kind:<10}{c.created:>9}{c.updated:>9}{c.unchanged:>11}{c.removed:>9}")
    lines.append(f"changes: {summary.changes}")
    for attribute, title in LISTS:
        notes: list[Note] = getattr(summary, attribute)
        if not notes:
            continue
        lines.append(f"{title}: {len(notes)}")
        lines.extend(f"  {_line(attribute, note)}" for note in notes[:SHOWN])
        if len(notes) > SHOWN:
            lines.append(f"  … and {len(notes) - SHOWN} more (--json lists them all)")
    return "\n".join(lines)
