"""The bounded list of notice languages, the "LANGUE EN" keyword and a guardian's channel order."""

from __future__ import annotations

import pytest

from core.rules.languages import (
    NOTICE_LANGUAGES,
    is_notice_language,
    keyword_language,
    language_name,
    ordered,
)
from core.rules.notices import guardian_order


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("LANGUE EN", "en"),
        ("language fr", "fr"),
        (" Langue : anglais ", "en"),
        ("Idioma español", "es"),
        ("LANG pt", "pt"),
        ("dil türkçe", "tr"),
        ("langue arabe", "ar"),
        ("LANGUE XX", ""),  # asked, but no language of the list
    ],
)
def test_a_keyword_and_a_language_read_as_that_language(text: str, language: str) -> None:
    assert keyword_language(text) == language


@pytest.mark.parametrize(
    "text", ["langue", "EN", "la langue anglaise svp", "Il est malade", "STOP", ""]
)
def test_anything_else_is_no_keyword(text: str) -> None:
    assert keyword_language(text) is None


def test_the_list_is_bounded_and_named_in_its_own_words() -> None:
    assert list(NOTICE_LANGUAGES)[:2] == ["fr", "en"]
    assert language_name("es") == "Español" and language_name("xx") == "xx"
    assert is_notice_language("tr") and not is_notice_language("xx")
    assert all(len(code) == 2 for code in NOTICE_LANGUAGES)  # a template's path segment
    assert ordered(["tr", "xx", "fr", "es", "fr"]) == ["fr", "es", "tr"]


def test_a_guardians_preferred_channel_comes_first_then_the_schools_order() -> None:
    school = ["chat", "sms", "call", "email", "letter"]
    assert guardian_order("email", school) == ["email", "chat", "sms", "call", "letter"]
    assert guardian_order(None, school) == school
    assert guardian_order("call", ["letter", "email"]) == ["letter", "email"]  # not in the order
