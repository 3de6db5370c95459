"""TwiML scripts for automated calls: the message and its keypad menu, said twice.

The call template (``templates/messages/<kind>/call.<lang>.txt``, schools edit their own) holds
both: the message, then a line ``---``, then the menu a family hears ("Appuyez sur 1 …"). A
template without that line is the message alone, with the default menu below. The keys
(``core.services.notices.keypad``): 1 the family knows (thanks), 2 asks to be called back (passed
on to the vie scolaire), 3 hears the message again, any other key hears the menu again
(``core.rules.keypad``).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from core.i18n import N_, supported, words
from core.rules.keypad import ACKNOWLEDGE, CALL_BACK, REPEAT

MENU_SEPARATOR = "---"  # the line between the message and its menu in a call template
MENU = N_(
    "Appuyez sur 1 si vous avez bien reçu ce message, sur 2 pour être rappelé par la vie "
    "scolaire, sur 3 pour réécouter ce message."
)
THANKS = N_("Merci, nous avons bien noté que vous avez reçu ce message. Au revoir.")
CALLBACK = N_("Merci, votre demande de rappel est transmise à la vie scolaire. Au revoir.")
GOODBYE = N_("Au revoir.")
VOICE_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def _short(language: str) -> str:
    return supported(language.split("-")[0].lower())


def voice_language(language: str) -> str:
    """Twilio's ``<Say language>`` for ``fr``/``en`` (or a full tag such as ``fr-FR``)."""
    return language if "-" in language else VOICE_LANGUAGES[_short(language)]


@dataclass(frozen=True, slots=True)
class Script:
    """A call's words: the message and its menu."""

    message: str
    menu: str


def split_script(text: str, language: str = "fr") -> Script:
    """The message and the menu of a rendered call template (see the module's docstring)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == MENU_SEPARATOR:
            message = "\n".join(lines[:index]).strip()
            menu = "\n".join(lines[index + 1 :]).strip()
            return Script(message, menu or words(_short(language)).gettext(MENU))
    return Script(text.strip(), words(_short(language)).gettext(MENU))


def _say(text: str, language: str) -> str:
    return f"<Say language={quoteattr(language)}>{escape(text)}</Say>"


def _xml(inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'


def _gather(said: list[str], language: str, action_url: str | None) -> str:
    """Words said inside a ``<Gather>`` of one key, POSTed to ``action_url``."""
    lang = voice_language(language)
    action = f" action={quoteattr(action_url)}" if action_url else ""
    inside = "".join(_say(text, lang) for text in said if text)
    return f'<Gather numDigits="1"{action} method="POST" timeout="6">{inside}</Gather>'


def _goodbye(language: str) -> str:
    return _say(words(_short(language)).gettext(GOODBYE), voice_language(language))


def render_twiml(text: str, language: str = "fr-FR", action_url: str | None = None) -> str:
    """The call script: the message and its menu inside a ``<Gather>``, then once again.

    ``text`` is the rendered call template (message, ``---``, menu). The key pressed is POSTed
    to ``action_url`` (Twilio's ``Digits``). Without an answer Twilio goes on to the next verb:
    the repeat, then a goodbye.
    """
    script = split_script(text, language)
    gather = _gather([script.message, script.menu], language, action_url)
    return _xml(f"{gather}{gather}{_goodbye(language)}")


def render_gather_reply(
    digits: str,
    language: str = "fr-FR",
    text: str | None = None,
    action_url: str | None = None,
) -> str:
    """What the call says after a key, ``text`` being the call's rendered template (None: not
    at hand, the default menu is said): thanks for a 1, the call back passed on for a 2, then
    hang up; the message and its menu again for a 3, the menu again for any other key (each
    once more if no key follows, then goodbye)."""
    said = words(_short(language))
    if digits in (ACKNOWLEDGE, CALL_BACK):
        message = THANKS if digits == ACKNOWLEDGE else CALLBACK
        return _xml(f"{_say(said.gettext(message), voice_language(language))}<Hangup/>")
    script = split_script(text or "", language)
    again = [script.message, script.menu] if digits == REPEAT else [script.menu]
    gather = _gather(again, language, action_url)
    return _xml(f"{gather}{gather}{_goodbye(language)}")


def render_goodbye(language: str = "fr-FR") -> str:
    """A goodbye, then hang up: the answer to a key on a call we know nothing of."""
    return _xml(f"{_goodbye(language)}<Hangup/>")
