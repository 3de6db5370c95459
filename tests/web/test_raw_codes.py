"""Staff never read a code: every notice kind, channel, status and role has its words, a
student's régime (SIECLE's CODE_REGIME) and groups read as words in the file."""

from __future__ import annotations

import html

import pytest

from core.i18n import LANGUAGES
from core.models import DeliveryStatus, NoticeKind, NoticeStatus, Role, Student, TeachingGroup
from core.rules.channels import channel_names
from core.rules.structures import readable_label
from tests.web.conftest import UAI_A, Api
from tests.web.personas import log_in_as
from web.panel.labels import families


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_channel_status_and_role_has_words(language: str) -> None:
    words = families(language)
    expected = {
        "lt.kind": [str(kind) for kind in NoticeKind],
        "file.notice": [str(kind) for kind in NoticeKind],
        "file.channel": channel_names(),
        "file.status": [*map(str, DeliveryStatus), *map(str, NoticeStatus)],
        "settings.staff.role": [str(role) for role in Role],
        "file.regime": [str(code) for code in range(7)],
    }
    missing = {
        (family, value)
        for family, values in expected.items()
        for value in values
        if value not in words[family]
    }
    assert not missing


def test_a_siecle_label_in_capitals_reads_as_words() -> None:
    assert readable_label("ALLEMAND LV2 3E") == "Allemand LV2 3E"
    assert readable_label("  LATIN   3E ") == "Latin 3E"
    assert readable_label("Atelier théâtre") == "Atelier théâtre"
    assert readable_label("") == ""


async def test_the_file_words_the_regime_and_names_the_groups(api: Api) -> None:
    marie = await Student.get(id=api.sid("marie"))
    marie.regime = "2"
    await marie.save(update_fields=["regime"])
    german = await TeachingGroup.create(
        school=api.schools[UAI_A], code="3_ALL", label="ALLEMAND LV2 3E"
    )
    await marie.groups.add(german)
    await log_in_as(api.client, "cpe@a.example.org")
    response = await api.client.get(f"/s/{UAI_A}/students/{marie.id}")
    page = html.unescape(await response.text())
    assert response.status == 200
    assert "<dd>Demi-pensionnaire</dd>" in page
    assert "Allemand LV2 3E, LATIN" in page and "3_ALL" not in page
