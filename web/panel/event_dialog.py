"""What the event dialog needs on a page (the grid, the follow-up, the student's file): the
school's reasons and justification types, the kinds, and the script's words and addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.queries.scope import reader_scope
from core.queries.settings import active_justifications, generic_reasons, reasons
from core.rules.counting import EventKind
from core.rules.permissions import Permission
from core.rules.visibility import ReasonShown, Visibility
from web.panel.guard import Page
from web.panel.labels import families


@dataclass(frozen=True)
class Choice:
    """A reason as the dialog offers it (a national generic one fits both kinds)."""

    code: str
    label: str
    colour: str = ""
    for_absence: bool = True
    for_lateness: bool = True
    counts: bool = True
    legitimate_by_default: bool | None = None


async def _reasons(page: Page, view: Visibility) -> list[Any]:
    """The school's reasons; to a reader who sees only the generic reason, those."""
    if view.reason == ReasonShown.LOCAL:
        return list(await reasons(page.school, active_only=True))
    return [Choice(g.code, g.label) for g in await generic_reasons()]


async def dialog_context(page: Page) -> dict[str, Any]:
    """The template's context for ``_event_dialog.html``, within what the reader may see."""
    base = f"/s/{page.school.uai}/grid/events"
    view = (await reader_scope(page.school, page.user.id, page.role)).view
    return {
        "reasons": await _reasons(page, view),
        "justifications": await active_justifications(page.school) if view.medical else [],
        "kinds": [kind.value for kind in EventKind],
        "dialog": {
            "csrf": page.csrf,
            "readonly": not page.can(Permission.WRITE_EVENTS),
            "urls": {"event": base + "/{id}"},
            "t": families(page.words.language)["grid"],
        },
    }
