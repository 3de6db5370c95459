"""The text of a delivery: the school's template for (kind, channel, language), else the default
one in ``templates/messages/<kind>/<channel>.<lang>.txt``, rendered with the notice's facts.

A default template may start with a ``Subject: …`` line (emails), then a blank line. Variables:
``school`` (name, uai), ``student`` (first_name, last_name), ``guardian`` (civility,
first_name, last_name, name), ``day`` ("lundi 2 mars"), ``start`` ("8h05"), ``half``
("matin"), ``kind``; then the notice's payload keys, with the labels of
``payload["localized"]`` in the delivery's language (a month's ``half_days``, a meeting's
``meeting_day``…, see ``core/services/notices/planning.py`` and ``convocations.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from core.models import LetterTemplate, MessageTemplate, School
from core.rules import postal
from core.rules.calendar import Half
from core.services.notices.absence import notice_half_day
from core.services.notices.labels import date_label, day_label, half_label, time_label
from core.services.ports import REPLY_TO, Message, SendRenderer
from core.services.schools.logo import school_logo
from core.services.templates import letters
from core.services.templates.failures import TemplateFailed, TemplateFailure, bounded
from core.services.templates.values import dateline, school_values

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "messages"
DEFAULT_LANGUAGE = "fr"


# What composing reads of a delivery and its notice: the models have it, and so have the plain
# rows a batch of deliveries reads (core.services.delivery.facts)
class Pupil(Protocol):
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...


class Guardian(Pupil, Protocol):
    @property
    def civility(self) -> str: ...
    @property
    def display_name(self) -> str: ...


class Dated(Protocol):
    @property
    def starts_at(self) -> datetime: ...


class NoticeView(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> dict[str, object]: ...
    @property
    def school(self) -> School: ...
    @property
    def student(self) -> Pupil: ...
    @property
    def event(self) -> Dated | None: ...


class DeliveryView(Protocol):
    @property
    def uuid(self) -> uuid.UUID: ...
    @property
    def channel(self) -> str: ...
    @property
    def to(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def person(self) -> Guardian | None: ...
    @property
    def contact(self) -> postal.Addressee | None: ...


@lru_cache(maxsize=128)
def default_template(kind: str, channel: str, language: str) -> tuple[str, str] | None:
    """(subject, body) of the shipped template, or None when there is none."""
    path = TEMPLATES / kind / f"{channel}.{language}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first.startswith("Subject:"):
        return first.removeprefix("Subject:").strip(), rest.lstrip("\n")
    return "", text


class TemplateCache:
    """The schools' own templates, each school's read once (two queries): pass one to
    :func:`compose` for a batch of deliveries, and drop it with the batch (a template saved
    meanwhile shows from the next batch on). It also remembers which template versions failed
    (:mod:`core.services.templates.failures`), so that a batch tries a failing one once."""

    def __init__(self) -> None:
        self._texts: dict[int, dict[tuple[str, str, str], MessageTemplate]] = {}
        self._letters: dict[int, dict[tuple[str, str], LetterTemplate]] = {}
        self.failed: dict[str, TemplateFailure | None] = {}  # by a template version's alert key

    async def _load(self, school_id: int) -> None:
        if school_id in self._texts:
            return
        texts = await MessageTemplate.filter(school_id=school_id)
        self._texts[school_id] = {(t.kind, t.channel, t.language): t for t in texts}
        found = await LetterTemplate.filter(school_id=school_id).order_by("updated_at", "id")
        self._letters[school_id] = {(t.kind, t.language): t for t in found}  # the latest wins

    async def texts(self, school_id: int, kind: str, channel: str) -> dict[str, MessageTemplate]:
        """The school's own templates of ``kind`` by ``channel``, by language."""
        await self._load(school_id)
        rows = self._texts[school_id].items()
        return {lang: t for (k, c, lang), t in rows if (k, c) == (kind, channel)}

    async def letters(self, school_id: int, kind: str) -> dict[str, LetterTemplate]:
        """The school's own HTML letters of ``kind``, by language."""
        await self._load(school_id)
        return {lang: t for (k, lang), t in self._letters[school_id].items() if k == kind}


def _languages(school: School, language: str) -> list[str]:
    return list(dict.fromkeys((language, school.language, DEFAULT_LANGUAGE)))


@dataclass(frozen=True, slots=True)
class Text:
    """A text template chosen for a delivery; ``own``: the school's, None for a shipped one."""

    subject: str
    body: str
    own: MessageTemplate | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """An HTML letter chosen for a delivery; ``own``: the school's, None for a shipped one."""

    html: str
    own: LetterTemplate | None = None


async def choose_text(
    school: School,
    kind: str,
    channel: str,
    language: str,
    cache: TemplateCache | None = None,
    *,
    shipped_only: bool = False,
) -> Text | None:
    """The school's own template (unless ``shipped_only``), else the default one; in the
    guardian's language, else the school's, else French."""
    languages = _languages(school, language)
    own: dict[str, MessageTemplate] = {}
    if shipped_only:
        pass
    elif cache is not None:
        own = await cache.texts(school.id, kind, channel)
    else:
        own = {
            t.language: t
            for t in await MessageTemplate.filter(
                school_id=school.id, kind=kind, channel=channel, language__in=languages
            )
        }
    for lang in languages:
        if lang in own:
            return Text(own[lang].subject, own[lang].body, own[lang])
        shipped = default_template(kind, channel, lang)
        if shipped is not None:
            return Text(*shipped)
    return None


async def choose_letter(
    school: School,
    kind: str,
    language: str,
    cache: TemplateCache | None = None,
    *,
    shipped_only: bool = False,
) -> Letter | None:
    """The HTML letter: per language (as :func:`choose_text`), the school's own HTML letter
    (unless ``shipped_only``), else — unless the school has its own text letter there — the
    shipped ``templates/letters/<kind>.<lang>.html``. None: the letter is made from a text
    template."""
    languages = _languages(school, language)
    own: dict[str, LetterTemplate] = {}
    texts: dict[str, MessageTemplate] = {}
    if not shipped_only:
        cache = cache or TemplateCache()
        own, texts = (
            await cache.letters(school.id, kind),
            await cache.texts(school.id, kind, "letter"),
        )
    for lang in languages:
        if lang in own:
            return Letter(own[lang].html, own[lang])
        if lang in texts:
            return None
        shipped = letters.default_letter(kind, lang)
        if shipped is not None:
            return Letter(shipped)
        if default_template(kind, "letter", lang) is not None:
            return None
    return None


async def find_letter(
    school: School, kind: str, language: str, cache: TemplateCache | None = None
) -> str | None:
    """The HTML of :func:`choose_letter`."""
    found = await choose_letter(school, kind, language, cache)
    return None if found is None else found.html


def _when(
    notice: NoticeView, start: datetime | None, tz: ZoneInfo, language: str
) -> dict[str, object]:
    if "day" not in notice.payload or "half" not in notice.payload:
        # a notice about a month, a week, a meeting
        return {"day": "", "start": "", "half": "", "past": False}
    key = notice_half_day(notice)
    return {
        "past": notice.payload.get("past") is True,
        "day": day_label(key.day, language, year=False),
        "start": "" if start is None else time_label(start, tz, language),
        "half": half_label(Half(key.half).value, language),
    }


RESERVED = frozenset(
    {"school", "student", "guardian", "kind", "day", "start", "half", "past", "dateline"}
)
LOCALIZED = "localized"  # payload key: {language: {name: value}}, labels in each language


def _payload_values(notice: NoticeView, language: str) -> dict[str, object]:
    """The notice's own facts (a month's half-days, a convocation's date…) as template
    variables: plain JSON from its payload, then the labels of ``payload["localized"]`` in the
    delivery's language (else French); never overriding the common ones."""
    payload = notice.payload
    values = {k: v for k, v in payload.items() if k != LOCALIZED}
    localized = payload.get(LOCALIZED)
    if isinstance(localized, dict):
        words = localized.get(language, localized.get(DEFAULT_LANGUAGE))
        if isinstance(words, dict):
            values.update(words)
    return {k: v for k, v in values.items() if k not in RESERVED and k.isidentifier()}


def context(
    notice: NoticeView, school: School, student: Pupil, person: Guardian | None, language: str
) -> dict[str, object]:
    """What a template may name (plain values: the sandbox sees no model)."""
    start = notice.event.starts_at if notice.event is not None else None
    guardian = {"civility": "", "first_name": "", "last_name": "", "name": ""}
    if person is not None:
        guardian = {
            "civility": person.civility,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "name": person.display_name,
        }
    values = _payload_values(notice, language)
    written = values.get("written_on")
    if not isinstance(written, str) or not written:
        written = date_label(
            datetime.now(UTC).astimezone(ZoneInfo(school.timezone)).date(), language
        )
    return {
        **values,
        "dateline": dateline(school, written, language),
        "school": school_values(school),
        "student": {"first_name": student.first_name, "last_name": student.last_name},
        "guardian": guardian,
        "kind": str(notice.kind),
        **_when(notice, start, ZoneInfo(school.timezone), language),
    }


def _address(contact: postal.Addressee | None, person: Guardian | None) -> str:
    """The letter's address block, as the letters page shows it."""
    return "\n".join(postal.envelope(contact, person))


def _letter(delivery: DeliveryView, school: School, html: str, extra: dict[str, str]) -> Message:
    html = letters.with_logo(html, school.uai, school_logo(school))
    return Message(
        delivery_uuid=str(delivery.uuid),
        channel=str(delivery.channel),
        to=delivery.to,
        body=letters.text_of(html),
        html=html,
        language=delivery.language,
        extra=extra,
    )


@dataclass(frozen=True, slots=True)
class Composed:
    """A delivery's message, and the school's template that failed when the message was made
    from the default one instead."""

    message: Message
    failure: TemplateFailure | None = None


async def compose(
    delivery: DeliveryView,
    notice: NoticeView,
    render: SendRenderer,
    *,
    templates: TemplateCache | None = None,
) -> Message:
    """The message of :func:`compose_checked`."""
    return (await compose_checked(delivery, notice, render, templates=templates)).message


async def compose_checked(
    delivery: DeliveryView,
    notice: NoticeView,
    render: SendRenderer,
    *,
    templates: TemplateCache | None = None,
) -> Composed:
    """The delivery's message; raises ``RenderFailed`` (from ``render``) or LookupError when
    no template exists for its kind and channel. ``templates`` spares a batch the template
    queries of each delivery. A letter is HTML (``Message.html``) when the school has its own
    HTML letter or one ships for the kind, with its letterhead and address in ``extra``.

    A school's own template renders apart and limited (``render.bounded``); when it fails
    there (an error, too long, too costly: it passed its trial with sample values), the
    message is made from the default template of its kind and channel, the staff get one
    alert for that template's version, and the failure comes back with the message
    (:mod:`core.services.templates.failures`). A version that failed before is not tried again.
    """
    templates = templates or TemplateCache()  # the lookups share its queries
    try:
        return Composed(await _compose(delivery, notice, render, templates, shipped_only=False))
    except TemplateFailed as failed:
        failure = failed.failure
    message = await _compose(delivery, notice, render, templates, shipped_only=True)
    return Composed(message, failure)


async def _compose(
    delivery: DeliveryView,
    notice: NoticeView,
    render: SendRenderer,
    templates: TemplateCache,
    *,
    shipped_only: bool,
) -> Message:
    school, student, person = notice.school, notice.student, delivery.person
    kind, channel, language = str(notice.kind), str(delivery.channel), delivery.language
    values = context(notice, school, student, person, language)
    extra: dict[str, str] = {}
    if channel == "letter":
        letterhead = letters.letterhead_html(school.name, school.letterhead)
        extra = {"address": _address(delivery.contact, person), "letterhead": letterhead}
        letter = await choose_letter(school, kind, language, templates, shipped_only=shipped_only)
        if letter is not None:
            source = letters.autoescaped(letter.html)
            if letter.own is None:
                rendered = render(source, values)
            else:
                rendered = await bounded(
                    render, source, values, school, letter.own, templates.failed
                )
            html = letters.clean_rendered(rendered, uai=school.uai)
            return _letter(delivery, school, html, extra)
    if channel == "email" and school.reply_to:  # families answer the vie scolaire
        extra = {REPLY_TO: school.reply_to}
    found = await choose_text(school, kind, channel, language, templates, shipped_only=shipped_only)
    if found is None:
        raise LookupError(f"no template for {notice.kind} by {delivery.channel}")
    own = found.own
    subject = ""
    if own is None:
        body = render(found.body, values)
        subject = render(found.subject, values) if found.subject else ""
    else:
        body = await bounded(render, found.body, values, school, own, templates.failed)
        if found.subject:
            subject = await bounded(render, found.subject, values, school, own, templates.failed)
    return Message(
        delivery_uuid=str(delivery.uuid),
        channel=str(delivery.channel),
        to=delivery.to,
        body=body.strip(),
        subject=subject.strip(),
        language=delivery.language,
        extra=extra,
    )
