"""Staff accounts of one school: change a role, withdraw — never another school's (adding
someone is an invitation: see test_invitations.py)."""

from __future__ import annotations

import pytest

from core.errors import Conflict, NotFound
from core.models import AuditEntry, Membership, Role, School, User
from core.services.audit import Actor
from core.services.schools import staff


@pytest.fixture
async def admin(school_a: School) -> User:
    user = await User.create(email="admin@alpha.example")
    await Membership.create(user=user, school=school_a, role=Role.ADMIN)
    return user


async def test_roles_change_and_the_last_admin_stays(
    school_a: School, admin: User, cpe: User
) -> None:
    actor = Actor.of(admin)
    await staff.change_role(school_a, cpe.id, "vie_scolaire", actor)
    assert (await Membership.get(user=cpe)).role == Role.VIE_SCOLAIRE
    row = await AuditEntry.get(action="user.role", entity_id=str(cpe.id))
    assert (row.before, row.after) == ({"role": "cpe"}, {"role": "vie_scolaire"})
    for change in (
        staff.change_role(school_a, admin.id, "cpe", actor),
        staff.remove_staff(school_a, admin.id, actor),
    ):
        with pytest.raises(Conflict) as refused:
            await change
        assert refused.value.code == "last_admin"
    await staff.change_role(school_a, cpe.id, "admin", actor)
    await staff.change_role(school_a, admin.id, "cpe", actor)


async def test_withdrawing_touches_only_this_school(
    school_a: School, school_b: School, admin: User, cpe: User
) -> None:
    await Membership.create(user=cpe, school=school_b, role=Role.CPE)
    with pytest.raises(NotFound):
        await staff.remove_staff(school_b, admin.id, Actor.of(admin))
    await staff.remove_staff(school_a, cpe.id, Actor.of(admin))
    assert [m.school_id for m in await Membership.filter(user=cpe)] == [school_b.id]
    assert (await User.get(id=cpe.id)).active
    row = await AuditEntry.get(action="user.remove")
    assert row.before == {"role": "cpe", "school": school_a.uai}
