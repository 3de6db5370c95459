"""The timetable import: STS-Web's and the timetable software's files applied to their school
as a diff, in one transaction (preview with ``dry_run``, then apply).

* Week patterns are kept by code with their Mondays.
* Teachers (FONCTION ``ENS``) become staff of the school with the role teacher: matched to a
  member by their STS-Web id, else by name (« Prénom NOM » in any order, case or accents),
  else created without a login until an admin invites them; the STS id is kept on the
  membership. Other staff (DIR, EDU, DOC…) not matched are listed for the admin to give a role.
* Lessons (only when the timetable software's file is given) are compared with the school's
  imported lessons still running on the day the import takes effect (today, or the year's
  first day before it starts): identical ones stay; one of the same division or group, subject
  and teacher at another time or room is moved; the rest added or removed. A lesson that had a
  roll call is never deleted nor changed in the past: it ends the day before (or on its last
  roll call) and its successor starts the next day. Lessons added on the Lessons page are
  left alone. A division or group SIECLE does not know is reported with its lessons skipped;
  a teacher's overlapping lessons are reported.

Re-importing the same files changes nothing but the one audit row of each import.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from core.models import (
    Division,
    Lesson,
    LessonOrigin,
    Membership,
    Role,
    RollCall,
    School,
    SchoolYear,
    TeachingGroup,
    User,
    WeekPattern,
)
from core.models.school import minutes_to_time
from core.rules.calendar import school_year_of, year_bounds
from core.rules.lessons import LessonKey, monday_of, plan_lessons, teacher_overlaps
from core.services.audit import Actor
from core.services.schools.years import not_started
from core.services.siecle.tables import AuditLog
from core.timetable.parse import EDT_ROOT, TimetableError
from core.timetable.records import Course, TimetableExport
from core.timetable.summary import Note, TimetableSummary

IMPORT_LABEL = "import timetable"
DAYS = 7


async def import_timetable(
    export: TimetableExport,
    actor: Actor,
    *,
    school_uai: str,
    dry_run: bool = False,
    force_year: bool = False,
    today: date | None = None,
) -> TimetableSummary:
    """Bring the school's staff and lessons up to date with ``export``, in one transaction.

    Raises :class:`TimetableError`, with nothing changed, for another school's files, a school
    not yet created (its SIECLE export comes first), or another school year than the current
    one unless ``force_year``. With ``dry_run`` the summary is computed, then rolled back.
    """
    uai = school_uai.strip().upper()
    names = ", ".join(sorted(export.files.values()))
    if export.uai != uai:
        raise TimetableError(
            f"{names}: UAJ {export.uai} is not the school's ({uai})",
            code="timetable_other_school",
            uai=export.uai,
            school=uai,
        )
    try:
        async with in_transaction():
            summary = await _import(export, actor, uai, force_year, today or date.today())
            summary.dry_run = dry_run
            if dry_run:
                raise _RolledBack(summary)
    except _RolledBack as rolled_back:
        return rolled_back.summary
    return summary


class _RolledBack(Exception):
    def __init__(self, summary: TimetableSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


@dataclass(slots=True)
class _Run:
    school: School
    export: TimetableExport
    summary: TimetableSummary
    audit: AuditLog
    teacher_ids: dict[str, int] = field(default_factory=dict)  # STS id → user id
    names: dict[int, str] = field(default_factory=dict)  # user id → « Prénom NOM »


async def _import(
    export: TimetableExport, actor: Actor, uai: str, force_year: bool, today: date
) -> TimetableSummary:
    school = await School.select_for_update().get_or_none(uai=uai)
    names = ", ".join(sorted(export.files.values()))
    if school is None:
        raise TimetableError(
            f"{names}: the school {uai} does not exist yet: import its SIECLE export first",
            code="timetable_no_school",
            uai=uai,
        )
    first, last = await _year(school, export, force_year, today, names)
    effective = min(max(today, first), last)
    summary = TimetableSummary(
        uai, export.school_year, sorted(export.files.values()), effective, lessons_read=False
    )
    run = _Run(school, export, summary, AuditLog(school.id, actor, IMPORT_LABEL))
    pattern_ids = await _sync_patterns(run, effective)
    await _sync_staff(run)
    if EDT_ROOT in export.files:
        summary.lessons_read = True
        await _sync_lessons(run, pattern_ids, effective)
    run.audit.add("timetable.import", "school", school.id, None, summary.counts_json())
    await run.audit.flush()
    return summary


async def _year(
    school: School, export: TimetableExport, force_year: bool, today: date, names: str
) -> tuple[date, date]:
    year = await SchoolYear.filter(school=school, current=True).order_by("-start_year").first()
    current = year.start_year if year else school_year_of(today)
    early = not_started(names, current, export.school_year)
    if year is not None and early is not None and not force_year:
        raise TimetableError(early[0], code="timetable_next_year", **early[1])
    if export.school_year != current and not force_year:
        raise TimetableError(
            f"{names}: school year {export.school_year}-{export.school_year + 1} is not the "
            f"current one ({current}-{current + 1}); force it to import anyway",
            code="timetable_year",
            year=f"{export.school_year}-{export.school_year + 1}",
            current=f"{current}-{current + 1}",
        )
    row = await SchoolYear.get_or_none(school=school, start_year=export.school_year)
    return year_bounds(export.school_year, (row.starts_on, row.ends_on) if row else None)


async def _sync_patterns(run: _Run, effective: date) -> dict[str, int]:
    """The files' week patterns; a stored pattern keeps its weeks before the import takes
    effect (the lessons given then, and their roll calls, stay as they were)."""
    stored = {p.code: p for p in await WeekPattern.filter(school=run.school)}
    counts = run.summary.counts["patterns"]
    cutoff = monday_of(effective).isoformat()
    for code, pattern in sorted(run.export.patterns.items()):
        label = pattern.long_label or pattern.short_label or code
        mondays = [d.isoformat() for d in pattern.mondays]
        if code in stored:
            past = [m for m in stored[code].mondays if m < cutoff]
            mondays = sorted({*past, *(m for m in mondays if m >= cutoff)})
        wanted: dict[str, object] = {"label": label, "mondays": mondays}
        row = stored.get(code)
        if row is None:
            row = await WeekPattern.create(
                school=run.school, code=code, label=label, mondays=mondays
            )
            stored[code] = row
            counts.created += 1
            run.audit.add(
                "timetable.create", "week_pattern", row.id, None, {"code": code, **wanted}
            )
            continue
        before = {"label": row.label, "mondays": row.mondays}
        if before == wanted:
            counts.unchanged += 1
            continue
        row.label, row.mondays = label, mondays
        await row.save(update_fields=["label", "mondays"])
        counts.updated += 1
        run.audit.add("timetable.update", "week_pattern", row.id, before, wanted)
    return {code: row.id for code, row in stored.items()}


def name_key(name: str) -> frozenset[str]:
    """A person's name as a set of folded words: « Odile LEFÈBVRE » = « LEFEBVRE Odile »."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
    return frozenset(plain.split())


async def _sync_staff(run: _Run) -> None:
    """Match the files' teachers to the school's members (STS id, then name), create the
    others without a login; list the other staff nobody matched."""
    members = await Membership.filter(school=run.school).prefetch_related("user")
    by_sts = {m.sts_id: m for m in members if m.sts_id}
    by_name: dict[frozenset[str], list[Membership]] = {}
    for member in members:
        by_name.setdefault(name_key(member.user.display_name), []).append(member)
    counts = run.summary.counts["staff"]
    for sts_id, person in sorted(run.export.staff.items()):
        found = by_sts.get(sts_id)
        how = "sts_id"
        if found is None:
            namesakes = [m for m in by_name.get(name_key(person.name), []) if not m.sts_id]
            found, how = (namesakes[0], "name") if len(namesakes) == 1 else (None, "")
        if found is None and not person.teaches:
            run.summary.to_place.append(
                {"sts_id": sts_id, "name": person.name, "function": person.function}
            )
            continue
        if found is None:
            found = await _new_teacher(run, sts_id, person.name)
            by_sts[sts_id] = found
            counts.created += 1
            run.summary.teachers_created.append({"sts_id": sts_id, "name": person.name})
        elif how == "name":
            found.sts_id = sts_id
            await found.save(update_fields=["sts_id"])
            by_sts[sts_id] = found
            counts.updated += 1
            run.audit.add(
                "timetable.update", "membership", found.id, {"sts_id": None}, {"sts_id": sts_id}
            )
            run.summary.teachers_matched.append(
                {"sts_id": sts_id, "name": person.name, "user_id": found.user_id, "by": how}
            )
        elif person.teaches:
            counts.unchanged += 1
    for sts_id, member in by_sts.items():
        run.teacher_ids[sts_id] = member.user_id
        run.names[member.user_id] = member.user.known_as
    for sts_id, person in run.export.staff.items():
        if sts_id in run.teacher_ids:
            run.names[run.teacher_ids[sts_id]] = person.name


async def _new_teacher(run: _Run, sts_id: str, name: str) -> Membership:
    user = await User.create(email=None, display_name=name[:120])
    member = await Membership.create(user=user, school=run.school, role=Role.TEACHER, sts_id=sts_id)
    member.user = user
    after = {"user": user.id, "name": user.display_name, "role": Role.TEACHER, "sts_id": sts_id}
    run.audit.add("timetable.create", "membership", member.id, None, after)
    return member


async def _sync_lessons(run: _Run, pattern_ids: dict[str, int], effective: date) -> None:
    school, summary = run.school, run.summary
    divisions = dict(await Division.filter(school=school, active=True).values_list("code", "id"))
    groups = dict(await TeachingGroup.filter(school=school, active=True).values_list("code", "id"))
    codes = {("division", i): c for c, i in divisions.items()}
    codes |= {("group", i): c for c, i in groups.items()}
    unknown: Counter[tuple[str, str]] = Counter()
    wanted: list[LessonKey] = []
    for course in run.export.courses:
        key = _key(course, divisions, groups, run.teacher_ids, pattern_ids, unknown)
        if key is not None:
            wanted.append(key)
    summary.unknown = [
        {"kind": kind, "code": code, "lessons": n} for (kind, code), n in sorted(unknown.items())
    ]
    stored_rows = await Lesson.filter(school=school, origin=LessonOrigin.TIMETABLE)
    first_import = not stored_rows
    running = {
        row.id: row for row in stored_rows if row.ends_on is None or row.ends_on >= effective
    }
    plan = plan_lessons(wanted, {i: _stored_key(row) for i, row in running.items()})
    last_roll_calls = await _last_roll_calls([*plan.removed, *(i for i, _ in plan.moved)])
    counts = summary.counts["lessons"]
    counts.unchanged = len(plan.unchanged)
    describe = _Describer(run, codes, pattern_ids)
    for lesson_id in plan.removed:
        row = running[lesson_id]
        summary.removed.append(describe(_stored_key(row)))
        await _end(run, row, effective, last_roll_calls.get(lesson_id))
        counts.removed += 1
    for lesson_id, key in plan.moved:
        row = running[lesson_id]
        summary.moved.append({"from": describe(_stored_key(row)), "to": describe(key)})
        last = last_roll_calls.get(lesson_id)
        if last is None:
            before = _stored_key(row)._asdict()
            _assign(row, key)
            await row.save()
            run.audit.add("timetable.update", "lesson", row.id, before, key._asdict())
        else:
            ended = await _end(run, row, effective, last)
            await _create(run, key, ended + timedelta(days=1), describe, replaces=row.id)
        counts.updated += 1
    for key in plan.added:
        summary.added.append(describe(key))
        await _create(run, key, None if first_import else effective, describe)
        counts.created += 1
    mondays = {
        p.id: frozenset(date.fromisoformat(d) for d in p.mondays)
        for p in await WeekPattern.filter(school=school)
    }
    summary.overlaps = [
        {"teacher": run.names.get(a.teacher_id, ""), "first": describe(a), "second": describe(b)}
        for a, b in teacher_overlaps(wanted, mondays)
    ]


def _key(
    course: Course,
    divisions: dict[str, int],
    groups: dict[str, int],
    teachers: dict[str, int],
    patterns: dict[str, int],
    unknown: Counter[tuple[str, str]],
) -> LessonKey | None:
    division_id = group_id = None
    if course.division is not None:
        division_id = divisions.get(course.division)
        if division_id is None:
            unknown[("division", course.division)] += 1
    if course.group is not None:
        group_id = groups.get(course.group)
        if group_id is None:
            unknown[("group", course.group)] += 1
    teacher_id = teachers.get(course.teacher)
    if teacher_id is None:
        unknown[("teacher", course.teacher)] += 1
    if teacher_id is None or (division_id is None and group_id is None):
        return None
    start = course.start.hour * 60 + course.start.minute
    return LessonKey(
        division_id,
        group_id,
        course.subject,
        teacher_id,
        course.weekday - 1,
        start,
        min(start + course.minutes, 24 * 60 - 1),
        patterns.get(course.pattern),
        course.room[:40],
    )


def _stored_key(row: Lesson) -> LessonKey:
    return LessonKey(
        row.division_id,
        row.group_id,
        row.subject_code,
        row.teacher_id,
        row.weekday,
        row.start_minute,
        row.end_minute,
        row.pattern_id,
        row.room,
    )


def _assign(row: Lesson, key: LessonKey) -> None:
    row.division_id, row.group_id = key.division_id, key.group_id
    row.subject_code, row.teacher_id = key.subject_code, key.teacher_id
    row.weekday, row.start_minute, row.end_minute = key.weekday, key.start_minute, key.end_minute
    row.pattern_id, row.room = key.pattern_id, key.room


async def _last_roll_calls(lesson_ids: list[int]) -> dict[int, date]:
    if not lesson_ids:
        return {}
    rows: list[Any] = (
        await RollCall.filter(lesson_id__in=lesson_ids)
        .group_by("lesson_id")
        .annotate(last=Max("day"))
        .values_list("lesson_id", "last")
    )
    return {int(i): d if isinstance(d, date) else date.fromisoformat(str(d)) for i, d in rows}


async def _end(run: _Run, row: Lesson, effective: date, last_roll_call: date | None) -> date:
    """End a lesson before ``effective`` (never before its last roll call), or delete it
    when it never had one; returns its last day."""
    if last_roll_call is None:
        run.audit.add("timetable.delete", "lesson", row.id, _stored_key(row)._asdict(), None)
        await row.delete()
        return effective - timedelta(days=1)
    ends = max(effective - timedelta(days=1), last_roll_call)
    before = {"ends_on": row.ends_on}
    row.ends_on = ends
    await row.save(update_fields=["ends_on"])
    run.audit.add("timetable.end", "lesson", row.id, before, {"ends_on": ends})
    return ends


async def _create(
    run: _Run,
    key: LessonKey,
    starts_on: date | None,
    describe: _Describer,
    *,
    replaces: int | None = None,
) -> Lesson:
    subject = run.export.subjects.get(key.subject_code)
    row = Lesson(school=run.school, origin=LessonOrigin.TIMETABLE, starts_on=starts_on)
    _assign(row, key)
    row.subject = (subject.label if subject else key.subject_code)[:120]
    row.replaces_id = replaces
    await row.save()
    run.audit.add("timetable.create", "lesson", row.id, None, describe(key))
    return row


class _Describer:
    """A lesson as the summary lists it: division or group, subject, teacher, day, times."""

    def __init__(self, run: _Run, codes: dict[tuple[str, int], str], patterns: dict[str, int]):
        self.run = run
        self.codes = codes
        self.patterns = {i: c for c, i in patterns.items()}

    def __call__(self, key: LessonKey) -> Note:
        subject = self.run.export.subjects.get(key.subject_code)
        return {
            "division": self.codes.get(("division", key.division_id or 0)),
            "group": self.codes.get(("group", key.group_id or 0)),
            "subject": subject.label if subject else key.subject_code,
            "teacher": self.run.names.get(key.teacher_id, ""),
            "day": key.weekday + 1,
            "start": minutes_to_time(key.start_minute).strftime("%H:%M"),
            "end": minutes_to_time(key.end_minute).strftime("%H:%M"),
            "pattern": self.patterns.get(key.pattern_id or 0),
            "room": key.room,
        }
