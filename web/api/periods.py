"""The school's reporting periods (trimestres, semestres: set in the panel's settings), and the
absences file of one period for SIECLE's report cards."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, Field

from core.queries.periods import year_periods
from core.rules.permissions import Permission
from core.services.schools.period_export import export_siecle_absences
from core.services.schools.school import now_utc
from web.api.registry import Call, Route

PERIODS = "/schools/{uai}/periods"


class PeriodOut(BaseModel):
    """A reporting period: its first and last day, both included."""

    id: int
    name: str
    start: date
    end: date


class PeriodList(BaseModel):
    items: list[PeriodOut] = Field(description="the current school year's periods, in order")
    total: int


async def list_periods(call: Call) -> PeriodList:
    today = now_utc().astimezone(ZoneInfo(call.school.timezone)).date()
    found = (await year_periods(call.school, today)).periods
    items = [PeriodOut(id=p.id, name=p.name, start=p.starts_on, end=p.ends_on) for p in found]
    return PeriodList(items=items, total=len(items))


async def siecle_absences(call: Call) -> web.StreamResponse:
    """The absences file of one period, as SIECLE imports it (audited)."""
    done = await export_siecle_absences(call.school, call.path_id(), call.actor, now=now_utc())
    headers = {
        "Content-Disposition": f'attachment; filename="{done.file_name}"',
        "X-Students": str(done.students),
        "X-Students-Skipped": str(done.skipped),
    }
    response = web.Response(body=done.xml, content_type="application/xml", headers=headers)
    response.charset = "iso-8859-1"
    return response


ROUTES = [
    Route(
        "GET",
        PERIODS,
        list_periods,
        summary="List the reporting periods of the school year",
        permission=Permission.READ,
        response=PeriodList,
        tag="periods",
        description="The trimesters, semesters or periods the school set for its current year, "
        "in order; `start` and `end` are days, both included.",
    ),
    Route(
        "GET",
        PERIODS + "/{id}/siecle-absences",
        siecle_absences,
        summary="The absences of a period for SIECLE's report cards",
        permission=Permission.STATISTICS,
        response=None,
        produces="application/xml",
        tag="periods",
        description="`<exportAbsence><eleve elenoet nbAbs nbNonJustif nbRet/></exportAbsence>` "
        "in ISO-8859-1: per student who had a division during the period, half-days absent "
        "(the school's counting mode, justified or not), of which unjustified (undecided "
        "included), and lateness; whole numbers (a proportional count is rounded to the "
        "nearest half-day). Students without an ELENOET are left out: `X-Students-Skipped` "
        "counts them. Each call is recorded in the audit log. 404 for a period of another "
        "school.",
    ),
]
