"""Reports printed as PDF by the panel (the DASEN report, the statistics' reports): the HTML goes
through the letters' WeasyPrint machinery of the mailroom, which only a panel started with
``absences serve`` has (503 otherwise, with a French sentence)."""

from __future__ import annotations

import uuid

from aiohttp import web

from core.services.ports import Mailroom, Message, SendFailed
from web.keys import MAILROOM
from web.panel.guard import Page


def mailroom_of(page: Page) -> Mailroom:
    """The panel's mailroom, or 503 when it was started without one."""
    mailroom = page.request.config_dict.get(MAILROOM)
    if mailroom is None:
        raise web.HTTPServiceUnavailable(
            text=page.gettext(
                "Les fichiers des courriers ne sont pas accessibles depuis ce "
                "processus : démarrez le panneau avec « absences serve »."
            )
        )
    return mailroom


async def pdf_download(
    page: Page, mailroom: Mailroom, html: str, *, prefix: str, name: str
) -> web.Response:
    """``html`` as a PDF attachment named ``name`` (503 when it could not be made)."""
    message = Message(
        delivery_uuid=f"{prefix}-{uuid.uuid4()}", channel="letter", to="", body="", html=html
    )
    try:
        pdf = await mailroom.letters.pdf(message)
    except SendFailed:
        raise web.HTTPServiceUnavailable(
            text=page.gettext("Le rapport n'a pas pu être mis en PDF.")
        ) from None
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return web.Response(body=pdf, content_type="application/pdf", headers=headers)
