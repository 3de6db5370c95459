"""The channel table holds together: what each row names exists, and what is read from it."""

from __future__ import annotations

from core.models import ContactKind, School
from core.rules import channels
from core.rules.channels import CHANNELS, NAME_LENGTH, Channel


def test_every_row_names_what_exists() -> None:
    kinds = {kind.value for kind in ContactKind}
    for row in CHANNELS.values():
        assert 0 < len(row.name) <= NAME_LENGTH, row.name
        assert row.contacts and set(row.contacts) <= kinds, row.name
        assert row.quota is None or row.quota in School._meta.fields_map, row.name
    ranks = [row.rank for row in CHANNELS.values() if row.rank is not None]
    assert len(ranks) == len(set(ranks))
    assert set(Channel) == set(CHANNELS)  # the shipped names, each with its row


def test_what_the_rest_reads_from_it() -> None:
    assert channels.default_order() == ["chat", "sms", "call", "email", "letter"]
    assert [c for c in CHANNELS if channels.intrusive(c)] == ["sms", "call"]
    assert {c: channels.quota_field(c) for c in CHANNELS if channels.quota_field(c)} == {
        "sms": "sms_monthly_quota",
        "call": "call_monthly_quota",
    }
    assert channels.contact_kinds("call") == ("mobile", "landline")
    assert channels.contact_kinds("fax") == ()
    assert [c for c in CHANNELS if channels.staff_corrects(c)] == ["sms", "call", "email"]
    assert channels.unknown(["sms", "fax", "letter", "pigeon"]) == ["fax", "pigeon"]
