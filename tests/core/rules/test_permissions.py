"""What each staff role may do in its school."""

from __future__ import annotations

import pytest

from core.models import Role
from core.rules.permissions import ROLE_PERMISSIONS, Permission, allows

P = Permission
EVERYTHING = set(Permission)

# The table, written out by hand so that a change to the rules shows up here.
EXPECTED: dict[str, set[Permission]] = {
    "admin": EVERYTHING,
    "direction": {
        P.READ,
        P.STATISTICS,
        P.LETTERS,
        P.CONVOKE,
        P.READ_TEMPLATES,
        P.DELIVERIES,
        P.LEGAL_FOLLOW_UP,
    },
    "cpe": {
        P.READ,
        P.WRITE_EVENTS,
        P.DECIDE,
        P.STATISTICS,
        P.ROLL_CALL,
        P.CONVOKE,
        P.LETTERS,
        P.POST_LETTERS,
        P.OUTBOX,
        P.READ_TEMPLATES,
        P.TEMPLATES,
        P.DELIVERIES,
        P.LESSONS,
        P.DIVISION_GROUPS,
        P.LEGAL_FOLLOW_UP,
    },
    "vie_scolaire": {
        P.READ,
        P.WRITE_EVENTS,
        P.DECIDE,
        P.ROLL_CALL,
        P.LETTERS,
        P.POST_LETTERS,
        P.DELIVERIES,
        P.LESSONS,
    },
    "teacher": {P.READ, P.ROLL_CALL},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_is_allowed_exactly_its_row_of_the_table(role: str) -> None:
    assert {p for p in Permission if allows(role, p)} == EXPECTED[role]


def test_every_role_has_a_row_and_no_row_is_left_over() -> None:
    assert set(ROLE_PERMISSIONS) == {r.value for r in Role} == set(EXPECTED)


def test_every_role_may_read_its_school() -> None:
    assert all(allows(role, P.READ) for role in Role)


def test_a_teacher_may_take_the_roll_call_but_not_write_events_nor_change_settings() -> None:
    assert allows(Role.TEACHER, P.ROLL_CALL)
    for refused in (P.WRITE_EVENTS, P.DECIDE, P.SETTINGS, P.USERS, P.IMPORT, P.STATISTICS):
        assert not allows(Role.TEACHER, refused), refused


def test_the_direction_reads_and_sees_statistics_but_changes_nothing() -> None:
    assert allows(Role.DIRECTION, P.READ)
    assert allows(Role.DIRECTION, P.STATISTICS)
    assert allows(Role.DIRECTION, P.LETTERS)
    writes = EVERYTHING - {
        P.READ,
        P.STATISTICS,
        P.LETTERS,
        P.OUTBOX,
        P.CONVOKE,
        P.READ_TEMPLATES,
        P.DELIVERIES,
        P.LEGAL_FOLLOW_UP,  # the head of school signs the report to the DASEN
    }
    assert not [p for p in writes if allows(Role.DIRECTION, p)]


def test_an_admin_has_every_permission() -> None:
    assert all(allows(Role.ADMIN, p) for p in Permission)


def test_only_an_admin_changes_settings_manages_users_or_imports() -> None:
    for permission in (P.SETTINGS, P.USERS, P.IMPORT):
        assert [r for r in Role if allows(r, permission)] == [Role.ADMIN], permission


def test_the_cpe_and_vie_scolaire_write_events_and_decide_on_justifications() -> None:
    for role in (Role.CPE, Role.VIE_SCOLAIRE):
        assert allows(role, P.WRITE_EVENTS)
        assert allows(role, P.DECIDE)
    assert allows(Role.CPE, P.STATISTICS)
    assert not allows(Role.VIE_SCOLAIRE, P.STATISTICS)


@pytest.mark.parametrize("role", ["", "parent", "ADMIN", "Admin", "student", "root"])
def test_an_unknown_role_has_no_permission(role: str) -> None:
    assert not [p for p in Permission if allows(role, p)]


def test_letters_are_for_the_vie_scolaire_and_the_direction_reads_them_never_a_teacher() -> None:
    readers = [r for r in Role if allows(r, P.LETTERS)]
    assert set(readers) == {Role.ADMIN, Role.DIRECTION, Role.CPE, Role.VIE_SCOLAIRE}
    markers = [r for r in Role if allows(r, P.POST_LETTERS)]
    assert set(markers) == {Role.ADMIN, Role.CPE, Role.VIE_SCOLAIRE}
    assert {r for r in Role if allows(r, P.OUTBOX)} == {Role.ADMIN, Role.CPE}


def test_the_cpe_and_the_direction_convoke_families_never_the_vie_scolaire_nor_a_teacher() -> None:
    convokers = {r for r in Role if allows(r, P.CONVOKE)}
    assert convokers == {Role.ADMIN, Role.DIRECTION, Role.CPE}


def test_admins_and_cpes_edit_the_templates_the_direction_reads_them() -> None:
    assert {r for r in Role if allows(r, P.TEMPLATES)} == {Role.ADMIN, Role.CPE}
    readers = {r for r in Role if allows(r, P.READ_TEMPLATES)}
    assert readers == {Role.ADMIN, Role.CPE, Role.DIRECTION}


def test_the_legal_follow_up_is_for_the_direction_and_the_cpe_not_the_vie_scolaire() -> None:
    followers = {r for r in Role if allows(r, P.LEGAL_FOLLOW_UP)}
    assert followers == {Role.ADMIN, Role.DIRECTION, Role.CPE}
