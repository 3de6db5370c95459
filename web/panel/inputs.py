"""Reading the panel's query strings and path ids within the bounds of :mod:`core.bounds`.

A value that cannot be read or lies outside its bounds raises :class:`BadInput`, which the
panel's middleware (:mod:`web.panel.problems`) answers with a 400 page in the layout, in the
user's language; an id that no row can have is simply not found (404).
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from core.bounds import FIRST_DAY, LAST_DAY, MAX_OFFSET, day_in_window, parse_id
from core.i18n import N_


class BadInput(Exception):
    """A value of the request the panel cannot use; ``key`` names the sentence that says why."""

    status = 400

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class NotHere(BadInput):
    """What the request names (a class, a lesson, a student…) is not in this school: a 404
    whose sentence ``key`` says which."""

    status = 404


class FormExpired(web.HTTPForbidden):
    """A form whose CSRF token is not the session's: a page left open past its session, or a
    post from elsewhere (403; the panel asks to reload the page)."""

    def __init__(self) -> None:
        super().__init__(text="invalid form token")


class Said(Exception):
    """A refusal already worded in the reader's language (``sentence``), answered with
    ``status`` in the panel's layout."""

    def __init__(self, sentence: str, status: int) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.status = status


def read_day(raw: object) -> date:
    """A day written YYYY-MM-DD within the window every day lies in."""
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise BadInput(
            N_("Date attendue au format AAAA-MM-JJ, entre le {first} et le {last}."),
            first=FIRST_DAY,
            last=LAST_DAY,
        ) from None
    if not day_in_window(day):
        raise BadInput(
            N_("Date attendue au format AAAA-MM-JJ, entre le {first} et le {last}."),
            first=FIRST_DAY,
            last=LAST_DAY,
        )
    return day


def read_offset(raw: str | None) -> int:
    """An offset in a list (empty: 0)."""
    text = (raw or "0").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_OFFSET:
        raise BadInput(N_("Nombre entier attendu, entre {low} et {high}."), low=0, high=MAX_OFFSET)
    return int(text)


def read_ids(raw: list[str]) -> list[int]:
    """Row ids (as a form's checkboxes send them); one that no row can have is refused."""
    ids = [parse_id(str(value).strip()) for value in raw]
    if None in ids:
        raise BadInput(N_("La sélection contient un identifiant qui n'existe pas."))
    return [value for value in ids if value is not None]


def path_id(request: web.Request, name: str = "id") -> int:
    """The id of the path; one that no row can have is not found."""
    value = parse_id(request.match_info.get(name, ""))
    if value is None:
        raise web.HTTPNotFound()
    return value
