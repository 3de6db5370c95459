"""What an SMS costs: its encoding (GSM-7 or UCS-2), its length in that encoding, its segments.

A pure rule, the one implementation: the gateway counts with it before sending and the panel's
editor shows it (``templates/web/static/sms_count.js`` is its JavaScript twin, kept in step by a
test that runs both on the same strings).

GSM 03.38: a character of the basic table takes one septet, one of the extension table two
(an escape, then the character). Any other character switches the whole message to UCS-2, where
each UTF-16 unit counts one (an emoji outside the BMP counts two). One segment holds 160 septets
or 70 units; a longer message is split into parts of 153 or 67 (the rest carries the
concatenation header), and an escape sequence or a surrogate pair is never split between parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38: the basic table (one septet each) and its extension table (escape + one septet).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION
SINGLE: dict[Encoding, int] = {"GSM-7": 160, "UCS-2": 70}
PART: dict[Encoding, int] = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """What an SMS text costs: its encoding, its length in that encoding, its segments."""

    encoding: Encoding
    length: int  # septets for GSM-7 (extension characters count 2), UTF-16 units for UCS-2
    segments: int
    unsupported: tuple[str, ...] = ()  # the characters that forced UCS-2, in order of appearance

    @property
    def per_segment(self) -> int:
        """Characters a segment holds at this length (160/70 for one, 153/67 when split)."""
        return SINGLE[self.encoding] if self.segments <= 1 else PART[self.encoding]


def _units(text: str) -> tuple[Encoding, list[int], tuple[str, ...]]:
    outside = tuple(dict.fromkeys(c for c in text if c not in GSM7))
    if not outside:
        return "GSM-7", [2 if c in GSM7_EXTENSION else 1 for c in text], ()
    return "UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text], outside


def _parts(units: list[int], size: int) -> int:
    # An escape sequence or a surrogate pair is never split between two parts.
    parts, used = 1, 0
    for unit in units:
        if used + unit > size:
            parts, used = parts + 1, 0
        used += unit
    return parts


def sms_segments(text: str) -> SmsInfo:
    """Encoding, length and segment count of ``text`` (160/153 in GSM-7, 70/67 in UCS-2)."""
    encoding, units, outside = _units(text)
    length = sum(units)
    if length == 0:
        segments = 0
    elif length <= SINGLE[encoding]:
        segments = 1
    else:
        segments = _parts(units, PART[encoding])
    return SmsInfo(encoding, length, segments, outside)
