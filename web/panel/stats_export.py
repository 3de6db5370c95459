"""The statistics page's tables as a CSV for French Excel (a section a table: its title, its
header, its rows, a blank line) and as an XLSX workbook (a sheet a table), through the
follow-up exports' writers."""

from __future__ import annotations

from openpyxl import Workbook

from web.panel.follow_up_export import Value, add_sheet, book_bytes, csv_bytes
from web.panel.stats_tables import Table


def _body(table: Table) -> list[list[Value]]:
    return [list(row) for row in table.rows]


def _percent(value: Value) -> Value:
    return round(value * 100, 1) if isinstance(value, int | float) else value


def stats_csv(tables: list[Table]) -> bytes:
    """Shares as percentages (« 12,3 » under a title ending in « (%) »)."""
    lines: list[list[Value]] = []
    for table in tables:
        shares = [c.kind == "pct" for c in table.columns]
        header: list[Value] = [
            c.title + (" (%)" if s else "") for c, s in zip(table.columns, shares, strict=True)
        ]
        rows = [
            [_percent(v) if s else v for v, s in zip(row, shares, strict=True)]
            for row in _body(table)
        ]
        lines += [[table.title], header, *rows, []]
    return csv_bytes(lines)


def stats_xlsx(tables: list[Table]) -> bytes:
    book = Workbook(write_only=True)
    for table in tables:
        formats = {i: "0.0%" for i, c in enumerate(table.columns) if c.kind == "pct"}
        header: list[Value] = [c.title for c in table.columns]
        add_sheet(book, table.title, header, _body(table), formats)
    return book_bytes(book)
