"""``absences stats``: the monthly absenteeism indicator (DEPP) and the check of the missed
half-days table against the events."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from cli.commands import CommandError
from cli.years import each_school
from core.models import School
from core.rules.absenteeism import MonthIndicator
from core.services.stats import half_days
from core.services.stats.absenteeism import parse_as_of, parse_month, school_month, school_year
from core.settings import Settings


def add_parser(sub: Any) -> None:
    """Add ``stats absenteeism`` and ``stats check`` to the ``absences`` command."""
    stats = sub.add_parser("stats", help="statistics").add_subparsers(
        dest="stats_command", required=True, metavar="ACTION"
    )
    depp = stats.add_parser(
        "absenteeism",
        help="the monthly indicator: students with 4+ unjustified half-days / students enrolled",
    )
    depp.add_argument("--school", metavar="UAI", help="one school (default: every school)")
    when = depp.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", metavar="YYYY-MM", help="one month")
    when.add_argument(
        "--year", type=int, metavar="YYYY", help="September to April of the year starting then"
    )
    depp.add_argument(
        "--as-of", metavar="DATE", help="the figure as it stood then (YYYY-MM-DD: end of day)"
    )
    depp.add_argument("--json", action="store_true", help="print the figures as JSON")
    depp.set_defaults(run=absenteeism)
    check = stats.add_parser(
        "check", help="recompute the missed half-days from the events and compare"
    )
    check.add_argument("--school", metavar="UAI", help="one school (default: every school)")
    check.add_argument("--fix", action="store_true", help="rebuild a school that differs")
    check.set_defaults(run=check_half_days)


def percent(rate: float) -> str:
    return f"{rate * 100:.1f} %"


def month_lines(uai: str, found: MonthIndicator) -> list[str]:
    year, number = found.month
    total = found.total
    lines = [
        f"{uai} {year:04d}-{number:02d}: {total.over_threshold} of {total.enrolled} students "
        f"with 4 or more unjustified half-days ({percent(total.rate)})"
    ]
    for title, rates in (("level", found.by_level), ("division", found.by_division)):
        for code, rate in sorted(rates.items()):
            name = f"{code or '-'}" + (f" ({rate.label})" if rate.label else "")
            lines.append(
                f"  {title} {name}: {rate.over_threshold}/{rate.enrolled} ({percent(rate.rate)})"
            )
    return lines


async def absenteeism(args: argparse.Namespace) -> int:
    month = parse_month(args.month) if args.month else None
    if month is None and not 2000 <= args.year <= 2100:
        raise CommandError(f"year {args.year}: out of range (2000 to 2100)")

    async def work(school: School, settings: Settings) -> list[str]:
        if month is None:
            year = await school_year(school, args.year, today=date.today())
            if args.json:
                return [json.dumps({"school": school.uai, **year.as_json()}, ensure_ascii=False)]
            lines = [line for m in year.months for line in month_lines(school.uai, m)]
            mean = year.mean
            shown = "no month yet" if mean is None else percent(mean)
            return [*lines, f"{school.uai} September-April mean: {shown}"]
        as_of = parse_as_of(args.as_of, ZoneInfo(school.timezone))
        found = await school_month(school, month, as_of=as_of)
        if args.json:
            extra = {"as_of": as_of.isoformat()} if as_of else {}
            return [json.dumps({"school": school.uai, **found.as_json(), **extra})]
        return month_lines(school.uai, found)

    return await each_school(args.school, work)


async def check_half_days(args: argparse.Namespace) -> int:
    differ = 0

    async def work(school: School, settings: Settings) -> list[str]:
        nonlocal differ
        if not await half_days.is_current(school):
            if args.fix:
                built = await half_days.rebuild(school)
                return [f"{school.uai}: built for its calendar: {built} half-days"]
            return [
                f"{school.uai}: not built for its calendar yet (the next statistics read builds "
                "it, or --fix)"
            ]
        mismatches = await half_days.check(school)
        if not mismatches:
            return [f"{school.uai}: the missed half-days agree with the events"]
        differ += 1
        lines = [f"{school.uai}: {len(mismatches)} half-days differ from the events"]
        lines += [
            f"  student {m.student_id} {m.day.isoformat()} {m.half}: "
            f"stored {m.stored}, computed {m.computed}"
            for m in mismatches[:20]
        ]
        if args.fix:
            lines.append(f"  rebuilt: {await half_days.rebuild(school)} half-days")
        return lines

    code = await each_school(args.school, work)
    return code or (0 if args.fix or not differ else 1)
