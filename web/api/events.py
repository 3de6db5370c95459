"""Events (absences, lateness…): record, list, correct, mark as entered by mistake."""

from __future__ import annotations

from core.models import EventSource
from core.rules.counting import EventKind
from core.rules.permissions import Permission
from core.services.events.record import (
    EventPatch,
    correct_event,
    delete_event,
    parse_patch,
    record_event,
)
from core.services.notices.absence import scheduled_deliveries
from web.api import queries
from web.api.registry import Call, Route
from web.api.schemas import EventOut, EventPage, EventQuery, NewEvent
from web.keys import QUEUE
from workers.queue import enqueue_deliveries

EVENTS = "/schools/{uai}/events"
EVENT = EVENTS + "/{id}"


async def _shown(call: Call, event_id: int) -> EventOut:
    """The event as the caller may see it; one about a student out of their scope is a 404."""
    scope = await call.scope()
    event = await queries.event_detail(call.school, event_id, scope)
    return EventOut.of(event, queries.school_zone(call.school), scope.view)


async def _enqueue_notices(call: Call, event_id: int) -> None:
    """Once the event's transaction has committed: a job per scheduled delivery of its notices,
    deferred to its ``not_before`` (Redis down: logged, the sweep sends them later)."""
    due = await scheduled_deliveries(event_id)
    if due:
        jobs = [(d.delivery_id, d.not_before) for d in due]
        await enqueue_deliveries(call.request.config_dict[QUEUE], jobs)


async def list_events(call: Call) -> EventPage:
    """A page of events overlapping the days asked, by start."""
    scope = await call.scope()
    events, total = await queries.event_page(call.school, call.query_as(EventQuery), scope)
    tz = queries.school_zone(call.school)
    return EventPage(items=[EventOut.of(e, tz, scope.view) for e in events], total=total)


async def create_event(call: Call) -> EventOut:
    """Record an absence or a lateness (source ``api``, from the caller's address)."""
    new = call.body_as(NewEvent)
    (await call.scope()).check(new.student_id)
    event = await record_event(
        call.school,
        call.actor,
        student_id=new.student_id,
        kind=EventKind(new.kind),
        start=new.start,
        end=new.end,
        reason=new.reason,
        comment=new.comment,
        source=EventSource.API,
        recorded_from=call.request.remote or "",
    )
    await _enqueue_notices(call, event.id)
    return await _shown(call, event.id)


async def get_event(call: Call) -> EventOut:
    """One event of the school."""
    return await _shown(call, call.path_id())


async def patch_event(call: Call) -> EventOut:
    """Correct an event: times, reason, justification, states, comment."""
    await _shown(call, call.path_id())  # out of the caller's scope: not found
    event = await correct_event(call.school, call.actor, call.path_id(), call.body_as(EventPatch))
    await _enqueue_notices(call, event.id)
    return await _shown(call, event.id)


async def remove_event(call: Call) -> EventOut:
    """Mark an event as entered by mistake: kept in history, out of every count and notice."""
    await _shown(call, call.path_id())  # out of the caller's scope: not found
    event = await delete_event(call.school, call.actor, call.path_id())
    return await _shown(call, event.id)


_WRITE = Permission.WRITE_EVENTS

ROUTES = [
    Route(
        "GET",
        EVENTS,
        list_events,
        summary="List events",
        permission=Permission.READ,
        response=EventPage,
        query=EventQuery,
        tag="events",
        description="Events overlapping the days `from`–`to` (in the school's time zone); "
        "those entered by mistake only with `deleted=true`.",
    ),
    Route(
        "POST",
        EVENTS,
        create_event,
        summary="Record an absence or a lateness",
        permission=_WRITE,
        response=EventOut,
        status=201,
        body=NewEvent,
        tag="events",
        description="Overlapping an event of the same kind for the student is a conflict (409).",
    ),
    Route(
        "GET",
        EVENT,
        get_event,
        summary="Get one event",
        permission=Permission.READ,
        response=EventOut,
        tag="events",
    ),
    Route(
        "PATCH",
        EVENT,
        patch_event,
        summary="Correct an event",
        permission=_WRITE,
        response=EventOut,
        body=EventPatch,
        parse_body=parse_patch,
        tag="events",
        description="Only the fields given change; `reason` and `justification` are codes. "
        "Give `version` to refuse the change if the event moved on meanwhile (409).",
    ),
    Route(
        "DELETE",
        EVENT,
        remove_event,
        summary="Mark an event as entered by mistake",
        permission=_WRITE,
        response=EventOut,
        tag="events",
        description="The event is kept in history with `deleted: true`.",
    ),
]
