"""The statistics page's tables and charts, from its figures (services.stats.indicators): the
same tables make the page, the CSV and the XLSX; each chart draws one table (rules.charts
computes its coordinates, templates/web/_charts.html draws it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.i18n import Words
from core.rules.charts import (
    BarChart,
    LineChart,
    horizontal_bars,
    lines,
    number,
    percent,
    shade,
    vertical_bars,
)
from core.rules.counting import EventKind
from core.services.stats.indicators import Indicators
from web.panel.labels import label

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: str = "text"  # text | int | num (a half-day count) | pct (a share)


@dataclass(slots=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    def shown(self, words: Words) -> list[list[str]]:
        """The rows as the page writes them (« 1,5 », « 12,3 % »)."""
        return [
            [
                shown(cell, column.kind, words.language)
                for cell, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def shown(cell: Cell, kind: str, language: str) -> str:
    if cell is None:
        return "—"
    if kind == "pct" and isinstance(cell, int | float):
        return percent(cell, language)
    if kind in ("num", "int") and isinstance(cell, int | float):
        return number(cell, language, 2 if kind == "num" else 0)
    return str(cell)


def _lateness(found: Indicators) -> bool:
    return found.selection.kind == EventKind.LATENESS


def key_figures(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    mode = found.mode
    table = Table("figures", _("Chiffres clés"), [Column(_("Indicateur")), Column(_("Valeur"))])
    rows: list[tuple[str, Cell, str]] = [(_("Élèves"), found.enrolled, "int")]
    if _lateness(found):
        rows += [
            (_("Retards"), found.lateness.count, "int"),
            (_("Minutes de retard"), found.lateness.minutes, "int"),
        ]
    else:
        rows += [
            (_("Demi-journées d'absence"), found.absences.half_days(mode), "num"),
            (
                _("dont non justifiées"),
                found.absences.half_days(mode, unjustified=True),
                "num",
            ),
            (_("Part du temps de cours manqué"), found.lost(), "pct"),
            (_("dont sans justification"), found.lost(unjustified=True), "pct"),
        ]
    rows.append((_("Indicateur DEPP (moyenne septembre–avril)"), found.depp_mean, "pct"))
    table.rows = [[name, shown(value, kind, words.language)] for name, value, kind in rows]
    return table


def divisions(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    late = _lateness(found)
    columns = [Column(_("Classe")), Column(_("Élèves"), "int")]
    if late:
        columns += [Column(_("Retards"), "int"), Column(_("Minutes de retard"), "int")]
    else:
        columns += [
            Column(_("Demi-journées"), "num"),
            Column(_("Non justifiées"), "num"),
            Column(_("Demi-journées par élève"), "num"),
        ]
    columns.append(Column(_("Indicateur DEPP"), "pct"))
    table = Table("divisions", _("Classes"), columns)
    for row in ranked_divisions(found):
        cells: list[Cell] = [row.code, row.enrolled]
        if late:
            cells += [row.lateness.count, row.lateness.minutes]
        else:
            every = row.absences.half_days(found.mode)
            cells += [
                every,
                row.absences.half_days(found.mode, unjustified=True),
                round(every / row.enrolled, 2) if row.enrolled else None,
            ]
        table.rows.append([*cells, row.depp_rate])
    return table


def ranked_divisions(found: Indicators) -> list[Any]:
    """The divisions, the most absent (or late) first."""

    def weight(row: Any) -> float:
        if _lateness(found):
            return float(row.lateness.count)
        return float(row.absences.half_days(found.mode))

    return sorted(found.divisions, key=lambda row: (-weight(row), row.code))


def reasons(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    late = _lateness(found)
    columns = [Column(_("Motif national"))]
    if late:
        columns += [Column(_("Retards"), "int"), Column(_("Minutes de retard"), "int")]
    else:
        columns += [
            Column(_("Absences"), "int"),
            Column(_("Demi-journées"), "num"),
            Column(_("Non justifiées"), "num"),
        ]
    table = Table("reasons", _("Par motif"), columns)
    for row in found.reasons:
        name = row.label or _("Sans motif")
        if late:
            table.rows.append([name, row.events, row.minutes])
        else:
            table.rows.append([name, row.events, row.half_days, row.unjustified])
    return table


def slots(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    late = _lateness(found)
    columns = [Column(_("Jour")), Column(_("Demi-journée"))]
    if late:
        columns.append(Column(_("Retards"), "int"))
    else:
        columns += [
            Column(_("Demi-journées"), "num"),
            Column(_("Non justifiées"), "num"),
            Column(_("Part des demi-journées de cours"), "pct"),
        ]
    table = Table("slots", _("Par jour et demi-journée"), columns)
    for row in found.slots:
        day = label(words, "settings.weekday", row.weekday)
        half = label(words, "settings.half", str(row.half))
        if late:
            table.rows.append([day, half, row.lateness])
        else:
            table.rows.append([day, half, row.half_days, row.unjustified, row.rate])
    return table


def weeks(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    what = _("Retards") if _lateness(found) else _("Demi-journées")
    columns = [
        Column(_("Semaine")),
        Column(_("Commence le")),
        Column(what, "num"),
        Column(_("Même semaine l'an dernier"), "num"),
    ]
    table = Table("weeks", _("Semaine par semaine"), columns)
    for row in found.weeks:
        table.rows.append(
            [str(row.week[1]), row.monday.strftime("%d/%m/%Y"), row.value, row.before]
        )
    return table


def depp(found: Indicators, words: Words) -> Table:
    _ = words.gettext
    columns = [
        Column(_("Mois")),
        Column(_("Élèves inscrits"), "int"),
        Column(_("4 demi-journées non justifiées ou plus"), "int"),
        Column(_("Taux"), "pct"),
    ]
    table = Table("depp", _("Indicateur mensuel de la DEPP"), columns)
    for (year, month), rate in found.depp:
        name = words.format_date(date(year, month, 1), "LLLL yyyy")
        table.rows.append([name, rate.enrolled, rate.over_threshold, rate.rate])
    if found.depp:
        table.rows.append([_("Moyenne"), None, None, found.depp_mean])
    return table


def tables(found: Indicators, words: Words) -> list[Table]:
    """The page's tables in its order (the key figures first)."""
    return [
        key_figures(found, words),
        divisions(found, words),
        reasons(found, words),
        slots(found, words),
        weeks(found, words),
        depp(found, words),
    ]


@dataclass(frozen=True, slots=True)
class Charts:
    divisions: BarChart
    reasons: BarChart
    slots: list[list[Any]]  # rows of the grid: a weekday and its two halves' (value, shade)
    slot_top: float
    weeks: LineChart
    depp: BarChart


def charts(found: Indicators, words: Words) -> Charts:
    """Each table's chart (values in the school's counting mode, or lateness)."""
    late = _lateness(found)
    ranked = ranked_divisions(found)
    if late:
        by_division = [(row.code, float(row.lateness.count)) for row in ranked]
        by_reason = [
            (row.label or words.gettext("Sans motif"), float(row.events)) for row in found.reasons
        ]
    else:
        by_division = [(row.code, float(row.absences.half_days(found.mode))) for row in ranked]
        by_reason = [
            (row.label or words.gettext("Sans motif"), row.half_days) for row in found.reasons
        ]
    values = {
        (s.weekday, str(s.half)): float(s.lateness if late else s.half_days) for s in found.slots
    }
    top = max(values.values(), default=0.0)
    days = sorted({weekday for weekday, _ in values})
    grid = [
        [
            label(words, "settings.weekday", weekday),
            *[
                (values.get((weekday, half)), shade(values.get((weekday, half)), top))
                for half in ("am", "pm")
            ],
        ]
        for weekday in days
    ]
    weekly = lines(
        [str(row.week[1]) for row in found.weeks],
        [[row.value for row in found.weeks], [row.before for row in found.weeks]],
    )
    months = [
        (words.format_date(date(year, month, 1), "LLL"), rate.rate)
        for (year, month), rate in found.depp
    ]
    return Charts(
        horizontal_bars(by_division),
        horizontal_bars(by_reason),
        grid,
        top,
        weekly,
        vertical_bars(months, mean=found.depp_mean),
    )
