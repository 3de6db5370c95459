"""The panel's SIECLE imports between the preview and the end: files kept, a background task.

An upload is kept under ``var/imports/<id>/`` (``files/``, ``meta.json``, ``preview.json``)
until the admin applies it; applying starts :func:`ImportJobs.start`, a task of the server's
event loop that reports its progress in memory, writes ``result.json`` (or ``error.json``)
and then deletes the uploaded files. Folders older than ``KEEP`` are pruned at each upload.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.files import private_dir, write_private
from core.services.audit import Actor
from core.services.refused_imports import ImportKind, record_refused_import
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle import ImportSummary, read_export
from core.timetable import read_timetable
from core.timetable.summary import TimetableSummary

log = logging.getLogger("absences.panel.imports")
JOB_ID = re.compile(r"^[0-9a-f]{16}$")
KEEP = 2 * 24 * 3600
INTERNAL = "internal error; it has been logged"


@dataclass(slots=True)
class Job:
    """One applied import, as the progress endpoint reports it."""

    id: str
    uai: str
    actor: Actor  # who applied it
    stamp: object  # the hash of their session's key
    state: str = "running"  # running, done, failed
    step: str = "reading"
    fraction: float = 0.0
    error: str = ""
    failure: dict[str, Any] = field(default_factory=dict)  # code and params of the error
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def progress(self, step: str, fraction: float) -> None:
        self.step, self.fraction = step, max(self.fraction, min(fraction, 1.0))

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "step": self.step,
            "percent": round(self.fraction * 100),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Meta:
    """What was uploaded, by whom, for which school."""

    uai: str
    user_id: int
    force_year: bool
    files: list[str]
    kind: str = "siecle"  # or "timetable"


class ImportJobs:
    """The uploads on disk and the imports running in this process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.running: dict[str, Job] = {}

    def folder(self, job_id: str) -> Path:
        if not JOB_ID.match(job_id):
            raise web.HTTPNotFound(text="no such import")
        return self.root / job_id

    def keep(
        self,
        meta: Meta,
        blobs: list[tuple[str, bytes]],
        preview: ImportSummary | TimetableSummary,
    ) -> str:
        """Store an upload and its preview; returns its id."""
        self.prune()
        job_id = secrets.token_hex(8)
        files = private_dir(self.root / job_id / "files")
        for number, (_, data) in enumerate(blobs):
            write_private(files / f"{number:03d}", data)
        self._write(job_id, "meta.json", asdict(meta))
        self._write(job_id, "preview.json", preview.to_json())
        return job_id

    def meta(self, job_id: str, uai: str) -> Meta:
        """The upload's description; another school's upload is not found."""
        data = self.read(job_id, "meta.json")
        if data is None or data.get("uai") != uai:
            raise web.HTTPNotFound(text="no such import")
        return Meta(**data)

    def read(self, job_id: str, name: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder(job_id) / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def state(self, job_id: str) -> str:
        """``running``, ``done``, ``failed``, or ``preview`` (uploaded, not applied)."""
        job = self.running.get(job_id)
        if job is not None and job.state == "running":
            return "running"
        if (self.folder(job_id) / "result.json").exists():
            return "done"
        if (self.folder(job_id) / "error.json").exists():
            return "failed"
        return "preview"

    def start(self, job_id: str, meta: Meta, actor: Actor, stamp: object) -> Job:
        """Apply the upload in the background (once: a second call returns the same job)."""
        job = self.running.get(job_id)
        if job is not None and job.state != "failed":
            return job
        (self.folder(job_id) / "error.json").unlink(missing_ok=True)
        job = Job(job_id, meta.uai, actor, stamp)
        job.task = asyncio.create_task(self._run(job, meta), name=f"siecle-import-{job_id}")
        self.running[job_id] = job
        return job

    async def _run(self, job: Job, meta: Meta) -> None:
        try:
            blobs = self._blobs(job.id, meta)
            summary: ImportSummary | TimetableSummary
            if meta.kind == "timetable":
                timetable = await asyncio.to_thread(read_timetable, blobs)
                summary = await import_timetable(
                    timetable, job.actor, school_uai=meta.uai, force_year=meta.force_year
                )
            else:
                export = await asyncio.to_thread(read_export, blobs)
                summary = await import_siecle(
                    export,
                    job.actor,
                    school_uai=meta.uai,
                    force_year=meta.force_year,
                    progress=job.progress,
                )
        except DomainError as error:
            self._fail(job, error.message, error.code, error.params)
            await _audit_failure(job, meta, error.message)
        except Exception:  # a bug or an outage: logged, the admin sees a plain line
            log.exception("the %s import %s of %s failed", meta.kind, job.id, meta.uai)
            self._fail(job, INTERNAL, "import_internal", {})
            await _audit_failure(job, meta, INTERNAL)
        else:
            self._write(job.id, "result.json", summary.to_json())
            shutil.rmtree(self.folder(job.id) / "files", ignore_errors=True)
            job.state, job.step, job.fraction = "done", "done", 1.0

    def _fail(self, job: Job, message: str, code: str, params: dict[str, object]) -> None:
        """The job failed: its English line for the logs, its code and values for the page
        (worded in the reader's language when shown: :func:`failure_of`)."""
        job.state, job.error = "failed", message
        job.failure = {"error": message, "code": code, "params": _plain(params)}
        self._write(job.id, "error.json", job.failure)

    def _blobs(self, job_id: str, meta: Meta) -> list[tuple[str, bytes]]:
        files = self.folder(job_id) / "files"
        return [
            (name, (files / f"{number:03d}").read_bytes()) for number, name in enumerate(meta.files)
        ]

    def _write(self, job_id: str, name: str, data: dict[str, Any]) -> None:
        write_private(self.folder(job_id) / name, json.dumps(data, ensure_ascii=False).encode())

    def prune(self) -> None:
        """Forget uploads older than KEEP (their personal data with them)."""
        if not self.root.is_dir():
            return
        limit = time.time() - KEEP
        for folder in self.root.iterdir():
            old = JOB_ID.match(folder.name) and folder.stat().st_mtime < limit
            if old and folder.name not in self.running:
                shutil.rmtree(folder, ignore_errors=True)

    async def close(self) -> None:
        """Stop the imports still running (each rolls back: nothing half-written)."""
        tasks = [job.task for job in self.running.values() if job.task and not job.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _audit_failure(job: Job, meta: Meta, reason: str) -> None:
    """The failure in the audit log (the monitoring counts it); an outage there is only logged."""
    kind: ImportKind = "timetable" if meta.kind == "timetable" else "siecle"
    try:
        await record_refused_import(
            job.actor, kind, meta.uai, source="panel", reason=reason, files=", ".join(meta.files)
        )
    except Exception:
        log.exception("the failure of the %s import %s could not be audited", meta.kind, job.id)


def _plain(params: dict[str, object]) -> dict[str, object]:
    """Values a JSON file keeps as they are (others as their text)."""
    return {k: v if isinstance(v, (str, int, float, bool)) else str(v) for k, v in params.items()}


def failure_of(data: dict[str, Any] | None) -> DomainError | None:
    """The error a failed job kept, to be worded for its reader (None: no failure)."""
    if not data or not data.get("error"):
        return None
    found = data.get("params")
    params: dict[str, Any] = found if isinstance(found, dict) else {}
    code = str(data.get("code") or "siecle")
    return DomainError(str(data["error"]), code=code, **params)


JOBS = web.AppKey("siecle_import_jobs", ImportJobs)
