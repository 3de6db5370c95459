"""Actions taken about a student (call, meeting, letter, commission éducative, DASEN report)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from core.errors import Invalid
from core.models import Action, ActionType, School
from core.queries.records import school_event, school_student
from core.services import audit
from core.services.audit import Actor
from core.services.schools.defaults import ACTION_TYPES
from core.services.schools.lists import ensure_listed

MAX_COMMENT = 4000


async def default_action_type(school: School, code: str, actor: Actor) -> ActionType:
    """The school's row of the default type ``code`` (``defaults.ACTION_TYPES``), added
    (audited) to a school created before that default existed, as the new schools get it; a
    row the school turned off is returned as it is (inactive)."""
    label = dict(ACTION_TYPES)[code]
    return await ensure_listed(ActionType, school, code, {"label": label}, actor)


async def _action_type(school: School, code: str, actor: Actor) -> ActionType:
    """The school's active type ``code`` (a default one added first if missing)."""
    if code in dict(ACTION_TYPES):
        found: ActionType | None = await default_action_type(school, code, actor)
        kind = found if found is not None and found.active else None
    else:
        kind = await ActionType.get_or_none(school=school, code=code, active=True)
    if kind is None:
        raise Invalid(
            f"unknown action type {code!r} for school {school.uai}", code="action_unknown"
        )
    return kind


async def _check_event(school: School, event_id: int, student_id: int) -> None:
    event = await school_event(school, event_id)
    if event.student_id != student_id:
        raise Invalid(f"event {event_id} is not one of this student's", code="action_event")


async def record_action(
    school: School,
    actor: Actor,
    student_id: int,
    type_code: str,
    at: datetime,
    comment: str = "",
    event_id: int | None = None,
) -> Action:
    """Record an action of the school's type ``type_code`` about one of its students.

    ``at`` is when it was done (aware). An ``event_id`` must be an event of that student.
    Raises NotFound for another school's student or event, Invalid for a bad type or time.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid("the time of an action must carry its time zone", code="time_zone_offset")
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            f"the comment has at most {MAX_COMMENT} characters",
            code="comment_too_long",
            most=MAX_COMMENT,
        )
    student = await school_student(school, student_id)
    kind = await _action_type(school, type_code, actor)
    if event_id is not None:
        await _check_event(school, event_id, student.id)
    async with in_transaction():
        action = await Action.create(
            school=school,
            student=student,
            type=kind,
            event_id=event_id,
            done_by_id=actor.user_id,
            done_at=at.astimezone(UTC),
            comment=comment.strip(),
        )
        await audit.record(
            actor, "action.record", action, school_id=school.id, after=audit.snapshot(action)
        )
    return action
