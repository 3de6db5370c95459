"""The follow-up search form as a query string: parsed into criteria, and written back.

One query string carries the search, its page and its extra columns, so a result page, its
exports, its pagination links and a saved search all say the same thing.

``student`` is a name prefix, or a student's id when it is all digits; ``kind``, ``reason``,
``state`` and ``col`` may repeat; ``cols=1`` says the column checkboxes were sent (so that
unchecking them all is kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from multidict import MultiDict, MultiMapping

from core.errors import Invalid
from core.i18n import Words
from core.queries.search import EXTRA_COLUMNS, SearchCriteria, parse_criteria
from web.panel.refusals import worded

PAGE_SIZE = 50
DEFAULT_COLUMNS = ("reason", "accepted", "settled")
SINGLE = {"division": "division", "group": "group", "set": "division_set", "sort": "sort"}
DATES = {"from": "date_from", "to": "date_to"}
MULTI = {"kind": "kinds", "reason": "reasons", "state": "states"}


@dataclass(frozen=True)
class SearchForm:
    """What the form asked: the criteria (None when refused), the columns, the raw values."""

    criteria: SearchCriteria | None
    columns: list[str]
    values: Mapping[str, str]
    lists: Mapping[str, list[str]]
    error: str | None = None


def _given(query: MultiMapping[str], name: str) -> str:
    return query.get(name, "").strip()


def _data(query: MultiMapping[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    student = _given(query, "student")
    if student.isdigit():
        data["student_id"] = int(student)
    elif student:
        data["student"] = student
    for name, field in (SINGLE | DATES).items():
        if value := _given(query, name):
            data[field] = value
    for name, field in MULTI.items():
        values = [v for v in query.getall(name, []) if v]
        if values:
            data[field] = values
    offset = _given(query, "offset")
    data["offset"] = offset if offset else 0
    return data


def columns_of(query: MultiMapping[str]) -> list[str]:
    """The extra columns chosen, in their own order (the defaults before any choice)."""
    if "cols" not in query and "col" not in query:
        return list(DEFAULT_COLUMNS)
    chosen = set(query.getall("col", []))
    return [c for c in EXTRA_COLUMNS if c in chosen]


def parse_form(query: MultiMapping[str], words: Words) -> SearchForm:
    """The form as submitted; a refused value leaves ``criteria`` None and says why."""
    values = {name: _given(query, name) for name in ("student", *SINGLE, *DATES)}
    lists = {name: [v for v in query.getall(name, []) if v] for name in MULTI}
    columns = columns_of(query)
    try:
        criteria = parse_criteria({**_data(query), "limit": PAGE_SIZE})
    except Invalid as error:
        return SearchForm(None, columns, values, lists, worded(words, error))
    return SearchForm(criteria, columns, values, lists)


def query_of(criteria: Mapping[str, Any], columns: list[str], *, offset: int | None = None) -> str:
    """The query string of saved criteria (``SearchCriteria.saved()``) and columns."""
    pairs: list[tuple[str, str]] = []
    if criteria.get("student_id") is not None:
        pairs.append(("student", str(criteria["student_id"])))
    elif criteria.get("student"):
        pairs.append(("student", str(criteria["student"])))
    for name, field in (SINGLE | DATES).items():
        if criteria.get(field) not in (None, ""):
            pairs.append((name, str(criteria[field])))
    for name, field in MULTI.items():
        pairs.extend((name, str(v)) for v in criteria.get(field) or [])
    pairs.append(("cols", "1"))
    pairs.extend(("col", c) for c in columns)
    if offset:
        pairs.append(("offset", str(offset)))
    return urlencode(pairs)


def form_query(form: SearchForm, *, offset: int | None = None) -> str:
    """The query string of the current search, at another offset."""
    saved = form.criteria.saved() if form.criteria else {}
    return query_of(saved, form.columns, offset=offset)


def parse_query_string(text: str) -> MultiDict[str]:
    """A query string (as posted back by the save form) as a multi-valued mapping."""
    return MultiDict(parse_qsl(text, keep_blank_values=False))
