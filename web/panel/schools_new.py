"""Creating a school from the panel (operators of the install): by its UAI, name and holiday
zone, or by its first SIECLE export — checked first as a dry run; the school is then created
from the export's UAI and name and its import waits on its Imports page, to be looked at and
applied like any other."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from core.errors import Conflict, DomainError
from core.i18n import N_, words
from core.models import User
from core.rules.holiday_zones import ZONES, zone_of_uai
from core.services.audit import Actor
from core.services.schools.operators import open_school, school_exists
from core.services.siecle.importer import import_siecle
from core.siecle import read_export
from web.i18n import language
from web.panel import session
from web.panel.guard import current_user
from web.panel.import_jobs import JOBS, Meta
from web.panel.imports import TRUE, UPLOAD_LIMIT
from web.panel.problems import problem_page
from web.panel.refusals import worded, worded_upload
from web.panel.render import render
from web.uploads import UploadError, read_multipart

PATH = "/schools/new"
# In the creation form, another year's files call for the box to tick.
OTHER_YEAR = N_(
    "Ces fichiers sont d'une autre année scolaire que l'année en cours : cochez « Accepter "
    "une autre année scolaire » pour créer l'établissement avec eux."
)


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, new_school_form)
    app.router.add_post(PATH, new_school)


async def _operator(request: web.Request) -> User | web.Response:
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    if not user.operator:
        said = words(language(request))
        return problem_page(
            request,
            403,
            said.gettext("Accès refusé"),
            said.gettext("Seuls les exploitants de l'installation créent des établissements."),
        )
    return user


def _show(
    request: web.Request, user: User, form: dict[str, str], error: str | None, status: int = 200
) -> web.Response:
    data = session.load(request)
    context: dict[str, Any] = {
        "user": user,
        "school": None,
        "role": None,
        "csrf": session.csrf_token(data),
        "form": form,
        "zones": ZONES,
        "error": error,
    }
    response = render(request, "school_new.html", context, status=status)
    session.store(request, response, data)
    return response


async def new_school_form(request: web.Request) -> web.Response:
    user = await _operator(request)
    if isinstance(user, web.Response):
        return user
    return _show(request, user, {}, None)


async def _posted(request: web.Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """The form's fields and its files (none when it was sent without)."""
    if request.content_type == "multipart/form-data":
        form = await read_multipart(request, UPLOAD_LIMIT)
        return form.fields, form.blobs("files")
    posted = await request.post()
    return {k: v for k, v in posted.items() if isinstance(v, str)}, []


async def new_school(request: web.Request) -> web.StreamResponse:
    """Create the school (and its first import's preview), or say in the form why not."""
    user = await _operator(request)
    if isinstance(user, web.Response):
        return user
    try:
        posted, blobs = await _posted(request)
    except UploadError as error:
        said = words(language(request))
        return _show(request, user, {}, worded_upload(said, error.status), error.status)
    if not session.check_csrf(session.load(request), posted.get("csrf")):
        raise web.HTTPForbidden(text="invalid form token")
    fields = {k: posted.get(k, "").strip() for k in ("uai", "name", "zone")}
    chosen = fields["zone"] if fields["zone"] in ZONES else None
    said = words(language(request))
    actor = Actor.of(user)
    try:
        if not blobs:
            zone = chosen or zone_of_uai(fields["uai"])
            school = await open_school(
                user, fields["uai"], fields["name"], actor, holiday_zone=zone
            )
            raise web.HTTPSeeOther(f"/s/{school.uai}/imports")
        force = posted.get("force_year", "").lower() in TRUE
        export = await asyncio.to_thread(read_export, blobs)
        if await school_exists(export.uai):
            taken = Conflict(f"the school {export.uai} already exists", code="school_exists")
            return _show(request, user, fields, worded(said, taken), 409)
        await import_siecle(export, actor, dry_run=True, force_year=force)  # all of it checked
        name = export.letterhead.name if export.letterhead else fields["name"]
        school = await open_school(
            user,
            export.uai,
            name or export.uai,
            actor,
            holiday_zone=chosen or zone_of_uai(export.uai),
            school_year=export.school_year,
        )
        preview = await import_siecle(
            export, actor, school_uai=school.uai, dry_run=True, force_year=force
        )
    except DomainError as error:
        if error.code == "siecle_year":
            return _show(request, user, fields, said.gettext(OTHER_YEAR), 422)
        return _show(request, user, fields, worded(said, error), 422)
    meta = Meta(school.uai, user.id, force, [name for name, _ in blobs])
    job_id = await asyncio.to_thread(request.app[JOBS].keep, meta, blobs, preview)
    raise web.HTTPSeeOther(f"/s/{school.uai}/imports/{job_id}")
