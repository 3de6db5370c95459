"""Sentences several routers say."""

from __future__ import annotations

from core.i18n import N_, Words

NOT_LINKED = N_(
    "Ce fil n'est relié à aucun responsable : demandez un code à la vie scolaire de "
    "l'établissement, puis envoyez « /start CODE »."
)
NOTHING_OPEN = N_("Aucune absence en cours.")
CHANNELS = {
    "chat": N_("Telegram"),
    "sms": N_("SMS"),
    "call": N_("Appel téléphonique"),
    "email": N_("E-mail"),
    "letter": N_("Courrier postal"),
}


def say(words: Words, text: str, **values: object) -> str:
    """``text`` in the reader's language, with its ``{placeholders}`` filled."""
    return words.gettext(text).format(**values) if values else words.gettext(text)


def when(words: Words, moment: object) -> str:
    """A day and an hour as the reader writes them."""
    return words.format_datetime(moment, "EEEE d MMMM, HH:mm")
