"""The languages a school may write to families in, and a family's "LANGUE EN" keyword.

Absences's own words (the panel, the bot, the confirmations) are French and English
(``core.i18n.LANGUAGES``); the notices are the school's templates, which a school may write in
any language of :data:`NOTICE_LANGUAGES` (a bounded list: a code is a column of a template and
of a person, never free text). A guardian whose language has no template for a notice gets it
in French (``core.services.templates.messages.choose_text``).

Each language is named in its own words ("Español"): that name reads right in any interface.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

SHIPPED = ("fr", "en")  # the languages Absences ships every template in
NOTICE_LANGUAGES: dict[str, str] = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "it": "Italiano",
    "de": "Deutsch",
    "ar": "العربية",
    "tr": "Türkçe",
    "ro": "Română",
    "pl": "Polski",
    "ru": "Русский",
    "uk": "Українська",
    "zh": "中文",
    "vi": "Tiếng Việt",
}
# Other names a family may write after the keyword (folded: lowercase, no accents)
OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("francais", "french", "frances", "franzosisch", "fransizca"),
    "en": ("anglais", "ingles", "inglese", "englisch", "ingilizce"),
    "es": ("espagnol", "spanish", "espanol", "castellano", "spagnolo"),
    "pt": ("portugais", "portuguese", "portugues"),
    "it": ("italien", "italian", "italiano"),
    "de": ("allemand", "german", "deutsch", "aleman"),
    "ar": ("arabe", "arabic", "arabi"),
    "tr": ("turc", "turkish", "turkce"),
    "ro": ("roumain", "romanian", "romana"),
    "pl": ("polonais", "polish", "polski"),
    "ru": ("russe", "russian", "russkiy"),
    "uk": ("ukrainien", "ukrainian"),
    "zh": ("chinois", "chinese"),
    "vi": ("vietnamien", "vietnamese"),
}
# The words that ask for a language, in the languages families write in
KEYWORDS = frozenset(
    {"langue", "language", "lang", "idioma", "lingua", "sprache", "dil", "limba", "jezyk"}
)


def is_notice_language(code: object) -> bool:
    """Whether ``code`` is a language templates may be written in."""
    return isinstance(code, str) and code in NOTICE_LANGUAGES


def language_name(code: str) -> str:
    """The language named in its own words; the code itself for an unknown one."""
    return NOTICE_LANGUAGES.get(code, code)


def ordered(codes: Iterable[str]) -> list[str]:
    """The known codes among ``codes``, once each, in the list's order (French first)."""
    wanted = set(codes)
    return [code for code in NOTICE_LANGUAGES if code in wanted]


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def _named(word: str) -> str | None:
    if word in NOTICE_LANGUAGES:
        return word
    for code, names in OTHER_NAMES.items():
        if word in names or word == _fold(NOTICE_LANGUAGES[code]):
            return code
    return None


def keyword_language(text: str) -> str | None:
    """The language a reply asks for when it is only a keyword and a language ("LANGUE EN",
    "language: english", "Idioma español"), else None. An unknown language after the keyword
    ("LANGUE XX") reads as ``""``: asked, but not one the list knows."""
    words = re.findall(r"\w+", _fold(text))
    if len(words) != 2 or words[0] not in KEYWORDS:
        return None
    return _named(words[1]) or ""
