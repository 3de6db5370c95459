"""A cell of a CSV export never starts what a spreadsheet would run as a formula."""

from __future__ import annotations

import pytest

from core.rules.spreadsheet import formula_safe


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\rcmd",
        " =1+1",
        "   @SUM(A1)",
        "\n=1+1",
        "\r\n+cmd",
        " \t\n-1",
    ],
)
def test_text_a_spreadsheet_would_run_is_written_as_text(text: str) -> None:
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["Malade", " malade", "\nmalade", "a=b", "1-2", "", "   ", "+33612345678"],
)
def test_plain_text_and_our_phone_numbers_stay_as_they_are(text: str) -> None:
    assert formula_safe(text) == text
