"""Staff accounts of one school: add, change a role, withdraw — never another school's."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, Membership, Role, School, User
from core.services import staff
from core.services.audit import Actor
from core.services.users import authenticate


@pytest.fixture
async def admin(school_a: School) -> User:
    user = await User.create(email="admin@alpha.example")
    await Membership.create(user=user, school=school_a, role=Role.ADMIN)
    return user


async def test_a_new_account_gets_a_generated_password_shown_once(
    school_a: School, admin: User
) -> None:
    added = await staff.add_staff(
        school_a, " Prof@Alpha.example ", "teacher", Actor.of(admin), display_name="M. Prof"
    )
    assert added.created and added.password is not None
    assert await authenticate("prof@alpha.example", added.password) is not None
    members = {m.user.email: m.role for m in await staff.list_staff(school_a)}
    assert members == {"admin@alpha.example": Role.ADMIN, "prof@alpha.example": Role.TEACHER}
    actions = await AuditEntry.filter(actor_label="admin@alpha.example").values_list(
        "action", flat=True
    )
    assert sorted(str(a) for a in actions) == ["user.create", "user.role"]


async def test_a_typed_password_is_used_and_must_be_long_enough(
    school_a: School, admin: User
) -> None:
    with pytest.raises(Invalid) as short:
        await staff.add_staff(school_a, "a@alpha.example", "cpe", Actor.of(admin), password="short")
    assert short.value.code == "password_short"
    added = await staff.add_staff(
        school_a, "a@alpha.example", "cpe", Actor.of(admin), password="a long enough one"
    )
    assert added.created and added.password is None
    assert await authenticate("a@alpha.example", "a long enough one") is not None


async def test_an_account_of_another_school_keeps_its_password_and_its_other_role(
    school_a: School, school_b: School, admin: User, cpe: User
) -> None:
    await Membership.filter(user=cpe).delete()
    await Membership.create(user=cpe, school=school_b, role=Role.CPE)
    added = await staff.add_staff(school_a, cpe.email, "teacher", Actor.of(admin), password="x")
    assert (added.created, added.password) == (False, None)
    roles = {m.school_id: m.role for m in await Membership.filter(user=cpe)}
    assert roles == {school_a.id: Role.TEACHER, school_b.id: Role.CPE}
    with pytest.raises(Conflict) as twice:
        await staff.add_staff(school_a, cpe.email, "cpe", Actor.of(admin))
    assert twice.value.code == "member_exists"


@pytest.mark.parametrize(
    ("email", "role", "code"), [("nope", "cpe", "email"), ("a@b.fr", "x", "role")]
)
async def test_bad_accounts_are_refused(
    school_a: School, admin: User, email: str, role: str, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await staff.add_staff(school_a, email, role, Actor.of(admin))
    assert refused.value.code == code


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
