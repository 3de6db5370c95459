"""Words in gettext catalogs: French is the source (the ``msgid``), English a translation.

Every sentence a person reads is written in French in the code or a template, marked for
extraction (``_("…")`` in templates, ``words.gettext("…")`` or :func:`N_` for module-level
constants in Python), and looked up at use in the catalog of the reader's language:
``core/locales/<lang>/LC_MESSAGES/absences.po``. ``make words`` extracts the messages into
``core/locales/absences.pot`` and merges them into each catalog; ``make install`` compiles the
catalogs to ``.mo``. A catalog that is missing or older than its ``.po`` is compiled in memory
on first use, so a checkout runs before its first install. ``tests/test_catalogs.py`` fails when
a catalog misses a message.

French keeps a catalog of its own for its plural rule (``n > 1``: "0 courrier", "2 courriers").
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "absences"
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it where it is read."""
    return message


def supported(language: str | None) -> str:
    """The language itself when Absences speaks it, else French."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _catalog_paths(language: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@cache
def translations(language: str) -> _gettext.GNUTranslations:
    """The compiled catalog of a language (read once per process)."""
    po, mo = _catalog_paths(supported(language))
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=supported(language), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@dataclass(frozen=True, slots=True)
class Words:
    """The words of one language, as templates and code use them."""

    language: str

    @property
    def _t(self) -> _gettext.GNUTranslations:
        return translations(self.language)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._t.npgettext(context, singular, plural, n)

    def format_date(self, value: object, format: str = "medium") -> str:
        return _format_date(value, format=format, locale=self.locale)  # type: ignore[arg-type]

    def format_datetime(self, value: object, format: str = "medium") -> str:
        return _format_datetime(value, format=format, locale=self.locale)  # type: ignore[arg-type]

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def template_globals(self) -> dict[str, object]:
        """What a jinja2 page gets: ``_``, ``gettext``, ``ngettext``, ``pgettext``…"""
        return {
            "_": self.gettext,
            "gettext": self.gettext,
            "ngettext": self.ngettext,
            "pgettext": self.pgettext,
            "npgettext": self.npgettext,
            "format_date": self.format_date,
            "format_datetime": self.format_datetime,
        }


@cache
def words(language: str | None) -> Words:
    """The words of ``language`` (French when Absences does not speak it)."""
    return Words(supported(language))
