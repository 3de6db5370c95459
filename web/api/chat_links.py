"""A guardian's one-time code to link their Telegram chat (the roles that handle families'
replies: the chat feeds their queue)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.queries.common import zone
from core.rules.permissions import Permission
from core.services.access.chat_links import issue_code
from core.services.notices.chat_invitations import deep_link
from core.services.schools.school import now_utc
from web.api.registry import Call, Route
from web.keys import SETTINGS

LINK_CODE = "/schools/{uai}/guardians/{id}/link-code"


class LinkCodeOut(BaseModel):
    """A new one-time code: shown once (only its hash is kept)."""

    code: str = Field(
        description="10 characters without look-alikes; the family sends `/start CODE` to the bot",
        examples=["K7QM2XHPRA"],
    )
    expires_at: datetime = Field(description="48 h from now, in the school's zone; single use")
    link: str | None = Field(
        description="the deep link `https://t.me/<bot>?start=<code>` (null when "
        "`ABSENCES_TELEGRAM_BOT_USERNAME` is not set)",
        examples=["https://t.me/lycee_absences_bot?start=K7QM2XHPRA"],
    )


async def link_code(call: Call) -> LinkCodeOut:
    """Issue a one-time Telegram code for a guardian of the school."""
    issued = await issue_code(call.school, call.actor, call.path_id(), now=now_utc())
    username = call.request.config_dict[SETTINGS].telegram_bot_username
    return LinkCodeOut(
        code=issued.code,
        expires_at=issued.expires_at.astimezone(zone(call.school)),
        link=deep_link(username, issued.code),
    )


ROUTES = [
    Route(
        "POST",
        LINK_CODE,
        link_code,
        summary="Issue a guardian's one-time code to link a Telegram chat",
        permission=Permission.DECIDE,
        response=LinkCodeOut,
        status=201,
        tag="students",
        description="A new code for the guardian (a person of the school, by id as the "
        "students' `guardians` list them): 10 characters, valid 48 hours, used once; earlier "
        "codes stay valid until used or expired. The family sends `/start CODE` to the bot, or "
        "opens `link`. Only the code's hash is kept: it cannot be read again. Audited "
        "(`link_code.create`, without the code). 404 `unknown_guardian` for a person of "
        "another school or one that does not exist.",
    ),
]
