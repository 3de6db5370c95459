"""Phones as exports hold them: E.164, overseas France, mobile or landline, invalid reported."""

from __future__ import annotations

import pytest

from core.siecle.phones import normalise_phone
from core.siecle.records import AddressRecord, PersonRecord
from core.siecle.rows import contact_rows


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0612345678", "+33 6 12 34 56 78",
     "+33 (0)6 12 34 56 78", "0033612345678", " 06 12 34 56 78 "],
)  # fmt: skip
def test_every_format_of_a_mobile_gives_one_e164(raw: str) -> None:
    phone = normalise_phone(raw)
    assert (phone.e164, phone.kind, phone.region) == ("+33612345678", "mobile", "FR")
    assert phone.raw == raw


@pytest.mark.parametrize(
    ("raw", "e164", "region"),
    [
        ("0692 12 34 56", "+262692123456", "RE"),  # Réunion, not +33
        ("0693 11 22 33", "+262693112233", "RE"),
        ("0639 40 12 34", "+262639401234", "YT"),  # Mayotte: +262 639
        ("0690 12 34 56", "+590690123456", "GP"),
        ("0696 12 34 56", "+596696123456", "MQ"),
        ("0694 12 34 56", "+594694123456", "GF"),
        ("+33 6 92 12 34 56", "+262692123456", "RE"),  # a Réunion number wrongly given +33
        ("+262 692 12 34 56", "+262692123456", "RE"),
    ],
)
def test_overseas_mobiles_get_their_own_country_code(raw: str, e164: str, region: str) -> None:
    phone = normalise_phone(raw)
    assert (phone.e164, phone.region, phone.kind) == (e164, region, "mobile")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("01 42 34 56 78", "+33142345678"),
        ("09 51 23 45 67", "+33951234567"),  # a box line: calls only
        ("0262 30 12 34", "+262262301234"),  # a Réunion landline
        ("0596 61 23 45", "+596596612345"),  # Martinique, though FR's plan would take it
    ],
)
def test_landlines_are_kept_as_landlines(raw: str, e164: str) -> None:
    phone = normalise_phone(raw)
    assert (phone.e164, phone.kind) == (e164, "landline")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "too short"),
        ("06 12 34 56 78 90 12", "too long"),
        ("07 15 59 60 94", "not a valid number"),  # 071… is not allocated
        ("0596 12 34 56", "not a valid number"),  # an overseas prefix is never read as +33
        ("tel. maison", "not a phone number"),
        ("", "empty"),
    ],
)
def test_invalid_numbers_say_why(raw: str, reason: str) -> None:
    phone = normalise_phone(raw)
    assert not phone.valid
    assert (phone.e164, phone.kind, phone.error) == (None, None, reason)


def person(**fields: object) -> PersonRecord:
    values: dict[str, object] = {
        "siecle_id": "8001",
        "civility": "Mme",
        "last_name": "CŒUR",
        "first_name": "Anne",
        "mobile": None,
        "home_phone": None,
        "work_phone": None,
        "accepts_sms": True,
        "email": None,
        "address_id": None,
    }
    values.update(fields)
    return PersonRecord(**values)  # type: ignore[arg-type]


def test_contact_points_of_a_person() -> None:
    address = AddressRecord(("5 RUE DE L'ŒUVRE",), "94240", "L'HAŸ-LES-ROSES", "FRANCE")
    rows, notes = contact_rows(
        person(mobile="06 12 34 56 78", home_phone="01 42 34 56 78", email=" Anne@Example.ORG "),
        address,
    )
    assert notes == []
    assert {slot: (r["kind"], r["value"], r["consent"]) for slot, r in rows.items()} == {
        "TEL_PORTABLE": ("mobile", "+33612345678", True),
        "TEL_PERSONNEL": ("landline", "+33142345678", True),
        "MEL": ("email", "anne@example.org", True),
        "ADRESSE": ("postal", "5 RUE DE L'ŒUVRE", True),
    }
    assert rows["ADRESSE"]["address"] == {
        "lines": ["5 RUE DE L'ŒUVRE"],
        "postal_code": "94240",
        "city": "L'HAŸ-LES-ROSES",
        "country": "FRANCE",
    }


def test_accepte_sms_is_the_consent_of_mobiles_only() -> None:
    rows, _ = contact_rows(
        person(mobile="0692 12 34 56", home_phone="0142345678", accepts_sms=False), None
    )
    assert (rows["TEL_PORTABLE"]["value"], rows["TEL_PORTABLE"]["consent"]) == (
        "+262692123456",
        False,
    )
    assert rows["TEL_PERSONNEL"]["kind"] == "landline"


def test_a_landline_in_the_mobile_field_is_a_landline() -> None:
    rows, _ = contact_rows(person(mobile="04 20 27 86 83"), None)
    assert (rows["TEL_PORTABLE"]["kind"], rows["TEL_PORTABLE"]["value"]) == (
        "landline",
        "+33420278683",
    )


def test_an_invalid_number_is_kept_marked_and_reported() -> None:
    rows, notes = contact_rows(person(mobile="12345"), None)
    assert rows["TEL_PORTABLE"] == {
        "kind": "mobile",
        "value": "12345",
        "raw_value": "12345",
        "label": "personal",
        "consent": True,
        "priority": 1,
        "usability": "invalid",
        "usability_note": "TEL_PORTABLE: too short",
    }
    assert notes == [
        {"person": "8001", "name": "CŒUR Anne", "field": "TEL_PORTABLE", "raw": "12345",
         "reason": "too short"}
    ]  # fmt: skip


def test_one_number_in_two_fields_is_kept_once() -> None:
    rows, _ = contact_rows(person(mobile="06 12 34 56 78", home_phone="+33612345678"), None)
    assert list(rows) == ["TEL_PORTABLE"]
