"""Recording the actions taken with a family: checked against the school, audited."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.errors import Invalid, NotFound
from core.models import Action, AuditEntry, School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.actions import record_action
from core.services.events.record import record_event
from tests.core.services.conftest import MONDAY

AT = datetime(2026, 3, 2, 10, 30).astimezone()


async def test_an_action_is_recorded_with_who_and_when_and_audited(
    school_a: School, pupil: Student, cpe_actor: Actor
) -> None:
    action = await record_action(
        school_a, cpe_actor, pupil.id, "ENTRETIEN", AT, " Reçus tous deux "
    )
    stored = await Action.get(id=action.id).prefetch_related("type")
    assert stored.type.code == "ENTRETIEN" and stored.comment == "Reçus tous deux"
    assert stored.done_by_id == cpe_actor.user_id and stored.done_at == AT
    entry = await AuditEntry.get(action="action.record")
    assert entry.entity == "action" and entry.entity_id == str(action.id)


async def test_the_action_may_name_one_of_the_students_events_only(
    school_a: School, pupil: Student, classmate: Student, cpe_actor: Actor
) -> None:
    start = datetime(MONDAY.year, MONDAY.month, MONDAY.day, 8).astimezone()
    event = await record_event(
        school_a, cpe_actor, student_id=classmate.id, kind=EventKind.LATENESS, start=start
    )
    with pytest.raises(Invalid, match="not one of this student"):
        await record_action(school_a, cpe_actor, pupil.id, "APPEL", AT, event_id=event.id)
    done = await record_action(school_a, cpe_actor, classmate.id, "APPEL", AT, event_id=event.id)
    assert done.event_id == event.id


async def test_unknown_types_naive_times_and_other_schools_are_refused(
    school_a: School, pupil: Student, pupil_b: Student, cpe_actor: Actor
) -> None:
    with pytest.raises(Invalid, match="action type"):
        await record_action(school_a, cpe_actor, pupil.id, "NOPE", AT)
    with pytest.raises(Invalid, match="time zone"):
        await record_action(school_a, cpe_actor, pupil.id, "APPEL", datetime(2026, 3, 2, 10))
    with pytest.raises(NotFound):
        await record_action(school_a, cpe_actor, pupil_b.id, "APPEL", AT)
    assert await Action.all().count() == 0
