"""Letters as A4 PDFs (WeasyPrint), the address placed for a French window envelope.

The base stylesheet sets the page and the ``.address`` block (right-hand window: 110 mm from
the left edge, 45 mm from the top, 85 mm wide); a template's own styles come after it and win.
It also gives the classes of the letter editor (alignment, indentation, lists) their look.

A letter's HTML comes from a school's template: WeasyPrint fetches nothing but ``data:`` URIs
(images pasted into the letter, the logo) and the local files the caller names
(:class:`LocalFetcher`); any other URL, ``http(s):`` or ``file:``, is refused and left out.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pypdf
import weasyprint

from core.rules import postal

MAX_LINES = postal.WINDOW_LINES
MAX_CHARS = postal.WINDOW_CHARS
LETTER_CSS = """
@page { size: A4; margin: 15mm 20mm 20mm 20mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.35; }
body { margin: 0; }
.letterhead { width: 85mm; min-height: 30mm; }
.letterhead img { max-width: 60mm; max-height: 25mm; }
.address { position: absolute; left: 90mm; top: 30mm; width: 85mm; height: 40mm;
           overflow: hidden; font-size: 10pt; line-height: 1.3; white-space: nowrap; }
.letter-body { margin-top: 60mm; }
.page-break { break-before: page; }
.household-part { break-inside: avoid; }
.household-part + .household-part { border-top: 0.3mm solid #999; margin-top: 6mm;
                                    padding-top: 4mm; }
table { border-collapse: collapse; }
td, th { border: 0.3mm solid #999; padding: 1mm 2mm; }
.letterhead p { margin: 0 0 1mm 0; font-size: 9pt; }
.letterhead .school-name { font-weight: bold; font-size: 10pt; }
.letter-body p { margin: 0 0 3mm 0; }
.letter-body img { max-width: 100%; }
.ql-align-center { text-align: center; } .ql-align-right { text-align: right; }
.ql-align-justify { text-align: justify; }
li[data-list="bullet"] { list-style-type: disc; }
li[data-list="ordered"] { list-style-type: decimal; }
.ql-indent-1 { margin-left: 8mm; } .ql-indent-2 { margin-left: 16mm; }
.ql-indent-3 { margin-left: 24mm; } .ql-indent-4 { margin-left: 32mm; }
"""


class AddressError(ValueError):
    """A postal address that cannot be printed in the window (too many lines, none at all)."""


def _fit(line: str) -> str:
    if len(line) <= MAX_CHARS:
        return line
    cut = line.rfind(" ", 0, MAX_CHARS + 1)
    return line[: cut if cut > MAX_CHARS // 2 else MAX_CHARS].rstrip()


def _plain_capitals(line: str) -> str:
    decomposed = unicodedata.normalize("NFKD", line)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def format_address_block(lines: Sequence[str]) -> list[str]:
    """The lines as La Poste wants them (NF Z10-011): at most 6, each at most 38 characters.

    Blank lines are dropped and spaces collapsed; a longer line is cut at a word; the last
    line (postcode and town, or the country abroad) is in capitals without accents.
    Raises :class:`AddressError` for no line or more than 6.
    """
    cleaned = [re.sub(r"\s+", " ", line).strip() for line in lines]
    kept = [_fit(line) for line in cleaned if line]
    if not kept:
        raise AddressError("empty postal address")
    if len(kept) > MAX_LINES:
        raise AddressError(f"{len(kept)} address lines, at most {MAX_LINES} fit the window")
    kept[-1] = _fit(_plain_capitals(kept[-1]))
    return kept


def address_block_html(lines: Sequence[str]) -> str:
    """``<div class="address">`` with the formatted, escaped lines."""
    body = "<br>".join(escape(line) for line in format_address_block(lines))
    return f'<div class="address">{body}</div>'


def letter_html(content_html: str, address_lines: Sequence[str], letterhead_html: str = "") -> str:
    """A whole letter: letterhead, the address in the window, then ``content_html``."""
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        f'<div class="letterhead">{letterhead_html}</div>{address_block_html(address_lines)}'
        f'<div class="letter-body">{content_html}</div></body></html>'
    )


class FetchRefused(ValueError):
    """A letter named a resource it may not have (WeasyPrint logs it and leaves it out)."""


class LocalFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher limited to ``data:`` URIs and the local ``files`` given."""

    def __init__(self, files: Iterable[Path | str] = ()) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.files = frozenset(Path(f).resolve() for f in files)

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and Path(unquote(urlsplit(url).path)).resolve() in self.files:
            return super().fetch(url, headers)
        raise FetchRefused(f"a letter may not load {url[:80]}")


@lru_cache(maxsize=1)
def _letter_stylesheet() -> weasyprint.CSS:
    """The letters' stylesheet, parsed once per process (every letter uses it)."""
    return weasyprint.CSS(string=LETTER_CSS)


def _document(
    html: str, base_url: str | None, files: Iterable[Path | str] = ()
) -> weasyprint.Document:
    stylesheet = _letter_stylesheet()
    fetcher = LocalFetcher(files)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet]
    )


def render_letter_pdf(
    html: str, *, base_url: str | None = None, files: Iterable[Path | str] = ()
) -> bytes:
    """One letter as PDF bytes; ``base_url`` resolves relative images, which load only from
    ``data:`` URIs and the local ``files`` named."""
    pdf: bytes = _document(html, base_url, files).write_pdf()
    return pdf


def merge_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """Stored letters merged, in order, into one document for printing."""
    if not pdfs:
        raise ValueError("no PDF to merge")
    writer = pypdf.PdfWriter()
    for pdf in pdfs:
        writer.append(pypdf.PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
