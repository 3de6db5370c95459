"""Local reasons, justification types and action types of a school."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import ActionType, AuditEntry, JustificationType, Reason, School
from core.services.audit import Actor
from core.services.schools import lists as school_lists
from core.services.schools.lists import ReasonData

STAGE = ReasonData(
    code="stage",
    label="Stage en entreprise",
    generic="ACTIVITE_ETAB",
    colour="#8CD17D",
    counts=False,
    for_absence=True,
)


async def test_a_local_reason_hangs_under_a_generic_one(school_a: School, system: Actor) -> None:
    reason = await school_lists.create_reason(school_a, STAGE, system)
    await reason.fetch_related("generic")
    assert (reason.code, reason.colour, reason.counts) == ("STAGE", "#8cd17d", False)
    assert reason.generic.code == "ACTIVITE_ETAB"
    row = await AuditEntry.get(action="reason.create")
    assert row.after is not None and row.after["code"] == "STAGE"


async def test_reason_codes_are_unique_per_school_only(
    school_a: School, school_b: School, system: Actor
) -> None:
    await school_lists.create_reason(school_a, STAGE, system)
    with pytest.raises(Conflict) as taken:
        await school_lists.create_reason(school_a, STAGE, system)
    assert taken.value.code == "code_taken"
    await school_lists.create_reason(school_b, STAGE, system)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"code": "a b"}, "code_format"),
        ({"label": " "}, "label"),
        ({"colour": "green"}, "colour"),
        ({"generic": "NOPE"}, "generic_unknown"),
        ({"for_absence": False, "for_lateness": False}, "reason_kind"),
    ],
)
async def test_bad_reasons_are_refused_with_a_code(
    school_a: School, system: Actor, change: dict[str, object], code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await school_lists.create_reason(school_a, _with(change), system)
    assert refused.value.code == code


def _with(change: dict[str, Any]) -> ReasonData:
    return replace(STAGE, **change)


async def test_a_reason_is_edited_and_deactivated_never_deleted(
    school_a: School, school_b: School, system: Actor
) -> None:
    reason = await school_lists.create_reason(school_a, STAGE, system)
    edited = await school_lists.update_reason(
        school_a, reason.id, _with({"label": "Stage", "parents_may_choose": True}), system
    )
    assert (edited.label, edited.parents_may_choose) == ("Stage", True)
    audit = await AuditEntry.get(action="reason.edit")
    assert audit.after == {"label": "Stage", "parents_may_choose": True}
    assert audit.before == {"label": "Stage en entreprise", "parents_may_choose": False}
    await school_lists.set_active(Reason, school_a, reason.id, False, system)
    assert not (await Reason.get(id=reason.id)).active
    with pytest.raises(NotFound):
        await school_lists.set_active(Reason, school_b, reason.id, True, system)


async def test_justification_and_action_types(school_a: School, system: Actor) -> None:
    note = await school_lists.create_justification_type(
        school_a, "mail", "Courriel des responsables", system, provisional=True
    )
    assert (note.code, note.provisional) == ("MAIL", True)
    await school_lists.update_justification_type(
        school_a, note.id, "Courriel", system, provisional=False, active=False
    )
    fresh = await JustificationType.get(id=note.id)
    assert (fresh.label, fresh.provisional, fresh.active) == ("Courriel", False, False)
    with pytest.raises(Conflict):
        await school_lists.create_action_type(school_a, "APPEL", "Encore un appel", system)
    visit = await school_lists.create_action_type(school_a, "VISITE", "Visite à domicile", system)
    await school_lists.update_action_type(school_a, visit.id, "Visite", system, active=False)
    assert not (await ActionType.get(id=visit.id)).active
    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"justification_type.create", "justification_type.edit"} <= actions
    assert {"action_type.create", "action_type.edit"} <= actions
