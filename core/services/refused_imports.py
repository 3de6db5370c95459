"""An import refused or failed, written to the audit log: the watched folder's refusals and the
panel's failed jobs, for the school's history and the install's monitoring
(``core.queries.monitoring`` counts them)."""

from __future__ import annotations

from typing import Literal

from core.models import School
from core.services.audit import Actor, record

ImportKind = Literal["siecle", "timetable"]


async def record_refused_import(
    actor: Actor, kind: ImportKind, uai: str, *, source: str, reason: str, files: str = ""
) -> None:
    """Audit ``<kind>.refused`` on the school ``uai`` (it may not exist yet: a first import)."""
    school = await School.get_or_none(uai=uai)
    after: dict[str, object] = {"files": files, "error": reason, "source": source}
    await record(
        actor,
        f"{kind}.refused",
        "school",
        school_id=school.id if school else None,
        entity_id=uai,
        after=after,
    )
