"""The SIECLE import pages (admins): upload → preview (a dry run) → apply with a progress bar.

``/s/{uai}/imports`` takes the files; the preview is kept under ``var/imports/<id>/`` (see
:mod:`web.panel.import_jobs`) and shown at ``/s/{uai}/imports/<id>``; applying runs the import
as a task of the server and answers the progress page at once, which polls
``/s/{uai}/imports/<id>/progress`` (JSON) every 500 ms.

On SQLite the import's transaction holds the one connection: the progress of one's own import
is therefore answered from memory, without the database (the signed session names the user).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.i18n import Words, words
from core.rules.permissions import Permission
from core.services.schools.operators import school_exists
from core.services.schools.users import schools_of
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle import ImportSummary, read_export
from core.siecle.xmlsafe import DEFAULT_MAX_BYTES
from core.timetable import read_timetable
from core.timetable.summary import TimetableSummary
from web.i18n import language
from web.keys import SETTINGS
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.import_jobs import JOBS, ImportJobs, Job, Meta, failure_of
from web.panel.inputs import FormExpired
from web.panel.labels import label
from web.panel.refusals import worded, worded_upload
from web.uploads import UploadError, read_multipart

BASE = "/s/{uai}/imports"
JOB = BASE + "/{id:[0-9a-f]{16}}"
UPLOAD_LIMIT = DEFAULT_MAX_BYTES
TRUE = ("1", "on", "true", "yes")


def setup(app: web.Application) -> None:
    """Mount the import pages and keep the running imports for the app's lifetime."""
    app[JOBS] = ImportJobs(app[SETTINGS].var_dir / "imports")
    app.on_cleanup.append(_stop_imports)
    app.router.add_get(BASE, upload_form)
    app.router.add_post(BASE, upload)
    app.router.add_post(BASE + "/timetable", upload_timetable)
    app.router.add_get(JOB, show)
    app.router.add_post(JOB + "/apply", apply)
    app.router.add_get(JOB + "/progress", progress)


async def _stop_imports(app: web.Application) -> None:
    await app[JOBS].close()


def _context(page: Page, mode: str, **extra: Any) -> dict[str, Any]:
    base = {"mode": mode, "error": None, "summary": None, "job": None, "job_id": None}
    base["next_step"] = None
    base["kind"] = "siecle"
    return {**base, "files": [], **extra}


async def upload_form(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.IMPORT)
    return page.render("imports.html", _context(page, "upload"))


async def upload(request: web.Request) -> web.StreamResponse:
    """Keep SIECLE's files and their preview (a dry run), then show it; a refusal stays here."""
    return await _upload(request, "siecle")


async def upload_timetable(request: web.Request) -> web.StreamResponse:
    """The same for the timetable's files (STS-Web's sts_emp, EDT's or UDT's emp_sts)."""
    return await _upload(request, "timetable")


async def _upload(request: web.Request, kind: str) -> web.StreamResponse:
    page = await school_page(request, Permission.IMPORT)
    try:
        form = await read_multipart(request, UPLOAD_LIMIT)
    except UploadError as error:
        return page.render(
            "imports.html",
            _context(page, "upload", error=worded_upload(page.words, error.status)),
            status=error.status,
        )
    if not session.check_csrf(page.session, form.fields.get("csrf")):
        raise FormExpired()
    blobs = form.blobs("files")
    force_year = form.fields.get("force_year", "").lower() in TRUE
    try:
        preview = await _preview(page, kind, blobs, force_year)
    except _AnotherSchool as other:
        return await _another_school(page, other.uai)
    except DomainError as error:
        context = _context(page, "upload", error=worded(page.words, error))
        if error.code in ("siecle_next_year", "timetable_next_year"):
            start = page.gettext("Commencer la nouvelle année")
            context["next_step"] = (start, f"/s/{page.school.uai}/settings/year/start")
        return page.render("imports.html", context, status=422)
    names = [name for name, _ in blobs]
    meta = Meta(page.school.uai, page.user.id, force_year, names, kind=kind)
    job_id = await asyncio.to_thread(request.app[JOBS].keep, meta, blobs, preview)
    raise web.HTTPSeeOther(f"/s/{page.school.uai}/imports/{job_id}")


class _AnotherSchool(Exception):
    def __init__(self, uai: str) -> None:
        super().__init__(uai)
        self.uai = uai


async def _preview(
    page: Page, kind: str, blobs: list[tuple[str, bytes]], force_year: bool
) -> ImportSummary | TimetableSummary:
    """The import's dry run; files of another school raise :class:`_AnotherSchool`."""
    uai = page.school.uai
    if kind == "timetable":
        timetable = await asyncio.to_thread(read_timetable, blobs)
        if timetable.uai != uai:
            raise _AnotherSchool(timetable.uai)
        return await import_timetable(
            timetable, page.actor, school_uai=uai, dry_run=True, force_year=force_year
        )
    export = await asyncio.to_thread(read_export, blobs)
    if export.uai != uai:
        raise _AnotherSchool(export.uai)
    return await import_siecle(
        export, page.actor, school_uai=uai, dry_run=True, force_year=force_year
    )


async def _another_school(page: Page, uai: str) -> web.Response:
    """Files of another school: say whose they are and where to take them."""
    error = page.gettext(
        "Ces fichiers sont ceux de l'établissement {uai}, pas de {school}."
    ).format(uai=uai, school=page.school.uai)
    member = any(school.uai == uai for school, _ in await schools_of(page.user))
    if member:
        step = (page.gettext("Les importer dans cet établissement"), f"/s/{uai}/imports")
    elif page.user.operator and not await school_exists(uai):
        step = (page.gettext("Créer cet établissement à partir de ses fichiers"), "/schools/new")
    else:
        step = (
            page.gettext("Demandez à l'exploitant de l'installation de vous y donner un rôle."),
            "",
        )
    context = _context(page, "upload", error=error, next_step=step)
    return page.render("imports.html", context, status=422)


async def show(request: web.Request) -> web.Response:
    """The preview with its Apply button, the progress, the final summary or the failure."""
    page = await school_page(request, Permission.IMPORT)
    jobs, job_id = request.app[JOBS], request.match_info["id"]
    meta = jobs.meta(job_id, page.school.uai)
    state = jobs.state(job_id)
    extra: dict[str, Any] = {"job_id": job_id, "files": meta.files, "kind": meta.kind}
    if state == "running":
        extra["job"] = jobs.running[job_id].as_json()
    elif state == "done":
        extra["summary"] = jobs.read(job_id, "result.json")
    else:
        extra["summary"] = jobs.read(job_id, "preview.json")
        if state == "failed":
            extra["error"] = _failure_words(page.words, jobs.read(job_id, "error.json"))
    return page.render("imports.html", _context(page, state, **extra))


async def apply(request: web.Request) -> web.StreamResponse:
    """Start the import and answer the progress page (no database needed after the start)."""
    page = await school_page(request, Permission.IMPORT)
    await require_csrf(page)
    jobs, job_id = request.app[JOBS], request.match_info["id"]
    meta = jobs.meta(job_id, page.school.uai)
    if jobs.state(job_id) == "done":
        raise web.HTTPSeeOther(f"/s/{page.school.uai}/imports/{job_id}")
    job = jobs.start(job_id, meta, page.actor, session.key_hash(request))
    extra = {"job_id": job_id, "files": meta.files, "job": job.as_json(), "kind": meta.kind}
    return page.render("imports.html", _context(page, "running", **extra))


async def progress(request: web.Request) -> web.Response:
    """``{state, step, label, percent, error}`` of an import; polled by the progress page."""
    jobs, job_id = request.app[JOBS], request.match_info["id"]
    job = _own_job(request, jobs, job_id)
    failure: dict[str, Any] | None
    if job is not None:
        body, failure = job.as_json(), job.failure
    else:
        page = await school_page(request, Permission.IMPORT)
        jobs.meta(job_id, page.school.uai)
        body, failure = _stored_progress(jobs, job_id), jobs.read(job_id, "error.json")
    said = words(language(request))
    body["label"] = label(said, "imports.step", body["step"])
    body["error"] = _failure_words(said, failure) if body["state"] == "failed" else ""
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _own_job(request: web.Request, jobs: ImportJobs, job_id: str) -> Job | None:
    """The running job, if the browser's session is the one that started it (read without the
    database: the key's hash is compared with the one kept by the job)."""
    job = jobs.running.get(job_id)
    if job is None or job.uai != request.match_info["uai"].upper():
        return None
    stamp = session.key_hash(request)
    if stamp is None or stamp != job.stamp:
        return None
    return job


def _failure_words(said: Words, data: dict[str, Any] | None) -> str:
    """What a failed import says to its reader, in their language."""
    failure = failure_of(data)
    return "" if failure is None else worded(said, failure, "imports.error")


def _stored_progress(jobs: ImportJobs, job_id: str) -> dict[str, Any]:
    job = jobs.running.get(job_id)
    if job is not None:
        return job.as_json()
    state = jobs.state(job_id)
    error = (jobs.read(job_id, "error.json") or {}).get("error", "") if state == "failed" else ""
    percent = 100 if state == "done" else 0
    return {"state": state, "step": state, "percent": percent, "error": error}
