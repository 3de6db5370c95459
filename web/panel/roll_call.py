"""The roll call (appel): a teacher's lessons of the day, the form of one, the missing ones.

A teacher sees and takes only their own lessons (403 otherwise); the vie scolaire, the CPE and
the admin see every lesson of the day and the roll calls still missing, and may take any.
Writes go through :func:`core.services.events.roll_call.take_roll_call` (one transaction, audited).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from core.errors import DomainError, Forbidden, Invalid, NotFound
from core.i18n import N_
from core.models import Lesson, Role
from core.queries.calendar import load_calendar
from core.queries.lessons import LessonOfDay, lessons_of_day, missing_roll_calls
from core.queries.records import school_lesson
from core.rules.permissions import Permission
from core.services.events.roll_call import (
    Mark,
    MarkKind,
    RollCallResult,
    lesson_students,
    marked_in_lesson,
    take_roll_call,
)
from core.services.schools.school import now_utc
from web.i18n import language
from web.keys import QUEUE
from web.panel import session
from web.panel.grid_data import day_label, no_school, today_in
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import NotHere, Said, path_id, read_day
from web.panel.refusals import worded
from workers.queue import enqueue_scheduled

BASE = "/s/{uai}/roll-call"
LESSON = BASE + r"/{lesson:\d+}"
MARKS = ("present", "absent", "late", "left")


def _day(page: Page, raw: str | None) -> date:
    if not raw:
        return today_in(page.school, now_utc())
    return read_day(raw)


def _is_teacher(page: Page) -> bool:
    return page.role == Role.TEACHER


def _group_label(lesson: Lesson) -> str:
    if lesson.division is not None:
        return str(lesson.division.code)
    return str(lesson.group.code) if lesson.group is not None else ""


def _row(item: LessonOfDay, now: datetime, tz: Any) -> dict[str, Any]:
    lesson = item.lesson
    teacher = lesson.teacher
    return {
        "id": lesson.id,
        "time": f"{item.starts_at.astimezone(tz):%H:%M}–{item.ends_at.astimezone(tz):%H:%M}",
        "subject": lesson.subject,
        "group": _group_label(lesson),
        "teacher": teacher.known_as,
        "taken": item.taken,
        "current": item.current(now),
        "started": item.started(now),
    }


async def roll_call_list(request: web.Request) -> web.Response:
    """A teacher's lessons of the day; for the vie scolaire, every lesson and the missing ones."""
    page = await school_page(request, Permission.ROLL_CALL)
    day = _day(page, request.query.get("date"))
    now = now_utc()
    calendar = await load_calendar(page.school)
    tz = calendar.tz
    teacher_id = page.user.id if _is_teacher(page) else None
    lessons = await lessons_of_day(page.school, day, teacher_id=teacher_id)
    missing = [] if _is_teacher(page) else await missing_roll_calls(page.school, day, now)
    flash = page.session.pop("flash", None)
    return page.render(
        "roll_call.html",
        {
            "day": day,
            "day_label": day_label(day, language(page.request)),
            "lessons": [_row(item, now, tz) for item in lessons],
            "missing": [_row(item, now, tz) for item in missing],
            "teacher_view": _is_teacher(page),
            "flash": flash,
            "today": today_in(page.school, now),
            "no_school": no_school(calendar, day, page.words),
            "prev": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
        },
    )


async def _lesson_of(page: Page, day: date) -> LessonOfDay:
    """The lesson asked, refused to a teacher who does not give it."""
    try:
        lesson = await school_lesson(page.school, path_id(page.request, "lesson"))
    except NotFound:
        raise NotHere(N_("Ce cours n'existe pas dans cet établissement.")) from None
    if _is_teacher(page) and lesson.teacher_id != page.user.id:
        raise Said(page.gettext("Ce cours n'est pas l'un des vôtres."), 403)
    if day.weekday() != lesson.weekday:
        raise NotHere(N_("Ce cours n'a pas lieu ce jour-là."))
    items = [i for i in await lessons_of_day(page.school, day) if i.lesson.id == lesson.id]
    if not items:
        raise NotHere(N_("L'établissement est fermé ce jour-là."))
    return items[0]


async def _form_page(
    page: Page, item: LessonOfDay, form: dict[str, Any], error: str | None, status: int = 200
) -> web.Response:
    students = await lesson_students(item.lesson)
    calendar = await load_calendar(page.school)
    tz = calendar.tz
    marked = await marked_in_lesson(item, [s.id for s in students], calendar)
    rows = []
    for s in students:
        known = marked.get(s.id)
        time_known = f"{known.at:%H:%M}" if known and known.at else ""
        rows.append(
            {
                "id": s.id,
                "name": s.display_name,
                "already": str(known.kind) if known else "",
                "already_at": time_known,
                "mark": form.get(f"mark-{s.id}") or (str(known.kind) if known else "present"),
                "time": form.get(f"time-{s.id}") or time_known,
            }
        )
    return page.render(
        "roll_call_form.html",
        {
            "lesson": _row(item, now_utc(), tz),
            "day": item.day,
            "day_label": day_label(item.day, language(page.request)),
            "rows": rows,
            "marks": MARKS,
            "error": error,
        },
        status=status,
    )


async def roll_call_form(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.ROLL_CALL)
    item = await _lesson_of(page, _day(page, request.query.get("date")))
    return await _form_page(page, item, {}, None)


def _hhmm(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw)
    except ValueError:
        return None


async def _marks(page: Page, item: LessonOfDay, form: dict[str, Any]) -> list[Mark]:
    marks: list[Mark] = []
    for student in await lesson_students(item.lesson):
        chosen = str(form.get(f"mark-{student.id}", "present"))
        if chosen not in MARKS:
            raise Invalid(f"unknown mark {chosen!r}", code="roll_mark")
        if chosen == "present":
            continue
        at = _hhmm(str(form.get(f"time-{student.id}", "")))
        if chosen != "absent" and at is None:
            raise Invalid(
                f"a time is needed for {student.id}",
                code="roll_time_for",
                name=student.display_name,
            )
        marks.append(Mark(student.id, MarkKind(chosen), at))
    return marks


async def roll_call_submit(request: web.Request) -> web.StreamResponse:
    """Validate the roll call, then back to the list with a summary."""
    page = await school_page(request, Permission.ROLL_CALL)
    form = await require_csrf(page)
    item = await _lesson_of(page, _day(page, str(form.get("date", ""))))
    try:
        result = await take_roll_call(
            page.school,
            page.actor,
            item.lesson.id,
            item.day,
            await _marks(page, item, form),
            own_only=_is_teacher(page),
            recorded_from=request.remote or "",
        )
    except Forbidden:
        raise Said(page.gettext("Ce cours n'est pas l'un des vôtres."), 403) from None
    except DomainError as error:
        return await _form_page(page, item, form, worded(page.words, error), status=422)
    await enqueue_scheduled(request.config_dict[QUEUE], result.due)
    page.session["flash"] = _summary(page, result)
    target = f"/s/{page.school.uai}/roll-call?date={item.day.isoformat()}"
    response = web.Response(status=303, headers={"Location": target})
    session.store(request, response, page.session)
    return response


def _summary(page: Page, result: RollCallResult) -> str:
    """``Appel validé : 2 absents, 1 retard, 0 parti.`` and what was skipped."""
    counts = {kind: sum(1 for e in result.recorded if e.kind == kind) for kind in _KINDS}
    said = page.words
    absent, late, left = counts["absence"], counts["lateness"], counts["left_class"]
    text = said.gettext("Appel validé : {absent}, {late}, {left}.").format(
        absent=said.ngettext("{count} absent", "{count} absents", absent).format(count=absent),
        late=said.ngettext("{count} retard", "{count} retards", late).format(count=late),
        left=said.ngettext("{count} parti", "{count} partis", left).format(count=left),
    )
    if result.skipped:
        skipped = len(result.skipped)
        text += " " + said.ngettext(
            "{count} élève déjà noté : rien n'a été saisi deux fois.",
            "{count} élèves déjà notés : rien n'a été saisi deux fois.",
            skipped,
        ).format(count=skipped)
    return text


_KINDS = ("absence", "lateness", "left_class")


def setup_roll_call(app: web.Application) -> None:
    """Mount the roll call pages and register their words."""
    app.router.add_get(BASE, roll_call_list)
    app.router.add_get(LESSON, roll_call_form)
    app.router.add_post(LESSON, roll_call_submit)
