"""The vie scolaire's address (the Reply-To of notices' emails) and the school's own SMS sender:
set from the general settings page and the API, validated with worded errors, audited."""

from __future__ import annotations

import html

import pytest

from core.models import AuditEntry, School
from tests.web.conftest import UAI_A, Api
from tests.web.settings_support import GENERAL_FORM, Client, log_in, post, settings, two_schools

API_SETTINGS = f"/schools/{UAI_A}/settings"


@pytest.fixture
async def admin(db: str, app_client: Client) -> dict[str, School]:
    schools = await two_schools()
    assert (await log_in(app_client, "admin")).status == 303
    return schools


async def last_change() -> AuditEntry:
    row = await AuditEntry.filter(action="school.settings").order_by("-id").first()
    assert row is not None and row.before is not None and row.after is not None
    return row


async def test_the_general_page_sets_both_and_audits_them(
    admin: dict[str, School], app_client: Client
) -> None:
    page = html.unescape(await (await app_client.get(settings("/general"))).text())
    assert "Adresse de la vie scolaire (réponses aux courriels)" in page
    assert "Numéro ou nom d'expéditeur SMS propre à l'établissement" in page
    form = {
        **GENERAL_FORM,
        "reply_to": " vie-scolaire@college-a.fr ",
        "sms_sender": "06 12 34 56 78",
    }
    assert (await post(app_client, settings("/general"), form)).status == 303
    school = await School.get(uai=UAI_A)
    assert (school.reply_to, school.sms_sender) == ("vie-scolaire@college-a.fr", "+33612345678")
    row = await last_change()
    assert (row.before["reply_to"], row.after["reply_to"]) == (None, "vie-scolaire@college-a.fr")
    assert (row.before["sms_sender"], row.after["sms_sender"]) == (None, "+33612345678")
    page = await (await app_client.get(settings("/general"))).text()
    assert 'value="vie-scolaire@college-a.fr"' in page and 'value="+33612345678"' in page

    form = {**GENERAL_FORM, "reply_to": "", "sms_sender": "CollegeA"}  # blank: none
    assert (await post(app_client, settings("/general"), form)).status == 303
    school = await School.get(uai=UAI_A)
    assert (school.reply_to, school.sms_sender) == (None, "CollegeA")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("reply_to", "vie scolaire", "une adresse électronique est attendue"),
        ("reply_to", "cpe@college", "une adresse électronique est attendue"),
        ("sms_sender", "Collège Jean Moulin", "un nom de 3 à 11 lettres et chiffres"),
        ("sms_sender", "AB", "un numéro au format international (+33…)"),
        ("sms_sender", "+33 1", "Expéditeur SMS"),
    ],
)
async def test_a_bad_value_is_refused_in_words_and_nothing_changes(
    admin: dict[str, School], app_client: Client, field: str, value: str, words: str
) -> None:
    refused = await post(app_client, settings("/general"), {**GENERAL_FORM, field: value})
    assert refused.status == 400
    assert words in html.unescape(await refused.text())
    school = await School.get(uai=UAI_A)
    assert (school.reply_to, school.sms_sender) == (None, None)
    assert not await AuditEntry.filter(action="school.settings").exists()


async def test_the_api_reads_and_changes_them(api: Api) -> None:
    status, shown = await api.call("GET", API_SETTINGS, as_="teacher")
    assert (status, shown["reply_to"], shown["sms_sender"]) == (200, None, None)
    change = {"reply_to": "vie-scolaire@a.example.org", "sms_sender": "+33 6 12 34 56 78"}
    status, _ = await api.call("PATCH", API_SETTINGS, as_="cpe", json=change)
    assert status == 403
    status, shown = await api.call("PATCH", API_SETTINGS, as_="admin", json=change)
    assert status == 200, shown
    assert (shown["reply_to"], shown["sms_sender"]) == (change["reply_to"], "+33612345678")
    row = await last_change()
    assert row.after == {"reply_to": change["reply_to"], "sms_sender": "+33612345678"}
    status, shown = await api.call("PATCH", API_SETTINGS, as_="admin", json={"reply_to": None})
    assert (status, shown["reply_to"], shown["sms_sender"]) == (200, None, "+33612345678")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"reply_to": "not an address"}, "reply_to: 'not an address' is not an"),
        ({"sms_sender": "Collège"}, "sms_sender: 'Collège' is neither a number"),
        ({"sms_sender": "33612345678"}, "sms_sender"),
        ({"reply_to": 12}, "reply_to"),
    ],
)
async def test_the_api_refuses_bad_values(api: Api, change: dict[str, object], words: str) -> None:
    status, body = await api.call("PATCH", API_SETTINGS, as_="admin", json=change)
    assert (status, body["error"]["code"]) == (422, "invalid"), body
    assert words in body["error"]["message"], body
