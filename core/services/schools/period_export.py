"""SIECLE's absences file of one reporting period, for the report cards: made from the
period's counts (:func:`core.queries.period_counts.period_counts`) and written by
:func:`core.rules.siecle_absences.absences_xml`; every export leaves an audit row (who took
the figures of which period, and how many students they hold).

Students without an ELENOET (SIECLE's number, which the file is keyed on) cannot be in the
file: they are left out and counted in :attr:`SiecleAbsences.skipped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import NotFound
from core.models import Period, School
from core.queries.period_counts import period_counts
from core.queries.periods import school_period
from core.rules.siecle_absences import AbsenceLine, absences_xml
from core.services import audit
from core.services.audit import Actor


@dataclass(frozen=True, slots=True)
class SiecleAbsences:
    """The file and what it holds: its students, those left out without an ELENOET."""

    period: Period
    xml: bytes
    students: int
    skipped: int

    @property
    def file_name(self) -> str:
        return f"absences-siecle-{self.period.starts_on:%Y%m%d}-{self.period.ends_on:%Y%m%d}.xml"


async def export_siecle_absences(
    school: School, period_id: int, actor: Actor, *, now: datetime
) -> SiecleAbsences:
    """The absences file of the school's period ``period_id`` (:class:`NotFound` when it is
    not one of the school's), counted as of ``now``; audited."""
    period = await school_period(school, period_id)
    if period is None:
        raise NotFound(f"no period {period_id} in {school.uai}", code="period_unknown")
    counts = await period_counts(school, period.starts_on, period.ends_on, now=now)
    lines = [
        AbsenceLine(c.elenoet, c.absent, c.unjustified, c.lateness)
        for c in counts
        if c.elenoet is not None
    ]
    done = SiecleAbsences(period, absences_xml(lines), len(lines), len(counts) - len(lines))
    await audit.record(
        actor,
        "period.export_siecle",
        period,
        school_id=school.id,
        after={
            "name": period.name,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "students": done.students,
            "skipped": done.skipped,
        },
    )
    return done
