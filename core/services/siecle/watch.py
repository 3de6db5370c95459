"""The watched folder: SIECLE exports that schools drop on a share, imported when they change.

Layout: ``<root>/<UAI>/`` holds a school's latest export (its XML files, or the zip SIECLE hands
out). A scan imports a folder whose files differ from the ones last seen (a SHA-256 of their
names and contents) once they have not been touched for ``settle`` seconds (a copy in progress
would be half a file). The outcome is written to ``<root>/<UAI>/.imported`` (JSON: the hash,
imported or refused, when, the counts or the reason), so a refused set is logged and audited
once, then skipped until its files change. Nothing is moved or deleted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from core.errors import DomainError
from core.services.audit import Actor
from core.services.refused_imports import record_refused_import
from core.services.siecle.importer import import_siecle
from core.settings import Settings
from core.siecle.files import Limits, load_export
from core.siecle.summary import ImportSummary
from core.siecle.xmlsafe import UAI

log = logging.getLogger("absences.siecle.watch")
MARKER = ".imported"
WATCH_ACTOR = Actor.system("siecle watch")
SUFFIXES = (".xml", ".zip")
Outcome = Literal["imported", "unchanged", "refused", "waiting", "empty", "failed"]


@dataclass(frozen=True, slots=True)
class WatchResult:
    """What a scan did with one school's folder."""

    uai: str
    outcome: Outcome
    message: str = ""
    summary: ImportSummary | None = None


@dataclass(slots=True)
class Watcher:
    """Scans ``root``; remembers the hashes it saw, should the markers not be writable."""

    root: Path
    actor: Actor = WATCH_ACTOR
    settle: float = 60.0
    force_year: bool = False
    seen: dict[str, str] = field(default_factory=dict)

    async def scan(self, *, today: date | None = None) -> list[WatchResult]:
        """Look at every ``<UAI>`` folder once; import those whose files changed."""
        if not self.root.is_dir():
            raise DomainError(
                f"{self.root}: the SIECLE watch folder does not exist", code="watch_folder"
            )
        folders = sorted(p for p in self.root.iterdir() if p.is_dir() and UAI.match(p.name.upper()))
        return [await self.scan_school(folder, today=today) for folder in folders]

    async def scan_school(self, folder: Path, *, today: date | None = None) -> WatchResult:
        """Import one school's folder if its files are new, complete and settled."""
        uai = folder.name.upper()
        files = export_files(folder)
        if not files:
            return WatchResult(uai, "empty")
        age = time.time() - max(f.stat().st_mtime for f in files)
        if age < self.settle:
            return WatchResult(uai, "waiting", f"files changed {age:.0f} s ago")
        digest = await asyncio.to_thread(content_hash, files)
        if digest in (self.seen.get(uai), read_marker(folder).get("hash")):
            self.seen[uai] = digest
            return WatchResult(uai, "unchanged")
        result = await self._import(uai, files, today)
        if result.outcome != "failed":  # a database outage is tried again next time
            self.seen[uai] = digest
            detail: dict[str, object] = {"error": result.message}
            if result.summary is not None:
                detail = result.summary.counts_json()
            write_marker(folder, digest, result.outcome, detail)
        return result

    async def _import(self, uai: str, files: list[Path], today: date | None) -> WatchResult:
        names = ", ".join(f.name for f in files)
        try:
            export = await asyncio.to_thread(load_export, files, limits=Limits())
            summary = await import_siecle(
                export, self.actor, school_uai=uai, force_year=self.force_year, today=today
            )
        except DomainError as error:
            log.warning("SIECLE watch: %s refused: %s", uai, error.message)
            await record_refused_import(
                self.actor, "siecle", uai, source="watch", reason=error.message, files=names
            )
            return WatchResult(uai, "refused", error.message)
        except Exception as error:  # the database or the disk: logged, tried next scan
            log.exception("SIECLE watch: the import of %s failed", uai)
            return WatchResult(uai, "failed", f"{type(error).__name__}: {error}")
        log.info("SIECLE watch: %s imported from %s (%d changes)", uai, names, summary.changes)
        return WatchResult(uai, "imported", f"{summary.changes} changes", summary)


async def watch_forever(root: Path, interval: float, *, actor: Actor = WATCH_ACTOR) -> None:
    """Scan ``root`` every ``interval`` seconds until cancelled; a failed scan is logged."""
    watcher = Watcher(root, actor)
    log.info("SIECLE watch: %s every %s s", root, interval)
    while True:
        try:
            await watcher.scan()
        except DomainError as error:
            log.warning("SIECLE watch: %s", error.message)
        except Exception:  # never let one bad scan end the loop
            log.exception("SIECLE watch: the scan failed")
        await asyncio.sleep(interval)


def export_files(folder: Path) -> list[Path]:
    """The folder's XML files and zips (hidden files, such as the marker, excluded)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES
    )


def content_hash(files: list[Path]) -> str:
    """SHA-256 of the files' names and contents (a file over the limits: its size and date)."""
    limit = Limits().max_zip_total
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0".encode())
        if stat.st_size > limit:
            digest.update(str(stat.st_mtime_ns).encode())
            continue
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    return digest.hexdigest()


def read_marker(folder: Path) -> dict[str, object]:
    """The folder's marker, or {} when it is missing or unreadable."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_marker(folder: Path, digest: str, outcome: str, detail: dict[str, object]) -> None:
    """Record the outcome next to the files (atomically); a read-only share is only logged."""
    marker = {
        "hash": digest,
        "outcome": outcome,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **detail,
    }
    temporary = folder / f"{MARKER}.tmp"
    try:
        temporary.write_text(json.dumps(marker, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, folder / MARKER)
    except OSError as error:
        log.warning("SIECLE watch: cannot write %s: %s", folder / MARKER, error)


def start_watch(settings: Settings) -> asyncio.Task[None] | None:
    """The watched folder's loop for ``absences serve``, when ABSENCES_SIECLE_WATCH_DIR is set."""
    if settings.siecle_watch_dir is None:
        return None
    loop = watch_forever(settings.siecle_watch_dir, settings.siecle_watch_interval)
    return asyncio.create_task(loop, name="siecle-watch")
