"""TwiML scripts for automated calls: the message, "press 1 to confirm", said twice."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

PROMPTS = {
    "fr": "Appuyez sur 1 pour confirmer la réception de ce message.",
    "en": "Press 1 to confirm that you received this message.",
}
THANKS = {
    "fr": "Merci, votre confirmation est enregistrée. Au revoir.",
    "en": "Thank you, your confirmation has been recorded. Goodbye.",
}
GOODBYE = {"fr": "Au revoir.", "en": "Goodbye."}
VOICE_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def _short(language: str) -> str:
    short = language.split("-")[0].lower()
    return short if short in PROMPTS else "fr"


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
    prompt = PROMPTS[_short(language)]
    action = f" action={quoteattr(action_url)}" if action_url else ""
    gather = (
        f'<Gather numDigits="1"{action} method="POST" timeout="6">'
        f"{_say(text, lang)}{_say(prompt, lang)}</Gather>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response>{gather}{gather}{_say(GOODBYE[_short(language)], lang)}</Response>"
    )


def render_gather_reply(digits: str, language: str = "fr-FR") -> str:
    """What the call says after a key: thanks for a 1, otherwise just goodbye; then hang up."""
    lang = voice_language(language)
    words = THANKS if digits == "1" else GOODBYE
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response>{_say(words[_short(language)], lang)}<Hangup/></Response>"
    )
