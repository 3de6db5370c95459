"""The registry of the API: every endpoint, in the order the description lists them."""

from __future__ import annotations

from web.api import (
    answers,
    chat_links,
    convocations,
    division_groups,
    events,
    imports,
    inbound,
    lessons,
    letters,
    notices,
    openapi,
    periods,
    settings,
    stats,
    students,
    templates,
)
from web.api.registry import Route


def all_routes() -> list[Route]:
    """Every route of /api/v1 — what is registered with aiohttp and what OpenAPI describes."""
    return [
        *students.ROUTES,
        *lessons.ROUTES,
        *stats.ROUTES,
        *events.ROUTES,
        *notices.ROUTES,
        *inbound.ROUTES,
        *answers.ROUTES,
        *chat_links.ROUTES,
        *convocations.ROUTES,
        *letters.ROUTES,
        *settings.ROUTES,
        *division_groups.ROUTES,
        *periods.ROUTES,
        *templates.ROUTES,
        *imports.ROUTES,
        openapi.ROUTE,
    ]
