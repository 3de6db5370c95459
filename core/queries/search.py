"""Searching a school's events for follow-up: by student, division, group, set, period, state.

Reads only. The criteria are a pydantic model so that a saved search is its JSON and the
panel, the CLI and the API parse them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.bounds import Day, Id, Offset, column_length
from core.errors import invalid_field
from core.models import Division, Event, Reason, School, Student, TeachingGroup
from core.queries.common import Page, chunks, local, name_starts, overlapping, zone
from core.queries.extras import event_extras
from core.queries.scope import ALL, Scope
from core.rules.counting import EventKind
from core.rules.visibility import ReasonShown, Visibility

MAX_LIMIT = 500
EXPORT_LIMIT = 20_000
ROW_RELATIONS = ("student__division", "reason__generic", "justification", "recorded_by")


class EventState(StrEnum):
    """State filters; several given must all hold."""

    TO_SETTLE = "to_settle"  # an absence whose written justification is still pending
    NOT_JUSTIFIED = "not_justified"  # not accepted, or not decided yet
    JUSTIFIED = "justified"


class SortKey(StrEnum):
    NEWEST = "-start"
    OLDEST = "start"
    STUDENT = "student"
    DIVISION = "division"


SORTS: dict[SortKey, tuple[str, ...]] = {
    SortKey.NEWEST: ("-starts_at", "-id"),
    SortKey.OLDEST: ("starts_at", "id"),
    SortKey.STUDENT: ("student__last_name", "student__first_name", "student_id", "starts_at"),
    SortKey.DIVISION: ("student__division__code", "student__last_name", "student_id", "starts_at"),
}

# The extra columns a user may add to the results (the seed's "items supplémentaires").
EXTRA_COLUMNS = (
    "reason",
    "justification",
    "recorded_by",
    "source",
    "comment",
    "accepted",
    "settled",
    "counts",
    "notices",
    "guardian_phone",
)


class SearchCriteria(BaseModel):
    """What to look for; every criterion given must hold. Dates are days in the school's zone."""

    model_config = ConfigDict(extra="forbid")

    student_id: Id | None = None
    student: str | None = Field(default=None, max_length=100, description="name prefix(es)")
    division: str | None = Field(
        default=None, max_length=column_length(Division, "code"), description="division code"
    )
    group: str | None = Field(
        default=None, max_length=column_length(TeachingGroup, "code"), description="group code"
    )
    division_set: Id | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    kinds: list[EventKind] = Field(default_factory=list, max_length=10)
    reasons: list[Annotated[str, Field(max_length=column_length(Reason, "code"))]] = Field(
        default_factory=list, max_length=200, description="local reason codes"
    )
    states: list[EventState] = Field(default_factory=list, max_length=20)
    sort: SortKey = SortKey.NEWEST
    limit: int = Field(default=50, ge=1, le=EXPORT_LIMIT)
    offset: Offset = 0

    @model_validator(mode="after")
    def _period(self) -> SearchCriteria:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise PydanticCustomError(
                "end_before_start", "the end of the period comes before its start"
            )
        return self

    def saved(self) -> dict[str, object]:
        """What a saved search keeps: the criteria without the page."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude={"limit", "offset"})


def parse_criteria(data: object) -> SearchCriteria:
    try:
        return SearchCriteria.model_validate(data)
    except ValidationError as error:
        raise invalid_field(error, "criteria") from None


@dataclass(frozen=True)
class EventRow:
    """One result, with everything the extra columns may show (times in the school's zone)."""

    id: int
    student_id: int
    student: str
    division: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    reason_code: str
    reason: str
    colour: str
    justification: str
    accepted: bool | None
    settled: bool
    counts: bool
    recorded_by: str
    source: str
    comment: str
    notices: int
    guardian_phone: str


def _who(school: School, criteria: SearchCriteria, found: QuerySet[Event]) -> QuerySet[Event]:
    if criteria.student_id is not None:
        found = found.filter(student_id=criteria.student_id)
    for word in (criteria.student or "").split():
        found = found.filter(name_starts(word, "student__"))
    if criteria.division:
        found = found.filter(student__division__code=criteria.division)
    if criteria.group:
        members = Student.filter(school=school, groups__code=criteria.group).values("id")
        found = found.filter(student_id__in=Subquery(members))
    if criteria.division_set is not None:
        members = Student.filter(
            school=school, division__division_sets__id=criteria.division_set
        ).values("id")
        found = found.filter(student_id__in=Subquery(members))
    return found


def _when(school: School, criteria: SearchCriteria, found: QuerySet[Event]) -> QuerySet[Event]:
    """Events overlapping the days asked."""
    return overlapping(found, criteria.date_from, criteria.date_to, zone(school))


def _what(criteria: SearchCriteria, found: QuerySet[Event], view: Visibility) -> QuerySet[Event]:
    if criteria.kinds:
        found = found.filter(kind__in=list(criteria.kinds))
    if criteria.reasons and view.reason == ReasonShown.LOCAL:
        found = found.filter(reason__code__in=criteria.reasons)
    elif criteria.reasons:  # a reader who sees only generic reasons filters on those
        found = found.filter(reason__generic__code__in=criteria.reasons)
    for state in set(criteria.states):
        if state is EventState.TO_SETTLE:
            found = found.filter(kind=EventKind.ABSENCE, settled=False)
        elif state is EventState.NOT_JUSTIFIED:
            found = found.filter(Q(accepted=False) | Q(accepted__isnull=True))
        else:
            found = found.filter(accepted=True)
    return found


def matching(school: School, criteria: SearchCriteria, scope: Scope = ALL) -> QuerySet[Event]:
    """The school's events (never those entered by mistake) about the reader's students
    that match ``criteria``."""
    found = scope.narrow(Event.filter(school=school, deleted=False))
    return _what(criteria, _when(school, criteria, _who(school, criteria, found)), scope.view)


async def search_events(
    school: School, criteria: SearchCriteria, *, scope: Scope = ALL
) -> Page[EventRow]:
    """A page of the events matching ``criteria``, sorted, with the data of every extra column.

    ``scope`` limits the students a reader may see (a teacher sees only their students).
    """
    found = matching(school, criteria, scope)
    total = await found.count()
    found_ids: list[Any] = await (
        found.order_by(*SORTS[criteria.sort])
        .offset(criteria.offset)
        .limit(criteria.limit)
        .values_list("id", flat=True)
    )
    ids = [int(i) for i in found_ids]
    by_id: dict[int, Event] = {}
    for part in chunks(ids):
        for event in await Event.filter(id__in=part).prefetch_related(*ROW_RELATIONS):
            by_id[event.id] = event
    ordered = [by_id[i] for i in ids]
    rows = await _rows(school, ordered, scope.view)
    return Page(rows, total, criteria.offset, criteria.limit)


async def _rows(school: School, events: list[Event], view: Visibility) -> list[EventRow]:
    tz = zone(school)
    notices, phones = await event_extras(events)
    return [_row(e, tz, notices.get(e.id, 0), phones.get(e.student_id, ""), view) for e in events]


def _row(e: Event, tz: ZoneInfo, notices: int, phone: str, view: Visibility) -> EventRow:
    """One result, as much of it as ``view`` shows (a teacher: no comment, no justification's
    type, the generic reason unless the school shows the local one)."""
    reason, own = e.reason, view.reason == ReasonShown.LOCAL
    return EventRow(
        id=e.id,
        student_id=e.student_id,
        student=e.student.display_name,
        division=e.student.division.code if e.student.division else "",
        kind=str(e.kind),
        starts_at=e.starts_at.astimezone(tz),
        ends_at=local(e.ends_at, tz),
        reason_code=view.reason_of(reason.code, reason.generic.code) if reason else "",
        reason=view.reason_of(reason.label, reason.generic.label) if reason else "",
        colour=reason.colour if reason and own else "",
        justification=view.justification(e.justification.label if e.justification else ""),
        accepted=e.accepted,
        settled=e.settled,
        counts=e.counts,
        recorded_by=_user_label(e),
        source=str(e.source),
        comment=view.comment(e.comment),
        notices=notices,
        guardian_phone=phone,
    )


def _user_label(event: Event) -> str:
    user = event.recorded_by
    return user.known_as if user else ""
