"""The gettext catalogs hold every message the code and the templates mark, translated.

French is the source (each ``msgid``); each language's catalog must carry every message with a
translation (French too, for its plural forms), nothing fuzzy and nothing the code no longer
uses. ``scripts/words update`` brings the catalogs up to date; a translator then fills them.
"""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, translations, words

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}

Key = tuple[str | None, str]


def _method_map() -> list[tuple[str, str]]:
    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    return [
        (section.split(":", 1)[1].strip(), section.split(":", 1)[0].strip())
        for section in config.sections()
    ]


def extracted() -> dict[Key, tuple[str, ...]]:
    """Every marked message of the code and templates: (context, msgid) -> all its ids."""
    found: dict[Key, tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map=_method_map(),
        keywords=KEYWORDS,
        options_map={"templates/web/**.html": {"encoding": "utf-8"}},
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        if ids[0]:
            found[(context, ids[0])] = ids
    return found


@pytest.fixture(scope="module")
def messages() -> dict[Key, tuple[str, ...]]:
    return extracted()


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated(
    language: str, messages: dict[Key, tuple[str, ...]]
) -> None:
    catalog = _catalog(language)
    missing, untranslated = [], []
    for (context, msgid), ids in sorted(messages.items(), key=str):
        entry = catalog.get(msgid, context=context)
        if entry is None:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings) or (len(ids) > 1) != entry.pluralizable:
            untranslated.append(msgid)
    assert not missing, f"{language}: not in the catalog (scripts/words update): {missing[:20]}"
    assert not untranslated, f"{language}: fuzzy or not translated: {untranslated[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalog_keeps_words_the_code_no_longer_uses(
    language: str, messages: dict[Key, tuple[str, ...]]
) -> None:
    catalog = _catalog(language)
    unused = [
        m.id
        for m in catalog
        if m.id and (m.context, m.id if isinstance(m.id, str) else m.id[0]) not in messages
    ]
    assert not unused, f"{language}: words no code marks (scripts/words update): {unused[:20]}"


def test_french_plurals_follow_french_rules() -> None:
    """0 and 1 take the singular in French ("0 courrier"), only 1 in English."""
    assert [translations("fr").plural(n) for n in (0, 1, 2)]  # type: ignore[attr-defined] == [0, 0, 2]
    assert [translations("en").plural(n) for n in (0, 1, 2)]  # type: ignore[attr-defined] == [1, 0, 1]
    assert words("xx").language == "fr"
