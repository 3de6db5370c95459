"""Exports of follow-up results: CSV for French Excel (UTF-8 with BOM, ``;``) and XLSX.

Text that a spreadsheet would run as a formula is written as text
(:func:`core.rules.spreadsheet.formula_safe`): a comment typed by anyone must never become a
formula on the CPE's computer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.i18n import Words
from core.queries.search import EventRow
from core.rules.spreadsheet import formula_safe
from web.panel.labels import label

BASE_COLUMNS = ("student", "division", "kind", "from", "to")
Value = str | int | float | datetime | None


def _yes_no(words: Words) -> Callable[[bool | None], str]:
    def word(value: bool | None) -> str:
        if value is None:
            return words.gettext("À décider")
        return words.gettext("Oui") if value else words.gettext("Non")

    return word


def cells(row: EventRow, columns: list[str], words: Words) -> list[Value]:
    """The row's values for the base columns then the chosen extra ones."""
    word = _yes_no(words)
    values: dict[str, Value] = {
        "student": row.student,
        "division": row.division,
        "kind": label(words, "fu.kind", row.kind),
        "from": row.starts_at.replace(tzinfo=None),
        "to": row.ends_at.replace(tzinfo=None) if row.ends_at else None,
        "reason": row.reason,
        "justification": row.justification,
        "recorded_by": row.recorded_by,
        "source": label(words, "fu.source", row.source),
        "comment": row.comment,
        "accepted": word(row.accepted),
        "settled": word(row.settled),
        "counts": word(row.counts),
        "notices": row.notices,
        "guardian_phone": row.guardian_phone,
    }
    return [values[name] for name in (*BASE_COLUMNS, *columns)]


def headers(columns: list[str], words: Words) -> list[str]:
    return [label(words, "fu.col", name) for name in (*BASE_COLUMNS, *columns)]


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return formula_safe(str(value)) if isinstance(value, str) else str(value)


def csv_bytes(lines: list[list[Value]]) -> bytes:
    """Lines as CSV for French Excel: UTF-8 with a BOM, ``;`` between fields, CRLF (decimals
    with a comma)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in lines:
        writer.writerow([_csv_value(v) for v in line])
    return out.getvalue().encode("utf-8-sig")


def to_csv(rows: list[EventRow], columns: list[str], words: Words) -> bytes:
    """The rows as CSV for French Excel (:func:`csv_bytes`), their header first."""
    header: list[Value] = list(headers(columns, words))
    return csv_bytes([header, *(cells(row, columns, words) for row in rows)])


def _xlsx_cells(sheet: Any, values: list[Value]) -> Iterator[WriteOnlyCell]:
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        elif isinstance(value, datetime):
            cell.number_format = "DD/MM/YYYY HH:MM"
        yield cell


DATE_WIDTH = len("31/12/2026 23:59")
MIN_WIDTH, MAX_WIDTH = 8, 60  # characters: a column fits its longest value, within bounds


def _width(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return DATE_WIDTH
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(table: list[list[Value]]) -> list[int]:
    """Each column's width in characters: its longest value (the header included) and a margin
    for the filter's button, within ``MIN_WIDTH``..``MAX_WIDTH``."""
    widths = [max(_width(value) for value in column) for column in zip(*table, strict=True)]
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 3)) for width in widths]


def add_sheet(
    book: Workbook,
    title: str,
    header: list[Value],
    body: list[list[Value]],
    formats: dict[int, str] | None = None,
) -> None:
    """A sheet of ``book``: its header row frozen and filtered, each column as wide as its
    content (within bounds); ``formats``: a number format by column index."""
    sheet = book.create_sheet(title=title[:31])
    for index, width in enumerate(column_widths([header, *body]), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{len(body) + 1}"
    sheet.append(header)
    for values in body:
        row = list(_xlsx_cells(sheet, values))
        for index, number_format in (formats or {}).items():
            if isinstance(values[index], int | float):
                row[index].number_format = number_format
        sheet.append(row)


def book_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx(rows: list[EventRow], columns: list[str], words: Words, title: str) -> bytes:
    """The rows as an XLSX workbook of one sheet (:func:`add_sheet`), dates as real
    spreadsheet dates."""
    book = Workbook(write_only=True)
    body = [cells(row, columns, words) for row in rows]
    add_sheet(book, title, list(headers(columns, words)), body)
    return book_bytes(book)
