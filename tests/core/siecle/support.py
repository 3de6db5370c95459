"""Paths and builders shared by the SIECLE tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"  # a tiny current-shape export, ISO-8859-15, with Œ Š Ÿ €
PRE2016 = FIXTURES / "pre2016"  # NOM and RESP_LEGAL (VERSION 1.7)
# The invented sample of ../shared/data/siecle, copied so the tests stand alone.
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_dir(), reason=f"the SIECLE sample is missing: {SAMPLE}"
)


def expected() -> dict[str, dict[str, object]]:
    """The sample's expected.json: counts of the initial and update exports, the changes."""
    data: dict[str, dict[str, object]] = json.loads((SAMPLE / "expected.json").read_text())
    return data


def xml(
    root: str = "BEE_ELEVES",
    body: str = "",
    *,
    uai: str = "0759999Z",
    year: str = "2025",
    exported: str = "15/09/2025",
    encoding: str = "ISO-8859-15",
    before_root: str = "",
) -> bytes:
    """A SIECLE file as bytes in ``encoding`` (declared in its prolog)."""
    parameters = (
        f"<PARAMETRES><UAJ>{uai}</UAJ><ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE>"
        f"<DATE_EXPORT>{exported}</DATE_EXPORT></PARAMETRES>"
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{before_root}'
        f"<{root}>{parameters}<DONNEES>{body}</DONNEES></{root}>"
    )
    return text.encode(encoding)
