"""The Lessons page: a division's, a group's or a teacher's week as the timetable gives it, and
the changes the vie scolaire makes by hand — a lesson moved, given by another teacher, in
another room or cancelled, that day only or from that day on; a lesson added.

Everyone on the staff reads it (a teacher: their own week); the admin, the CPE and the vie
scolaire change it (:data:`Permission.LESSONS`), through
:mod:`core.services.timetable.lessons` (one transaction, audited).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.i18n import N_
from core.models import Role
from core.queries.calendar import load_calendar
from core.queries.choices import groupings
from core.queries.lessons import LessonOfDay, lessons_for, teaching_staff
from core.queries.records import school_lesson
from core.rules.lessons import every_week
from core.rules.permissions import Permission
from core.services.schools.school import now_utc
from core.services.timetable.lessons import (
    LessonChange,
    NewLesson,
    Scope,
    add_lesson,
    cancel_lesson,
    change_lesson,
    restore_lesson,
)
from web.i18n import language
from web.panel import session
from web.panel.grid_data import day_label, today_in
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import BadInput, NotHere, path_id, read_day
from web.panel.refusals import worded

BASE = "/s/{uai}/lessons"
LESSON = BASE + r"/{id:\d+}"
DAYS = 6  # Monday to Saturday
KINDS = ("division", "group", "teacher")


def setup_lessons(app: web.Application) -> None:
    app.router.add_get(BASE, week)
    app.router.add_get(BASE + "/new", new_form)
    app.router.add_post(BASE + "/new", new_submit)
    app.router.add_get(LESSON, edit_form)
    app.router.add_post(LESSON + "/move", move_submit)
    app.router.add_post(LESSON + "/cancel", cancel_submit)
    app.router.add_post(LESSON + "/restore", restore_submit)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(raw: object) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        moment = time.fromisoformat(text)
    except ValueError:
        raise BadInput(N_("Heure attendue au format HH:MM.")) from None
    return moment.hour * 60 + moment.minute


async def _whose(page: Page) -> tuple[str, str]:
    """(kind, key) of the week shown: a teacher always sees their own."""
    if page.role == Role.TEACHER:
        return "teacher", str(page.user.id)
    raw = page.request.query.get("show", "")
    kind, _, key = raw.partition(":")
    if kind in KINDS and key:
        return kind, key[:40]
    divisions, _, _ = await groupings(page.school)
    return ("division", divisions[0].code) if divisions else ("division", "")


async def _items(page: Page, kind: str, key: str, day: date) -> list[LessonOfDay]:
    if kind == "teacher":
        teacher = int(key) if key.isdigit() and len(key) < 10 else -1
        return await lessons_for(page.school, day, teacher_id=teacher, with_cancelled=True)
    if kind == "group":
        return await lessons_for(page.school, day, group=key, with_cancelled=True)
    return await lessons_for(page.school, day, division=key, with_cancelled=True)


def _pattern(lesson: Any) -> str:
    """The week pattern's label, unless the lesson is given every week."""
    pattern = lesson.pattern
    if pattern is None or every_week([date.fromisoformat(d) for d in pattern.mondays]):
        return ""
    return str(pattern.label or pattern.code)


def _row(item: LessonOfDay) -> dict[str, Any]:
    lesson = item.lesson
    who = lesson.division.code if lesson.division else lesson.group.code if lesson.group else ""
    return {
        "id": lesson.id,
        "time": f"{_hhmm(lesson.start_minute)}–{_hhmm(lesson.end_minute)}",
        "subject": lesson.subject,
        "teacher": lesson.teacher.known_as,
        "who": who,
        "room": lesson.room,
        "pattern": _pattern(lesson),
        "once": lesson.starts_on is not None and lesson.starts_on == lesson.ends_on,
        "replaces": lesson.replaces_id is not None,
        "cancelled": item.cancelled,
        "taken": item.taken,
    }


async def _choices(page: Page) -> dict[str, list[tuple[str, str]]]:
    divisions, groups, _ = await groupings(page.school)
    return {
        "division": [(d.code, d.code) for d in divisions],
        "group": [(g.code, g.label or g.code) for g in groups],
        "teacher": [(str(i), name) for i, name in await teaching_staff(page.school)],
    }


async def week(request: web.Request) -> web.Response:
    """Monday to Saturday of the week holding ``?week=`` (today by default)."""
    page = await school_page(request, Permission.READ)
    raw = request.query.get("week")
    monday = _monday(read_day(raw) if raw else today_in(page.school, now_utc()))
    kind, key = await _whose(page)
    calendar = await load_calendar(page.school)
    lang = language(request)
    days = []
    for offset in range(DAYS):
        day = monday + timedelta(days=offset)
        rows = [_row(item) for item in await _items(page, kind, key, day)]
        if offset == DAYS - 1 and not rows:
            continue  # no Saturday column without lessons
        days.append(
            {
                "day": day,
                "label": day_label(day, lang),
                "rows": rows,
                "closed": not calendar.is_school_day(day),
            }
        )
    context = {
        "monday": monday,
        "prev": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "kind": kind,
        "key": key,
        "choices": await _choices(page) if page.role != Role.TEACHER else {},
        "days": days,
        "may_edit": page.can(Permission.LESSONS),
        "flash": page.session.pop("flash", None),
    }
    return page.render("lessons.html", context)


def _back(page: Page, target: str, flash: str) -> web.Response:
    page.session["flash"] = flash
    response = web.Response(status=303, headers={"Location": target})
    session.store(page.request, response, page.session)
    return response


def _week_url(page: Page, show: str, day: date) -> str:
    return f"/s/{page.school.uai}/lessons?show={show}&week={_monday(day).isoformat()}"


async def _edit_page(
    page: Page,
    lesson_id: int,
    day: date,
    form: dict[str, Any],
    error: str | None,
    status: int = 200,
) -> web.Response:
    lesson = await school_lesson(page.school, lesson_id)
    found = [
        item
        for item in await lessons_for(
            page.school, day, teacher_id=lesson.teacher_id, with_cancelled=True
        )
        if item.lesson.id == lesson_id
    ]
    if not found:
        raise NotHere(N_("Ce cours n'a pas lieu ce jour-là."))
    row = _row(found[0])
    context = {
        "lesson": row,
        "day": day,
        "day_label": day_label(day, language(page.request)),
        "teachers": await teaching_staff(page.school),
        "teacher_id": found[0].lesson.teacher_id,
        "start": _hhmm(found[0].lesson.start_minute),
        "end": _hhmm(found[0].lesson.end_minute),
        "form": form,
        "error": error,
        "back": _week_url(page, f"teacher:{found[0].lesson.teacher_id}", day),
    }
    return page.render("lesson_edit.html", context, status=status)


async def edit_form(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LESSONS)
    day = read_day(request.query.get("day", ""))
    return await _edit_page(page, path_id(request), day, {}, None)


def _scope(form: dict[str, Any]) -> Scope:
    return Scope.FROM if form.get("scope") == "from" else Scope.ONCE


def _teacher(raw: object) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not (text.isdigit() and len(text) < 10):
        raise BadInput(N_("Choisissez un enseignant dans la liste."))
    return int(text)


async def move_submit(request: web.Request) -> web.Response:
    """Move the lesson (time, room, teacher, or another date once) that day or from it on."""
    page = await school_page(request, Permission.LESSONS)
    form = await require_csrf(page)
    lesson_id, day = path_id(request), read_day(form.get("day", ""))
    scope = _scope(form)
    moved_to = str(form.get("new_day", "")).strip()
    change = LessonChange(
        start_minute=_minutes(form.get("start")),
        end_minute=_minutes(form.get("end")),
        room=str(form.get("room", "")).strip() if "room" in form else None,
        teacher_id=_teacher(form.get("teacher")),
        day=read_day(moved_to) if moved_to and scope is Scope.ONCE else None,
    )
    try:
        new = await change_lesson(page.school, page.actor, lesson_id, day, scope, change)
    except DomainError as error:
        return await _edit_page(page, lesson_id, day, form, worded(page.words, error), 422)
    said = (
        page.gettext("Cours modifié pour ce jour seulement.")
        if scope is Scope.ONCE
        else page.gettext("Cours modifié à partir de ce jour.")
    )
    shown = new.starts_on or day
    return _back(page, _week_url(page, f"teacher:{new.teacher_id}", shown), said)


async def cancel_submit(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LESSONS)
    form = await require_csrf(page)
    lesson_id, day = path_id(request), read_day(form.get("day", ""))
    scope = _scope(form)
    try:
        await cancel_lesson(
            page.school, page.actor, lesson_id, day, scope, str(form.get("reason", ""))
        )
    except DomainError as error:
        return await _edit_page(page, lesson_id, day, form, worded(page.words, error), 422)
    lesson = await school_lesson(page.school, lesson_id)
    said = (
        page.gettext("Cours annulé ce jour.")
        if scope is Scope.ONCE
        else page.gettext("Cours annulé à partir de ce jour.")
    )
    return _back(page, _week_url(page, f"teacher:{lesson.teacher_id}", day), said)


async def restore_submit(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LESSONS)
    form = await require_csrf(page)
    lesson_id, day = path_id(request), read_day(form.get("day", ""))
    try:
        await restore_lesson(page.school, page.actor, lesson_id, day)
    except DomainError as error:
        return await _edit_page(page, lesson_id, day, form, worded(page.words, error), 422)
    lesson = await school_lesson(page.school, lesson_id)
    said = page.gettext("Cours rétabli ce jour.")
    return _back(page, _week_url(page, f"teacher:{lesson.teacher_id}", day), said)


async def _new_page(
    page: Page, form: dict[str, Any], error: str | None, status: int = 200
) -> web.Response:
    context = {"choices": await _choices(page), "form": form, "error": error}
    return page.render("lesson_new.html", context, status=status)


async def new_form(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LESSONS)
    form = {k: request.query.get(k, "")[:40] for k in ("show", "day")}
    return await _new_page(page, form, None)


async def new_submit(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LESSONS)
    form = await require_csrf(page)
    day = read_day(form.get("day", ""))
    kind, _, key = str(form.get("show", "")).partition(":")
    divisions, groups, _ = await groupings(page.school)
    division = next((d.id for d in divisions if kind == "division" and d.code == key), None)
    group = next((g.id for g in groups if kind == "group" and g.code == key), None)
    teacher = _teacher(form.get("teacher"))
    start, end = _minutes(form.get("start")), _minutes(form.get("end"))
    if division is None and group is None:
        error = page.gettext("Choisissez une classe ou un groupe de l'établissement.")
        return await _new_page(page, form, error, 422)
    if teacher is None or start is None or end is None:
        error = page.gettext("L'enseignant, l'heure de début et l'heure de fin sont à remplir.")
        return await _new_page(page, form, error, 422)
    wanted = NewLesson(
        day=day,
        start_minute=start,
        end_minute=end,
        teacher_id=teacher,
        subject=str(form.get("subject", "")),
        division_id=division,
        group_id=group,
        room=str(form.get("room", "")),
        weekly=form.get("weekly") == "1",
    )
    try:
        await add_lesson(page.school, page.actor, wanted)
    except DomainError as error:
        return await _new_page(page, form, worded(page.words, error), 422)
    said = page.gettext("Cours ajouté.")
    return _back(page, _week_url(page, f"{kind}:{key}", day), said)
