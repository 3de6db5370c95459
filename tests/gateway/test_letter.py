"""Letters: A4 PDFs with the address in the envelope window, batches merged for printing."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from core.models import Usability
from core.services.ports import Message, SendFailed
from gateway.letter.pdf import (
    AddressError,
    format_address_block,
    letter_html,
    merge_pdfs,
    render_letter_pdf,
)
from gateway.letter.transport import LetterTransport
from tests.conftest import mode_of

ADDRESS = ["Madame Zoé   Dupont", "", "12 rue des Lilas", "75011 Paris"]
MM_PER_PX = 25.4 / 96


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def letter(name: str = "Zoé") -> str:
    return letter_html(f"<p>Madame, Monsieur,</p><p>{name} était absente.</p>", ADDRESS)


def test_the_address_block_follows_la_postes_rules() -> None:
    assert format_address_block(ADDRESS) == ["Madame Zoé Dupont", "12 rue des Lilas", "75011 PARIS"]
    assert format_address_block(["M. Léo Martin", "97400 Saint-Denis Cédex"])[-1] == (
        "97400 SAINT-DENIS CEDEX"
    )


def test_a_long_line_is_cut_at_a_word_to_38_characters() -> None:
    long = "Monsieur et Madame Jean-Baptiste Lefebvre-Dumoulin"
    [first, _] = format_address_block([long, "75001 Paris"])
    assert len(first) <= 38
    assert first == "Monsieur et Madame Jean-Baptiste"


def test_more_than_six_lines_or_none_cannot_be_printed() -> None:
    with pytest.raises(AddressError):
        format_address_block([f"ligne {n}" for n in range(7)])
    with pytest.raises(AddressError):
        format_address_block(["  ", ""])


def test_a_letter_is_an_a4_pdf_with_the_address_in_the_window() -> None:
    pdf = render_letter_pdf(letter())
    assert pdf.startswith(b"%PDF")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)

    positions: dict[str, tuple[float, float]] = {}

    def record(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
        if text.strip():
            positions[text.strip()] = (tm[4] * MM_PER_PX, tm[5] * MM_PER_PX)

    page.extract_text(visitor_text=record)
    left, baseline = positions["Madame Zoé Dupont"]
    assert left == pytest.approx(110, abs=0.5)
    assert 45 < baseline < 52  # first baseline just under the window's top edge at 45 mm
    assert positions["75011 PARIS"][0] == pytest.approx(110, abs=0.5)


def test_letters_merge_into_one_document_for_printing() -> None:
    pdfs = [render_letter_pdf(letter(name)) for name in ("Zoé", "Léo", "Inès")]
    assert page_count(merge_pdfs(pdfs)) == 3
    with pytest.raises(ValueError):
        merge_pdfs([])


async def test_the_transport_stores_the_pdf_and_leaves_it_to_be_posted(tmp_path: Path) -> None:
    message = Message(
        channel="letter",
        delivery_uuid="l-1",
        to="Madame Zoé Dupont",
        body="Madame, Monsieur,\nVotre enfant était absente.",
        extra={"address": "\n".join(ADDRESS)},
    )
    result = await LetterTransport(tmp_path).send(message)

    stored = tmp_path / "letters" / "l-1.pdf"
    assert stored.read_bytes().startswith(b"%PDF")
    assert (result.provider, result.provider_ref, result.delivered) == ("letter", "l-1", False)


@pytest.mark.usefixtures("lax_umask")
async def test_letters_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    message = Message(
        channel="letter", delivery_uuid="l-3", to="x", body="", attachment=b"%PDF-1.7"
    )
    await LetterTransport(tmp_path / "var").send(message)
    stored = tmp_path / "var" / "letters" / "l-3.pdf"
    assert (mode_of(stored), mode_of(stored.parent), mode_of(tmp_path / "var")) == (
        0o600,
        0o700,
        0o700,
    )


async def test_a_whole_letter_from_a_template_is_rendered_as_it_is(tmp_path: Path) -> None:
    message = Message(channel="letter", delivery_uuid="l-2", to="x", body="", html=letter())
    await LetterTransport(tmp_path).send(message)
    assert page_count((tmp_path / "letters" / "l-2.pdf").read_bytes()) == 1


async def test_an_address_that_does_not_fit_is_permanent(tmp_path: Path) -> None:
    address = "\n".join(f"ligne {n}" for n in range(8))
    message = Message(
        channel="letter", delivery_uuid="l-3", to="x", body="b", extra={"address": address}
    )
    with pytest.raises(SendFailed) as caught:
        await LetterTransport(tmp_path).send(message)
    assert (caught.value.permanent, caught.value.code) == (True, "address")
    assert caught.value.usability == Usability.INVALID
