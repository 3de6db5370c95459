"""One place words a refusal for a person: a domain error by its code and params, a validation
problem by its field and its kind, in the reader's language — never the English message,
a field name or a code."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from core.errors import Conflict, DomainError, Forbidden, NotFound, invalid_field
from core.i18n import Words
from web.panel.inputs import FormExpired
from web.panel.labels import known_label

GENERIC = ((NotFound, "not_found"), (Forbidden, "forbidden"), (Conflict, "conflict"))
HTTP_GENERIC = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict"}


def _filled(sentence: str, params: dict[str, object]) -> str | None:
    try:
        return sentence.format(**params)
    except (KeyError, IndexError, ValueError):  # a sentence naming a value the error lacks
        return None


def _field_problem(words: Words, params: dict[str, object]) -> str:
    field = known_label(words, "error.field", params["field"]) or words.gettext("Une valeur")
    for kind in (params["kind"], "value_error"):
        sentence = known_label(words, "error.kind", kind)
        filled = None if sentence is None else _filled(sentence, {**params, "field": field})
        if filled is not None:
            return filled
    return words.gettext("Cette valeur est refusée.")


def worded(words: Words, error: DomainError | ValidationError, family: str | None = None) -> str:
    """The sentence that says why ``error`` refused, in ``words``' language: the words of its
    code in ``family`` (a page's own, when given) or the common family ``error``, a validation
    problem by field and kind, else the sentence of its class."""
    if isinstance(error, ValidationError):
        error = invalid_field(error)
    if error.code == "invalid" and {"field", "kind"} <= error.params.keys():
        return _field_problem(words, error.params)
    for where in (family, "error"):
        sentence = None if where is None else known_label(words, where, error.code)
        filled = None if sentence is None else _filled(sentence, error.params)
        if filled is not None:
            return filled
    generic = next((code for kind, code in GENERIC if isinstance(error, kind)), "invalid")
    return known_label(words, "error", generic) or error.code


def worded_status(words: Words, status: int) -> str:
    """The sentence of an HTTP refusal that carries no words of its own, by its status."""
    if status == 404:
        return words.gettext(
            "Cette page n'existe pas, ou plus : l'adresse est peut-être incomplète, ou ce "
            "qu'elle désigne n'est pas de cet établissement."
        )
    if status == 413:
        return words.gettext("Cette demande est trop volumineuse.")
    if status in (400, 422):
        return words.gettext(
            "Cette demande contient une valeur que l'application ne peut pas lire."
        )
    return known_label(words, "error", HTTP_GENERIC.get(status, "invalid")) or str(status)


def worded_http(words: Words, error: web.HTTPException) -> str:
    """The sentence of an HTTP refusal raised in a panel route: a stale or forged form asks
    for a reload, any other says what its status means."""
    if isinstance(error, FormExpired):
        return words.gettext(
            "Ce formulaire a expiré ou ne vient pas de cette page : rechargez la page, puis "
            "réessayez."
        )
    return worded_status(words, error.status)


def worded_upload(words: Words, status: int) -> str:
    """The sentence of a refused upload, by the status its refusal carries."""
    if status == 413:
        return words.gettext(
            "Ces fichiers sont trop volumineux pour être déposés ici : déposez le zip de SIECLE "
            "ou les seuls fichiers XML demandés."
        )
    return words.gettext(
        "Les fichiers n'ont pas pu être lus : choisissez-les à nouveau, puis renvoyez le "
        "formulaire."
    )
