"""The monthly absenteeism indicator (DEPP) of a school."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from core.rules.permissions import Permission
from core.services.stats.absenteeism import (
    academy_month,
    parse_as_of,
    parse_month,
    school_month,
)
from web.api.registry import Call, Route

ABSENTEEISM = "/schools/{uai}/stats/absenteeism"
ACADEMY = "/stats/absenteeism"


class MonthQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(max_length=7, description="YYYY-MM")


class AbsenteeismQuery(MonthQuery):
    as_of: str | None = Field(
        default=None,
        max_length=40,
        description="the figure as it stood then: YYYY-MM-DD (the end of that day, the "
        "school's time) or a date and time with its offset",
    )


class Rate(BaseModel):
    enrolled: int = Field(description="students with a division on one of the month's days")
    over_threshold: int = Field(description="of whom with 4 or more unjustified half-days")
    rate: float = Field(description="over_threshold / enrolled, 0 to 1")


class LevelRate(Rate):
    label: str | None = Field(default=None, description="the MEF's label")


class Absenteeism(Rate):
    month: str
    as_of: str | None = None
    by_level: dict[str, LevelRate] = Field(description="by MEF code")
    by_division: dict[str, Rate] = Field(
        description="by division code (a student who changed division is counted in the last one)"
    )


class AcademyQuery(MonthQuery):
    above: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="list the schools at or above this rate (default: the top decile)",
    )


class SchoolRate(Rate):
    uai: str
    name: str


class AcademyAbsenteeism(BaseModel):
    month: str
    schools: list[SchoolRate] = Field(description="every school the token may see, by UAI")
    median: float | None = Field(description="the schools' median rate (null: no school)")
    top_decile: float | None = Field(description="the rate the top 10 % of schools reach")
    above: float | None = Field(description="the rate asked for, else the top decile")
    schools_above: list[str] = Field(description="the UAIs of the schools at or above it")


async def academy_absenteeism(call: Call) -> AcademyAbsenteeism:
    query = call.query_as(AcademyQuery)
    found = await academy_month(call.schools, parse_month(query.month), above=query.above)
    return AcademyAbsenteeism.model_validate(found.as_json())


async def absenteeism(call: Call) -> Absenteeism:
    query = call.query_as(AbsenteeismQuery)
    month = parse_month(query.month)
    as_of = parse_as_of(query.as_of, ZoneInfo(call.school.timezone))
    found = await school_month(call.school, month, as_of=as_of)
    return Absenteeism.model_validate(
        {**found.as_json(), "as_of": as_of.isoformat() if as_of else None}
    )


ROUTES = [
    Route(
        "GET",
        ABSENTEEISM,
        absenteeism,
        summary="The monthly absenteeism indicator (DEPP)",
        permission=Permission.STATISTICS,
        response=Absenteeism,
        query=AbsenteeismQuery,
        tag="statistics",
        description="Students enrolled during the month with 4 or more unjustified half-days "
        "in the month (counted in the school's mode, wherever they were entered), over the "
        "students enrolled; by level and division. `as_of` gives the figure as it stood then "
        "(an absence justified later still counts).",
    ),
    Route(
        "GET",
        ACADEMY,
        academy_absenteeism,
        summary="The monthly absenteeism indicator of every school the token may see",
        permission=Permission.STATISTICS,
        response=AcademyAbsenteeism,
        query=AcademyQuery,
        tag="statistics",
        description="For a user with the statistics right in several schools (or an operator "
        "of the install: every school): each school's indicator of the month, the median, "
        "the top decile and the schools at or above a rate.",
    ),
]
