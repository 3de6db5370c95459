"""What each role sees of the families: one rule for the panel and the API."""

from __future__ import annotations

import pytest

from core.models import Role
from core.rules.permissions import Permission, allows
from core.rules.visibility import EVERYTHING, ReasonShown, Visibility, visibility

WHOLE_SCHOOL = ("admin", "direction", "cpe", "vie_scolaire")
# Rights that act on a student picked from the whole school: only whole-school readers have them.
SCHOOL_WIDE_RIGHTS = (
    Permission.WRITE_EVENTS,
    Permission.DECIDE,
    Permission.CONVOKE,
    Permission.LETTERS,
    Permission.POST_LETTERS,
    Permission.OUTBOX,
    Permission.DELIVERIES,
    Permission.STATISTICS,
    Permission.LEGAL_FOLLOW_UP,
)


@pytest.mark.parametrize("role", WHOLE_SCHOOL)
@pytest.mark.parametrize("setting", [False, True])
def test_the_school_staff_see_everything_whatever_the_setting(role: str, setting: bool) -> None:
    assert visibility(role, teachers_see_reasons=setting) == EVERYTHING


def test_a_teacher_sees_their_own_students_without_comments_medical_details_nor_replies() -> None:
    seen = visibility("teacher")
    assert seen == Visibility(
        whole_school=False,
        reason=ReasonShown.GENERIC,
        comments=False,
        medical=False,
        reply_texts=False,
        deliveries=False,
    )
    assert seen.comment("Gastro-entérite") == ""
    assert seen.justification("Certificat médical") == ""
    assert seen.reply("Il a de la fièvre") == ""
    assert seen.reason_of("Angine (certificat)", "Maladie de l'élève") == "Maladie de l'élève"


def test_the_school_may_let_teachers_see_the_reason_but_never_the_comment() -> None:
    seen = visibility("teacher", teachers_see_reasons=True)
    assert seen.reason_of("Angine (certificat)", "Maladie de l'élève") == "Angine (certificat)"
    assert (seen.comments, seen.medical, seen.reply_texts, seen.whole_school) == (
        False,
        False,
        False,
        False,
    )


def test_the_staff_see_the_local_reason_and_the_comments() -> None:
    assert EVERYTHING.reason_of("Angine", "Maladie de l'élève") == "Angine"
    assert EVERYTHING.comment("Gastro-entérite") == "Gastro-entérite"
    assert EVERYTHING.justification("Certificat médical") == "Certificat médical"
    assert EVERYTHING.reply("Il a de la fièvre") == "Il a de la fièvre"


@pytest.mark.parametrize("role", ["", "parent", "ADMIN", "root"])
def test_an_unknown_role_sees_no_more_than_a_teacher(role: str) -> None:
    seen = visibility(role, teachers_see_reasons=True)
    assert not (seen.whole_school or seen.comments or seen.medical or seen.deliveries)


def test_only_the_roles_that_read_the_whole_school_see_the_deliveries() -> None:
    assert [r.value for r in Role if visibility(r.value).deliveries] == list(WHOLE_SCHOOL)
    for role in Role:
        assert visibility(role.value).deliveries == allows(role, Permission.DELIVERIES)


@pytest.mark.parametrize("right", SCHOOL_WIDE_RIGHTS)
def test_a_right_over_any_student_goes_only_with_reading_the_whole_school(
    right: Permission,
) -> None:
    for role in Role:
        if allows(role, right):
            assert visibility(role.value).whole_school, (role, right)
