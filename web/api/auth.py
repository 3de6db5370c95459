"""Who calls, in which school, with which right: bearer token → user → role in the URL's school."""

from __future__ import annotations

from aiohttp import web

from core.errors import Forbidden
from core.models import User
from core.rules.permissions import Permission, allows
from core.services.access.tokens import TokenRefused, token_user
from core.services.schools.school import get_school
from core.services.schools.users import Access, Installed, access, schools_with
from web.api.errors import Unauthorized

BEARER = "bearer"


def bearer_token(request: web.Request) -> str:
    """The token of ``Authorization: Bearer <token>``; missing or malformed is a 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if not header:
        raise Unauthorized("send the header Authorization: Bearer <token>")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthorized("the Authorization header must be Bearer <token>")
    return token.strip()


async def caller(request: web.Request) -> User:
    """The user of the bearer token (401 when there is none, or it is bad)."""
    try:
        return await token_user(bearer_token(request))
    except TokenRefused as refused:
        raise Unauthorized(refused.message, code=refused.code) from None


async def authorise_install(request: web.Request, permission: Permission) -> Installed:
    """For a route of the whole install (no ``{uai}``): the schools where the caller's role
    grants ``permission`` (an operator of the install: every school). 403 when none."""
    user = await caller(request)
    schools = await schools_with(user, permission)
    if not schools:
        raise Forbidden(f"no school where your role allows {permission.value}")
    return Installed(user, schools)


async def authorise(request: web.Request, permission: Permission) -> Access:
    """The caller's access to the school named by ``{uai}``, if their role grants ``permission``.

    401: no or bad token (its code says ``token_revoked`` or ``token_expired``). 404: no such
    school. 403: no role in that school, or a role without that permission.
    """
    user = await caller(request)
    school = await get_school(request.match_info["uai"])
    granted = await access(user, school)
    if granted is None:
        raise Forbidden(f"you have no role in school {school.uai}")
    if not allows(granted.role.value, permission):
        raise Forbidden(f"the role {granted.role.value} does not allow {permission.value}")
    return granted
