"""TwiML scripts for automated calls: the message, "press 1 to confirm", said twice."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from core.i18n import N_, supported, words

PROMPT = N_("Appuyez sur 1 pour confirmer la réception de ce message.")
THANKS = N_("Merci, votre confirmation est enregistrée. Au revoir.")
GOODBYE = N_("Au revoir.")
VOICE_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def _short(language: str) -> str:
    return supported(language.split("-")[0].lower())


def voice_language(language: str) -> str:
    """Twilio's ``<Say language>`` for ``fr``/``en`` (or a full tag such as ``fr-FR``)."""
    return language if "-" in language else VOICE_LANGUAGES[_short(language)]


def _say(text: str, language: str) -> str:
    return f"<Say language={quoteattr(language)}>{escape(text)}</Say>"


def render_twiml(text: str, language: str = "fr-FR", action_url: str | None = None) -> str:
    """The call script: the message and the prompt inside a ``<Gather>``, then once again.

    The key pressed is POSTed to ``action_url`` (Twilio's ``Digits``). Without an answer
    Twilio goes on to the next verb: the repeat, then a goodbye.
    """
    lang = voice_language(language)
    said = words(_short(language))
    prompt = said.gettext(PROMPT)
    action = f" action={quoteattr(action_url)}" if action_url else ""
    gather = (
        f'<Gather numDigits="1"{action} method="POST" timeout="6">'
        f"{_say(text, lang)}{_say(prompt, lang)}</Gather>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response>{gather}{gather}{_say(said.gettext(GOODBYE), lang)}</Response>"
    )


def render_gather_reply(digits: str, language: str = "fr-FR") -> str:
    """What the call says after a key: thanks for a 1, otherwise just goodbye; then hang up."""
    lang = voice_language(language)
    message = THANKS if digits == "1" else GOODBYE
    said = words(_short(language)).gettext(message)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{_say(said, lang)}<Hangup/></Response>'
