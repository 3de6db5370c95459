"""The channels of this process and the sandboxed renderer, as core's ports.

Core's ``deliver`` knows only :mod:`core.services.ports`: each provider's adapter (built by
``gateway.registry`` from the settings) is already a ``Sender`` raising ``SendFailed``; this
module holds them by channel, with what the tasks keep next to them, and wraps gateway's
jinja2 sandbox as core's renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.services.ports import RenderFailed, Sender, Transport
from core.settings import Settings
from gateway.registry import build_transports, close_transports
from gateway.render import TemplateError, render_message
from gateway.render_pool import POOL, RenderPool, TemplateTooLong
from gateway.render_trial import TemplateTooCostly


def render_failed(error: TemplateError) -> RenderFailed:
    """Gateway's template error as core's, with its reason."""
    reason = "error"
    if isinstance(error, TemplateTooLong):
        reason = "too_long"
    elif isinstance(error, TemplateTooCostly):
        reason = "too_costly"
    return RenderFailed(str(error), reason=reason)


class SandboxRenderer:
    """Core's ``Renderer`` and ``SendRenderer``: gateway's jinja2 sandbox here, or in the
    limited processes of a :class:`~gateway.render_pool.RenderPool` (``bounded``); the errors
    as ``RenderFailed``."""

    def __init__(self, pool: RenderPool = POOL) -> None:
        self.pool = pool

    def __call__(self, source: str, context: Mapping[str, object], /) -> str:
        try:
            return render_message(source, context)
        except TemplateError as error:
            raise render_failed(error) from error

    async def bounded(self, source: str, context: Mapping[str, object], /) -> str:
        try:
            return await self.pool.render(source, context)
        except TemplateError as error:
            raise render_failed(error) from error


render = SandboxRenderer()  # the process's: its pool is gateway's POOL


@dataclass
class Channels:
    """The senders by channel, and the transports behind them (to close)."""

    senders: dict[str, Sender]
    transports: Mapping[str, Transport] = field(default_factory=dict)
    # what the tasks keep per process next to the senders (the delivery batcher): each job's
    # ctx is a copy, so it cannot live there
    state: dict[str, Any] = field(default_factory=dict)

    async def close(self) -> None:
        """Close every transport once."""
        await close_transports(self.transports)


def wrap(transports: Mapping[str, Transport]) -> Channels:
    """The channels of the given adapters (tests pass their own here)."""
    senders: dict[str, Sender] = dict(transports)
    return Channels(senders, dict(transports))


def build_channels(settings: Settings) -> Channels:
    """The channels this configuration offers (``gateway.registry.build_transports``)."""
    return wrap(build_transports(settings))
