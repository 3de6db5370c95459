"""Letters to families: the day's list, one merged PDF for the printer, the printed/posted marks.

Only roles that read the whole school hold the letters' rights (a test of
:mod:`core.rules.visibility` keeps it so); the list still goes through the caller's scope.

The marks are :func:`core.services.delivery.letters.mark_letters` (all or nothing, audited,
idempotent);
the PDF comes through the app's :class:`core.services.ports.Mailroom`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from core.bounds import MAX_ID, WINDOW, Day, id_in_range
from core.models import DeliveryStatus, NoticeKind
from core.queries.letters import LetterRow, letters_of_day
from core.rules.permissions import Permission
from core.services.delivery.letters import MAX_SELECTION, mark_letters, print_batch
from core.services.schools.school import now_utc
from web.api.errors import ApiError
from web.api.registry import Call, Route
from web.api.schemas import PageQuery
from web.keys import MAILROOM

LETTERS = "/schools/{uai}/letters"
State = Literal["to_print", "printed", "posted"]
Mark = Literal["printed", "posted"]
HEADER_IDS = 500  # ids named in the X-Letters headers (a header must stay under 8 KB)


class Unavailable(ApiError):
    """This process was started without the letters' files (503)."""

    status = 503
    code = "unavailable"


def _day(call: Call, day: date | None) -> date:
    """The day asked, else today in the school's time zone."""
    return day or now_utc().astimezone(ZoneInfo(call.school.timezone)).date()


class LettersQuery(PageQuery):
    """The day of the letters (the day their PDF was made, in the school's time zone)."""

    day: Day | None = Field(default=None, description=f"YYYY-MM-DD ({WINDOW}); today by default")


class LetterOut(BaseModel):
    """One letter: who it goes to, where, and where it is between the printer and the post."""

    id: int = Field(description="the delivery's id")
    uuid: str
    notice_id: int
    student_id: int
    student: str
    guardian: str
    kind: NoticeKind
    address: list[str] = Field(description="the lines printed in the envelope's window")
    household: str = Field(
        description="the same for letters to one postal address: they print as one letter, "
        "in one envelope (empty: no address)"
    )
    status: DeliveryStatus = Field(description="sent (PDF made) or delivered (posted)")
    state: State
    sent_at: datetime | None = Field(description="when the PDF was made")
    printed_at: datetime | None
    posted_at: datetime | None

    @classmethod
    def of(cls, row: LetterRow) -> LetterOut:
        return cls(
            id=row.id,
            uuid=row.uuid,
            notice_id=row.notice_id,
            student_id=row.student_id,
            student=row.student,
            guardian=row.guardian,
            kind=NoticeKind(row.kind),
            address=list(row.address),
            household=row.household,
            status=DeliveryStatus(row.status),
            state=row.state,  # type: ignore[arg-type]  # one of STATES
            sent_at=row.sent_at,
            printed_at=row.printed_at,
            posted_at=row.posted_at,
        )


class LetterPage(BaseModel):
    """A page of the day's letters, in print order."""

    day: date
    items: list[LetterOut]
    total: int = Field(description="how many letters that day, over all pages")


class LettersPdfQuery(BaseModel):
    """Which letters to merge: the chosen deliveries, else the day's letters not yet printed."""

    model_config = ConfigDict(extra="forbid")

    day: Day | None = Field(default=None, description=f"YYYY-MM-DD ({WINDOW}); today by default")
    deliveries: str | None = Field(
        default=None,
        max_length=MAX_SELECTION * 11,
        pattern=r"^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9})*$",
        description="comma-separated delivery ids (letters of this school)",
    )

    @field_validator("deliveries")
    @classmethod
    def _ids_in_range(cls, value: str | None) -> str | None:
        if value is not None and not all(id_in_range(int(i)) for i in value.split(",")):
            raise ValueError(f"delivery ids lie between 1 and {MAX_ID}")
        return value


class LetterMarks(BaseModel):
    """Mark letters printed, or posted (which delivers them)."""

    model_config = ConfigDict(extra="forbid")

    deliveries: list[Annotated[StrictInt, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=MAX_SELECTION, description="delivery ids of letters"
    )
    mark: Mark


class MarksOut(BaseModel):
    """What the mark changed; marking again what was marked changes nothing."""

    mark: Mark
    changed: list[int]
    unchanged: list[int] = Field(description="already marked: left as they were")
    message: str


async def list_letters(call: Call) -> LetterPage:
    """The day's letters, in print order, with their state."""
    query = call.query_as(LettersQuery)
    day = _day(call, query.day)
    scope = await call.scope()
    rows = [row for row in await letters_of_day(call.school, day) if scope.allows(row.student_id)]
    window = rows[query.offset : query.offset + query.limit]
    return LetterPage(day=day, items=[LetterOut.of(row) for row in window], total=len(rows))


async def letters_pdf(call: Call) -> web.StreamResponse:
    """The chosen letters (or the day's not yet printed) merged into one PDF."""
    query = call.query_as(LettersPdfQuery)
    mailroom = call.request.config_dict.get(MAILROOM)
    if mailroom is None:
        raise Unavailable("the letters' files are not reachable from this process")
    day = _day(call, query.day)
    ids = [int(i) for i in query.deliveries.split(",")] if query.deliveries else None
    batch = await print_batch(
        call.school, mailroom.letters, mailroom.render, day=day, delivery_ids=ids
    )
    name = f"letters-{call.school.uai}-{day.isoformat()}.pdf"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Letters-Count": str(len(batch.letters)),
        "X-Letters-Envelopes": str(batch.envelopes),
        "X-Letters": ",".join(str(letter.id) for letter in batch.letters[:HEADER_IDS]),
        "X-Letters-Regenerated": ",".join(str(i) for i in batch.regenerated[:HEADER_IDS]),
    }
    return web.Response(body=batch.pdf, content_type="application/pdf", headers=headers)


async def mark_letters_route(call: Call) -> MarksOut:
    """Mark letters printed or posted: all or nothing, audited, idempotent."""
    body = call.body_as(LetterMarks)
    marked = await mark_letters(call.school, call.actor, body.deliveries, body.mark, now=now_utc())
    if marked.changed:
        message = f"{len(marked.changed)} letter(s) marked {marked.mark}"
        if marked.unchanged:
            message += f"; {len(marked.unchanged)} already were"
    else:
        message = f"nothing changed: every letter was already marked {marked.mark}"
    return MarksOut(
        mark=body.mark,
        changed=list(marked.changed),
        unchanged=list(marked.unchanged),
        message=message,
    )


ROUTES = [
    Route(
        "GET",
        LETTERS,
        list_letters,
        summary="List the day's letters to families",
        permission=Permission.LETTERS,
        response=LetterPage,
        query=LettersQuery,
        tag="letters",
        description="The letters whose PDF was made that day (school's time zone), in the order "
        "the merged PDF follows, each with its state: to_print, printed, posted.",
    ),
    Route(
        "GET",
        LETTERS + ".pdf",
        letters_pdf,
        summary="The day's letters as one PDF to print",
        permission=Permission.LETTERS,
        response=None,
        query=LettersPdfQuery,
        produces="application/pdf",
        tag="letters",
        description="The chosen letters (`deliveries`), else every letter of `day` not yet "
        "printed, merged in print order; `X-Letters-Count` says how many, `X-Letters` names them "
        "(the first 500). A stored PDF that went missing is made again (its id is in the "
        "`X-Letters-Regenerated` header); one that cannot be made again is a 409 "
        "naming it. 404 when nothing is left to print. Marks nothing.",
    ),
    Route(
        "POST",
        LETTERS + "/marks",
        mark_letters_route,
        summary="Mark letters printed or posted",
        permission=Permission.POST_LETTERS,
        response=MarksOut,
        body=LetterMarks,
        tag="letters",
        description="`posted` delivers the letter (sent → delivered, by staff) and marks it "
        "printed if it was not. All or nothing: an id of another school is a 404, a delivery "
        "that is not a letter a 422, a letter whose PDF was never made a 409 — and nothing "
        "changes. Marking again changes nothing (`unchanged`).",
    ),
]
