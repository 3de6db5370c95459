"""The read side: queries the panel, the CLI and the API share. Reads only, never writes."""

from core.queries.common import Page
from core.queries.dashboard import Dashboard, dashboard
from core.queries.scope import ALL, Scope, reader_scope
from core.queries.search import (
    EXTRA_COLUMNS,
    EventRow,
    EventState,
    SearchCriteria,
    SortKey,
    parse_criteria,
    search_events,
)
from core.queries.student_file import student_file

__all__ = [
    "ALL",
    "EXTRA_COLUMNS",
    "Dashboard",
    "EventRow",
    "EventState",
    "Page",
    "Scope",
    "SearchCriteria",
    "SortKey",
    "dashboard",
    "parse_criteria",
    "reader_scope",
    "search_events",
    "student_file",
]
