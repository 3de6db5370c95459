"""Letters: a notice becomes a PDF for a window envelope (``pdf.py``) stored in
``{var_dir}/letters/`` (``transport.py``); staff print the batch and post it. Always on."""

from __future__ import annotations

from core.services.ports import Transport
from core.settings import Settings
from gateway.base import Provider
from gateway.letter.transport import LetterTransport

__all__ = ["PROVIDER", "LetterTransport"]


def build(settings: Settings) -> dict[str, Transport]:
    """The letter channel, in every configuration."""
    return {"letter": LetterTransport(settings.var_dir)}


PROVIDER = Provider("letter", ("letter",), build)
