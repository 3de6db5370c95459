"""Access to panel pages: who is logged in, in which school, with which rights.

Every page of a school lives under ``/s/{uai}/…`` and starts with :func:`school_page`, which
answers 303 to the login page for a stranger, 404 for an unknown school, 403 for a user
without a role there or without the permission the page needs (a sentence in the panel's
layout, :func:`refusal`). Forms are checked with :func:`require_csrf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from core.errors import NotFound
from core.i18n import N_, Words, words
from core.models import School, User
from core.rules.permissions import Permission, allows
from core.services.audit import Actor
from core.services.schools.school import get_school
from core.services.schools.users import access
from web.bodies import read_json_body
from web.i18n import language
from web.panel import session
from web.panel.inputs import FormExpired
from web.panel.render import render


async def current_user(request: web.Request) -> User | None:
    """The active user of the browser's live session (see :mod:`web.panel.session`)."""
    return await session.signed_in(request)


@dataclass
class Page:
    """What a school page knows about its request."""

    request: web.Request
    user: User
    school: School
    role: str
    session: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)

    @property
    def csrf(self) -> str:
        return session.csrf_token(self.session)

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def render(self, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
        """Render with the page's common context and keep the session (and its CSRF token)."""
        base = {"user": self.user, "school": self.school, "role": self.role, "csrf": self.csrf}
        response = render(self.request, template, {**base, **context}, status=status)
        session.store(self.request, response, self.session)
        return response

    @property
    def words(self) -> Words:
        """The words of the page's reader."""
        return words(language(self.request))

    def gettext(self, message: str) -> str:
        """``message`` (French, marked where it is written) in the reader's language."""
        return self.words.gettext(message)


async def school_page(request: web.Request, permission: Permission = Permission.READ) -> Page:
    """The page's context, or the HTTP answer that refuses it."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    try:
        school = await get_school(request.match_info["uai"])
    except NotFound:
        raise web.HTTPNotFound(text="no such school") from None
    granted = await access(user, school)
    if granted is None:
        raise refusal(Page(request, user, school, "", session.load(request)), "forbidden")
    page = Page(request, user, school, granted.role, session.load(request))
    if not allows(granted.role, permission):
        raise refusal(
            page, N_("Votre rôle dans cet établissement ne donne pas accès à cette page.")
        )
    return page


class Refused(web.HTTPForbidden):
    """A 403 page; ``message`` is its sentence (JSON endpoints answer with it alone)."""

    def __init__(self, message: str, shown: web.Response) -> None:
        super().__init__(text=shown.text, content_type="text/html")
        self.message = message


def refusal(page: Page, key: str) -> Refused:
    """A 403 that says why in a sentence of the user's language, inside the panel's layout."""
    message = page.gettext(key)
    shown = page.render("refused.html", {"message": message}, status=403)
    refused = Refused(message, shown)
    for name in ("Content-Security-Policy", "X-Content-Type-Options"):
        refused.headers[name] = shown.headers[name]
    refused.cookies.update(shown.cookies)
    return refused


async def require_csrf(page: Page) -> dict[str, Any]:
    """The submitted form (urlencoded, multipart or JSON), after checking its CSRF token.

    JSON requests carry the token in the ``X-CSRF-Token`` header.
    """
    request = page.request
    if request.content_type == "application/json":
        data: Any = await read_json_body(request)
        token = request.headers.get("X-CSRF-Token")
        form = data if isinstance(data, dict) else {}
    else:
        posted = await request.post()
        form = dict(posted)
        submitted = posted.get("csrf")
        token = submitted if isinstance(submitted, str) else None
    if not session.check_csrf(page.session, token):
        raise FormExpired()
    return form
