"""The SMS segment counter: one pure rule, used by the gateway and mirrored in the panel's JS."""

from __future__ import annotations

import pytest

import gateway.render
from core.rules.sms import GSM7_BASIC, GSM7_EXTENSION, sms_segments

# (text, encoding, length, segments): shared with the JavaScript twin's test.
CASES: list[tuple[str, str, int, int]] = [
    ("", "GSM-7", 0, 0),
    ("Bonjour", "GSM-7", 7, 1),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("à é è ù ì ò Ç É Ä Ö Ü ä ö ü ñ Ñ", "GSM-7", 31, 1),
    ("€", "GSM-7", 2, 1),
    ("€" * 80, "GSM-7", 160, 1),
    ("€" * 81, "GSM-7", 162, 2),
    ("[]{}", "GSM-7", 8, 1),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
    ("ligne 1\nligne 2\r\n", "GSM-7", 17, 1),
    ("ê", "UCS-2", 1, 1),
    ("ê" * 70, "UCS-2", 70, 1),
    ("ê" * 71, "UCS-2", 71, 2),
    ("ê" * 134, "UCS-2", 134, 2),
    ("ê" * 135, "UCS-2", 135, 3),
    ("😀", "UCS-2", 2, 1),
    ("a" * 66 + "😀" + "a" * 66, "UCS-2", 134, 3),
    ("Réunion « urgente » à 10 h, prévenez l’école", "UCS-2", 44, 1),
    ("Collège Alpha : Léa est absente ce lundi 2 mars.", "GSM-7", 48, 1),
    ("Lycée â ê î ô û ç œ – \u00a0", "UCS-2", 23, 1),
]


@pytest.mark.parametrize(("text", "encoding", "length", "segments"), CASES)
def test_it_counts_encoding_length_and_segments(
    text: str, encoding: str, length: int, segments: int
) -> None:
    info = sms_segments(text)
    assert (info.encoding, info.length, info.segments) == (encoding, length, segments)


def test_the_extension_characters_count_double_and_stay_in_gsm7() -> None:
    for char in GSM7_EXTENSION:
        assert char not in GSM7_BASIC
        assert (sms_segments(char).encoding, sms_segments(char).length) == ("GSM-7", 2)


def test_the_french_letters_outside_gsm7_switch_to_ucs2_and_are_named() -> None:
    info = sms_segments("Noël à l’école, côté cour")
    assert info.encoding == "UCS-2"
    assert info.unsupported == ("ë", "’", "ô")
    assert info.per_segment == 70
    assert sms_segments("a" * 200).per_segment == 153
    assert sms_segments("ê" * 100).per_segment == 67


def test_the_gateway_counts_with_the_same_rule() -> None:
    assert gateway.render.sms_segments is sms_segments
