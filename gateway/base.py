"""What every provider folder under ``gateway/`` keeps and declares.

An adapter knows one provider. It is a :class:`core.services.ports.Sender` (and a
:class:`~core.services.ports.Transport`: a provider name, a ``close``): it takes a
:class:`~core.services.ports.Message`, answers :class:`~core.services.ports.Accepted`, and raises
:class:`~core.services.ports.SendFailed` for every failure — ``permanent`` telling whether trying
again can help (a 5xx, a timeout or a 429 is transient; an invalid number, an opted-out recipient
or a blocked bot is permanent) and ``usability`` what the failure says of the contact point,
read from the provider's own codes here, never in core.

Each provider folder declares a :class:`Provider`: which channels it can carry and how it builds
its adapters from the settings; :mod:`gateway.registry` lists the declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.services.ports import Accepted, Message, SendFailed, Transport
from core.settings import Settings

__all__ = ["Accepted", "Message", "Provider", "SendFailed", "Transport"]


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider: its ``name``, the ``channels`` it can carry, and ``build``, the adapters it
    serves in a configuration by channel (none when the settings do not choose it; raises
    :class:`core.settings.SettingsError` when they choose it without what it needs)."""

    name: str
    channels: tuple[str, ...]
    build: Callable[[Settings], Mapping[str, Transport]]
