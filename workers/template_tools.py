"""The template editor's tools behind core's ports: the worker's sandboxed renderer and the
letter channel's PDF renderer (a preview stored nowhere).

Web may not import gateway; the composition root (``cli``) builds a
:class:`core.services.ports.TemplateTools` here and hands it to ``web.app.create_app``. With the
runtime's channels, previews render through the very letter transport the in-process worker
uses (one WeasyPrint render at a time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.services.ports import Message, TemplateTools
from core.settings import Settings
from gateway.letter.transport import LetterTransport
from gateway.render import TemplateError
from gateway.render_trial import render_contained
from workers.senders import Channels, render, render_failed


class LetterPreview:
    """Core's ``LetterPreviewer`` over a :class:`LetterTransport`."""

    def __init__(self, transport: LetterTransport) -> None:
        self.transport = transport

    async def pdf(self, message: Message) -> bytes:
        return await self.transport.preview(message)  # SendFailed as it is


def build_template_tools(settings: Settings, channels: Channels | None = None) -> TemplateTools:
    """The tools of this configuration (``channels``: the runtime's, when it has them)."""
    transport = channels.transports.get("letter") if channels is not None else None
    if not isinstance(transport, LetterTransport):
        transport = LetterTransport(settings.var_dir)
    return TemplateTools(render=render, contain=contain, letters=LetterPreview(transport))


async def contain(renders: Sequence[tuple[str, Mapping[str, object]]]) -> None:
    """Core's ``ContainedRenderer``: gateway's limited child process, errors as core's."""
    try:
        await render_contained(renders)
    except TemplateError as error:
        raise render_failed(error) from error
