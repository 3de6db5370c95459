"""The student's file (R131-6), printable, and the form that records an action taken.

Anyone who may read the school reads the file (a teacher: only their own students); those who
record events or decide on justifications add actions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import segno
from aiohttp import web
from markupsafe import Markup

from core.bounds import moment_in_window, parse_id
from core.errors import DomainError, NotFound
from core.i18n import N_
from core.queries import student_file
from core.queries.choices import action_types
from core.queries.common import zone
from core.queries.languages import school_languages
from core.queries.scope import reader_scope
from core.rules.calendar import school_year_of
from core.rules.languages import NOTICE_LANGUAGES
from core.rules.permissions import Permission
from core.services.access.chat_links import IssuedCode
from core.services.events.actions import record_action
from core.services.notices.chat_invitations import (
    deep_link,
    end_guardian_chat,
    issue_for_guardian,
    send_chat_code,
)
from core.services.notices.convocations import convoke_family
from core.services.notices.preferences import set_guardian_preferences
from core.services.schools.defaults import ACTION_TYPES
from web.keys import QUEUE, SETTINGS
from web.panel.account import now_of
from web.panel.event_dialog import dialog_context
from web.panel.guard import Page, refusal, require_csrf, school_page
from web.panel.inputs import path_id
from web.panel.refusals import worded
from workers.queue import enqueue_scheduled

FILE = r"/s/{uai}/students/{id:\d+}"


def setup(app: web.Application) -> None:
    app.router.add_get(FILE, show)
    app.router.add_post(FILE + "/actions", add_action)
    app.router.add_post(FILE + "/convocations", convoke)
    app.router.add_post(FILE + "/link-code", link_code)
    app.router.add_post(FILE + "/link-code/send", send_link_code)
    app.router.add_post(FILE + "/chat-links/end", end_chat_link)
    app.router.add_post(FILE + "/guardians/preferences", guardian_preferences)


def may_act(page: Page) -> bool:
    return page.can(Permission.WRITE_EVENTS) or page.can(Permission.DECIDE)


def may_convoke(page: Page) -> bool:
    return page.can(Permission.CONVOKE)


def may_link(page: Page) -> bool:
    """Linking families' chats, and a guardian's language and channel: the roles that read
    their replies (the chat feeds the queue)."""
    return page.can(Permission.DECIDE)


def _bot(page: Page) -> str | None:
    return page.request.config_dict[SETTINGS].telegram_bot_username


async def _readable(
    request: web.Request, may: Callable[[Page], bool] | None = None
) -> tuple[Page, int]:
    """The page and the student's id, if the user may do what ``may`` asks (403 otherwise)
    and read that student (404 otherwise, as for a student of another school)."""
    page = await school_page(request)
    if may is not None and not may(page):
        raise refusal(
            page, N_("Votre rôle dans cet établissement ne donne pas accès à cette page.")
        )
    student_id = path_id(request)
    scope = await reader_scope(page.school, page.user.id, page.role)
    if not scope.allows(student_id):
        raise web.HTTPNotFound(text="no such student")
    return page, student_id


def _year(request: web.Request) -> int | None:
    value = request.query.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


async def _render(
    page: Page,
    student_id: int,
    *,
    year: int | None,
    error: str | None = None,
    status: int = 200,
    convocation: dict[str, Any] | None = None,
    chat_code: dict[str, Any] | None = None,
) -> web.Response:
    now = now_of(page.request)
    scope = await reader_scope(page.school, page.user.id, page.role)
    try:
        file = await student_file(page.school, student_id, year, now=now, scope=scope)
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    context: dict[str, Any] = {
        "file": file,
        "may_act": may_act(page),
        "action_types": await action_types(page.school, ACTION_TYPES) if may_act(page) else [],
        "now_local": now.astimezone(zone(page.school)).strftime("%Y-%m-%dT%H:%M"),
        "error": error,
        "flash": page.session.pop("flash", None),  # what the last form did (the DASEN report)
        "follow_up": f"/s/{page.school.uai}/follow-up?student={student_id}",
        "may_convoke": may_convoke(page),
        "may_report": page.can(Permission.LEGAL_FOLLOW_UP),  # the report to the DASEN
        "convocation": convocation or {},
        "may_link": may_link(page),
        "bot_configured": deep_link(_bot(page), "") is not None,
        "chat_code": chat_code or {},
        "languages": await school_languages(page.school.id),
        "language_names": NOTICE_LANGUAGES,
        "channels": list(page.school.channel_order),  # a preference outside it changes nothing
        **await dialog_context(page),
    }
    return page.render("student_file.html", context, status=status)


async def show(request: web.Request) -> web.Response:
    page, student_id = await _readable(request)
    return await _render(page, student_id, year=_year(request))


def local_time(page: Page, value: str, words: str = N_("Date et heure invalides.")) -> datetime:
    try:
        wall = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise DomainError(page.gettext(words), code="meeting_time") from None
    if not moment_in_window(wall):
        raise DomainError(page.gettext(words), code="meeting_time")
    return wall.replace(tzinfo=zone(page.school))


async def add_action(request: web.Request) -> web.StreamResponse:
    """Record an action about the student, then show the file at its actions."""
    page, student_id = await _readable(request, may_act)
    form = await require_csrf(page)
    event = str(form.get("event", "")).strip()
    try:
        done_at = local_time(page, str(form.get("at", "")))
        await record_action(
            page.school,
            page.actor,
            student_id,
            str(form.get("type", "")),
            done_at,
            str(form.get("comment", "")),
            event_id=parse_id(event),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such student or event") from None
    except DomainError as error:
        return await _render(
            page, student_id, year=None, error=worded(page.words, error), status=400
        )
    year = school_year_of(done_at.date())
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}?year={year}#actions")


def _convocation_error(page: Page, error: DomainError) -> str:
    """The service's refusal in the user's language when its code has words, else as is."""
    return worded(page.words, error, "file.convoke.error")


async def convoke(request: web.Request) -> web.StreamResponse:
    """Convoke the student's family to a meeting, then show the file at its notices."""
    page, student_id = await _readable(request, may_convoke)
    form = await require_csrf(page)
    values = {k: str(form.get(k, "")) for k in ("at", "place", "with_whom", "message")}
    try:
        done = await convoke_family(
            page.school,
            page.actor,
            student_id,
            meeting_at=local_time(
                page, values["at"], N_("Date et heure du rendez-vous invalides.")
            ),
            place=values["place"],
            with_whom=values["with_whom"],
            message=values["message"],
            now=now_of(request),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such student") from None
    except DomainError as error:
        text = _convocation_error(page, error)
        status = 409 if error.code == "convoked" else 400
        return await _render(
            page, student_id, year=None, error=text, status=status, convocation=values
        )
    await enqueue_scheduled(request.config_dict[QUEUE], done.due)
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}#notices")


def _form_id(form: dict[str, Any], name: str) -> int:
    """An id the form names; a missing or impossible one is simply not found."""
    value = parse_id(str(form.get(name, "")))
    if value is None:
        raise web.HTTPNotFound(text=f"no such {name}")
    return value


def _chat_error(page: Page, error: DomainError) -> str:
    return worded(page.words, error, "file.chat.error")


def _shown_code(page: Page, issued: IssuedCode) -> dict[str, Any]:
    """The code as the file shows it: in two groups of five, its expiry, the deep link and
    its QR code (SVG drawn here: nothing leaves for a QR service)."""
    link = deep_link(_bot(page), issued.code)
    qr = segno.make(link, error="m").svg_inline(scale=4, title=link) if link else None
    return {
        "person_id": issued.person_id,
        "code": issued.code,
        "grouped": f"{issued.code[:5]} {issued.code[5:]}",
        "expires_at": issued.expires_at.astimezone(zone(page.school)),
        "link": link,
        "qr": Markup(qr) if qr else None,  # segno's own markup of our link
    }


async def link_code(request: web.Request) -> web.StreamResponse:
    """Issue a guardian's one-time Telegram code and show it in the file (only its hash is
    kept: it is shown this once)."""
    page, student_id = await _readable(request, may_link)
    form = await require_csrf(page)
    person_id = _form_id(form, "person")
    try:
        issued = await issue_for_guardian(
            page.school, page.actor, student_id, person_id, now=now_of(request)
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such guardian") from None
    response = await _render(page, student_id, year=None, chat_code=_shown_code(page, issued))
    response.headers["Cache-Control"] = "no-store"  # the code, shown once, stays nowhere
    return response


async def send_link_code(request: web.Request) -> web.StreamResponse:
    """Send the code shown to the guardian by SMS or email, or a letter with a new code, then
    show the file at its notices."""
    page, student_id = await _readable(request, may_link)
    form = await require_csrf(page)
    person_id = _form_id(form, "person")
    try:
        done = await send_chat_code(
            page.school,
            page.actor,
            student_id,
            person_id,
            str(form.get("channel", "")),
            str(form.get("code", ""))[:40] or None,  # none: a new code (a letter's)
            bot_username=_bot(page),
            now=now_of(request),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such guardian") from None
    except DomainError as error:
        return await _render(
            page, student_id, year=None, error=_chat_error(page, error), status=400
        )
    await enqueue_scheduled(request.config_dict[QUEUE], done.due)
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}#notices")


async def end_chat_link(request: web.Request) -> web.StreamResponse:
    """Stop a guardian's chat link: the bot no longer tells that chat anything."""
    page, student_id = await _readable(request, may_link)
    form = await require_csrf(page)
    person_id, link_id = _form_id(form, "person"), _form_id(form, "link")
    try:
        await end_guardian_chat(
            page.school, page.actor, student_id, person_id, link_id, now=now_of(request)
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such chat link") from None
    except DomainError as error:
        return await _render(
            page, student_id, year=None, error=_chat_error(page, error), status=409
        )
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}#guardians")


async def guardian_preferences(request: web.Request) -> web.StreamResponse:
    """A guardian's language (one of the school's) and preferred channel (``""``: the school's
    order), set by staff and audited; then the file at its guardians."""
    page, student_id = await _readable(request, may_link)
    form = await require_csrf(page)
    person_id = _form_id(form, "person")
    try:
        await set_guardian_preferences(
            page.school,
            page.actor,
            student_id,
            person_id,
            language=str(form.get("language", ""))[:5],
            channel=str(form.get("channel", ""))[:10],
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such guardian") from None
    except DomainError as error:
        return await _render(
            page, student_id, year=None, error=worded(page.words, error), status=400
        )
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/students/{student_id}#guardians")
