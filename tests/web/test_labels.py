"""The words chosen by a value (web.panel.labels): what they may not say."""

from __future__ import annotations

import re

import pytest

from core.i18n import LANGUAGES
from web.panel.labels import families

# A notice's kind is named on the letters page, the board, the outbox and the template list;
# the school sets its threshold (settings « Général »), so its name carries no number.
NOTICE_KINDS = ("file.notice", "lt.kind", "tpl.kind")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_notice_kind_names_no_number_the_school_sets(language: str) -> None:
    words = families(language)
    for family in NOTICE_KINDS:
        for kind, said in words[family].items():
            assert not re.search(r"\d", said), (family, kind, said)


def test_english_says_summons_for_a_convocation_everywhere() -> None:
    """« Convocation » is no English word for it: one word on every page."""
    words = families("en")
    assert {words[family]["convocation"] for family in NOTICE_KINDS} == {"Summons"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_automated_call_has_one_name_on_every_page(language: str) -> None:
    words = families(language)
    channels = ("file.channel", "settings.channel", "tpl.channel")
    assert len({words[family]["call"] for family in channels}) == 1
