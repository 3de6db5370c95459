"""The absences file SIECLE reads for the report cards (pure: plain values in, bytes out).

``<exportAbsence><eleve elenoet="…" nbAbs="…" nbNonJustif="…" nbRet="…"/>…</exportAbsence>``,
ISO-8859-1 with its XML declaration: per student (by ELENOET) the half-days absent in the
period, of which unjustified, and the lateness count — whole numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

ENCODING = "ISO-8859-1"
DECLARATION = f'<?xml version="1.0" encoding="{ENCODING}"?>\n'.encode("ascii")


@dataclass(frozen=True, slots=True)
class AbsenceLine:
    """One student's line: half-days absent (justified or not), of which unjustified, and
    lateness, as the school counts them (a proportional count may be a fraction)."""

    elenoet: str
    absent: float
    unjustified: float
    lateness: int


def whole_half_days(count: float) -> int:
    """A count of half-days to the nearest whole one (a half goes up: 2.5 → 3)."""
    return max(0, math.floor(count + 0.5))


def absences_xml(lines: Iterable[AbsenceLine]) -> bytes:
    """The file SIECLE imports: one ``eleve`` per line, in the order given."""
    root = Element("exportAbsence")
    for line in lines:
        absent = whole_half_days(line.absent)
        SubElement(
            root,
            "eleve",
            {
                "elenoet": line.elenoet,
                "nbAbs": str(absent),
                "nbNonJustif": str(min(absent, whole_half_days(line.unjustified))),
                "nbRet": str(max(0, line.lateness)),
            },
        )
    body: bytes = tostring(root, encoding=ENCODING, xml_declaration=False)
    return DECLARATION + body + b"\n"
