"""Reading untrusted XML bytes safely, and the PARAMETRES block every SIECLE file starts with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from core.siecle.errors import SiecleError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ROOTS = ("BEE_ELEVES", "BEE_RESPONSABLES", "BEE_STRUCTURES", "BEE_NOMENCLATURES", "BEE_COMMUN")
UAI = re.compile(r"^[0-9]{7}[A-Z]$")


@dataclass(frozen=True, slots=True)
class Parameters:
    """PARAMETRES: the school (UAJ), the school year (its first year) and the export's date."""

    uai: str
    school_year: int
    exported_on: date


def size_text(size: int) -> str:
    """A byte count for people: 52 428 800 → '50.0 MB'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size} bytes"


def check_size(size: int, name: str, max_bytes: int) -> None:
    """Refuse a file over the limit before reading it."""
    if size > max_bytes:
        raise SiecleError(
            f"{name}: {size_text(size)} is over the size limit of {size_text(max_bytes)}"
        )


def read_root(
    data: bytes,
    name: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    roots: tuple[str, ...] = ROOTS,
) -> Element:
    """The root element of a SIECLE file (or of another of the Ministry's XML exports whose
    ``roots`` are given: the timetable's), parsed from its bytes in the encoding it declares.

    DTDs and entities (XXE, billion laughs) are refused, as are files over ``max_bytes``,
    truncated or malformed XML, and roots that are not one of ``roots``.
    """
    check_size(len(data), name, max_bytes)
    if not data.strip():
        raise SiecleError(f"{name}: the file is empty")
    try:
        root = SafeElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise SiecleError(f"{name}: DTD and entities are refused") from None
    except ParseError as error:
        raise SiecleError(
            f"{name}: not well-formed XML, truncated or not XML at all ({error})"
        ) from None
    except (LookupError, ValueError) as error:  # an encoding expat cannot read
        raise SiecleError(f"{name}: unreadable encoding ({error})") from None
    element = cast(Element, root)
    if element.tag not in roots:
        raise SiecleError(
            f"{name}: the root element <{element.tag}> is not a SIECLE export "
            f"(expected one of {', '.join(roots)})"
        )
    return element


def text(element: Element, path: str) -> str:
    """The stripped text at ``path``, '' when absent or empty."""
    value = element.findtext(path)
    return value.strip() if value else ""


def optional(element: Element, path: str) -> str | None:
    """The stripped text at ``path``, None when absent or empty."""
    value = element.findtext(path)
    return (value.strip() or None) if value else None


def parse_date(value: str | None, where: str) -> date | None:
    """A SIECLE date dd/mm/yyyy (None when empty); ``where`` names it in the error."""
    if not value:
        return None
    parts = value.split("/")
    try:
        if len(parts) != 3 or len(parts[2]) != 4:
            raise ValueError(value)
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise SiecleError(f"{where} {value!r} is not a date dd/mm/yyyy") from None


def read_parameters(root: Element, name: str) -> Parameters:
    """PARAMETRES{UAJ, ANNEE_SCOLAIRE, DATE_EXPORT}, checked."""
    uai = text(root, "PARAMETRES/UAJ").upper()
    if not UAI.match(uai):
        raise SiecleError(f"{name}: PARAMETRES/UAJ {uai!r} is not a UAI (7 digits and a letter)")
    year = text(root, "PARAMETRES/ANNEE_SCOLAIRE")
    if not (year.isdigit() and len(year) == 4):
        raise SiecleError(f"{name}: PARAMETRES/ANNEE_SCOLAIRE {year!r} is not a year")
    exported_on = parse_date(text(root, "PARAMETRES/DATE_EXPORT"), f"{name}: DATE_EXPORT")
    if exported_on is None:
        raise SiecleError(f"{name}: PARAMETRES/DATE_EXPORT is missing")
    return Parameters(uai, int(year), exported_on)
