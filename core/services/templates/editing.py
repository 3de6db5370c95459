"""A school's notice templates: list them, read one, try one, save one, reset one to default.

Every notice kind × channel × language has a template: the school's own (a
``MessageTemplate``; for letters a ``LetterTemplate`` in HTML) or the shipped default
(``templates/messages/<kind>/<channel>.<lang>.txt``; for letters
``templates/letters/<kind>.<lang>.html``, else the text letter). A template is refused before it
is stored when it is not valid jinja2, names a variable or field the notice does not have, or
does something the sandbox refuses (it is tried with sample values through the same sandboxed
:data:`~core.services.ports.Renderer` the worker uses). A letter's HTML is sanitised first. A
long or UCS-2 SMS is saved with a warning: the school may choose to pay for it.

Each save and reset is one transaction with its audit row (before and after).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import Channel, LetterTemplate, MessageTemplate, NoticeKind, School
from core.queries.languages import school_languages
from core.rules import merge_fields
from core.rules.channels import channel_names, is_channel
from core.rules.languages import SHIPPED, is_notice_language, ordered
from core.rules.notices import kind_channels
from core.rules.sms import SmsInfo, sms_segments
from core.services import audit
from core.services.audit import Actor
from core.services.ports import Message, Renderer, RenderFailed, TemplateTools
from core.services.schools.logo import letterhead_of, school_logo
from core.services.templates import letters
from core.services.templates.messages import default_template
from core.services.templates.values import sample_context, sample_guardian

LANGUAGES = SHIPPED  # every default template ships in these; a school may write in any other
LETTER = Channel.LETTER.value
LETTER_NAME = "letter"  # LetterTemplate.name: one letter per kind and language
MAX_SUBJECT = 200
MAX_TEXT = 5_000
MAX_HTML = 2_000_000  # pasted images are data URIs


@dataclass(frozen=True, slots=True)
class TemplateKey:
    """Which template: a notice kind, a channel, a language."""

    kind: str
    channel: str
    language: str

    @property
    def html(self) -> bool:
        """Letters are HTML (from the WYSIWYG editor); the other channels plain text."""
        return self.channel == LETTER


def parse_key(kind: str, channel: str, language: str) -> TemplateKey:
    """The key, or :class:`NotFound` for a kind, channel or language that does not exist."""
    if kind not in set(NoticeKind) or not is_channel(channel) or not is_notice_language(language):
        raise NotFound(f"no template {kind}/{channel}/{language}")
    if channel not in kind_channels(kind, channel_names()):  # an answer goes by SMS alone
        raise NotFound(f"no template {kind}/{channel}/{language}")
    return TemplateKey(kind, channel, language)


def all_keys(languages: Sequence[str] = LANGUAGES) -> list[TemplateKey]:
    """Every kind × channel × language of ``languages``, in the kinds', the channels' and the
    languages' order."""
    return [
        TemplateKey(kind, channel, lang)
        for kind, channel in kinds_and_channels()
        for lang in languages
    ]


def kinds_and_channels() -> list[tuple[str, str]]:
    """Every (kind, channel) a template exists for, in the kinds' and the channels' order."""
    return [(k.value, c) for k in NoticeKind for c in kind_channels(k.value, channel_names())]


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """One line of the list: whether the school has its own, whether a default ships."""

    key: TemplateKey
    overridden: bool
    has_default: bool
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TemplateView:
    """A template as the editor shows it: the school's own, else the default."""

    key: TemplateKey
    subject: str
    body: str  # text, or HTML for a letter
    overridden: bool
    has_default: bool
    fields: list[str] = field(default_factory=list)  # merge fields the editor offers
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TemplateWarning:
    """Saved all the same: ``sms_segments`` (detail: the count) or ``sms_ucs2`` (the
    characters outside GSM-7)."""

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class Tried:
    """A template rendered with the sample values."""

    subject: str
    body: str
    sms: SmsInfo | None
    warnings: tuple[TemplateWarning, ...] = ()


# --- the shipped defaults ------------------------------------------------------------------------


def shipped(key: TemplateKey) -> tuple[str, str] | None:
    """(subject, body) of the default; for a letter its HTML (the text letter as paragraphs
    when no HTML letter ships for the kind)."""
    if key.html:
        html = letters.default_letter(key.kind, key.language)
        if html is not None:
            return "", html
        text = default_template(key.kind, LETTER, key.language)
        return ("", letters.text_to_html(text[1])) if text is not None else None
    return default_template(key.kind, key.channel, key.language)


@lru_cache(maxsize=32)
def shipped_names(kind: str) -> frozenset[str]:
    """The variables the shipped templates of ``kind`` read (they are the kind's too)."""
    names: set[str] = set()
    for channel in channel_names():
        for language in LANGUAGES:
            found = shipped(TemplateKey(kind, channel, language))
            if found is not None:
                names |= merge_fields.variables_of(found[0]) | merge_fields.variables_of(found[1])
    return frozenset(names)


def offered_fields(kind: str) -> list[str]:
    """The merge fields the editor's menu offers for ``kind``."""
    return merge_fields.menu(kind, shipped_names(kind))


# --- reading -------------------------------------------------------------------------------------


async def list_templates(school: School, also: Sequence[str] = ()) -> list[TemplateRow]:
    """Every kind × channel × language of the school (``school_languages``, and ``also``: a
    language being added), saying which the school overrides and which has a default: a cell
    with neither goes out in French."""
    own: dict[tuple[str, str, str], datetime] = {}
    rows = await MessageTemplate.filter(school_id=school.id).values_list(
        "kind", "channel", "language", "updated_at"
    )
    for kind, channel, language, updated in rows:
        own[(str(kind), str(channel), str(language))] = updated
    html = await LetterTemplate.filter(school_id=school.id).values_list(
        "kind", "language", "updated_at"
    )
    for kind, language, updated in html:
        own[(str(kind), LETTER, str(language))] = updated
    return [
        TemplateRow(
            key,
            (key.kind, key.channel, key.language) in own,
            shipped(key) is not None,
            own.get((key.kind, key.channel, key.language)),
        )
        for key in all_keys(ordered([*await school_languages(school.id), *also]))
    ]


async def _own(school: School, key: TemplateKey) -> tuple[str, str, datetime] | None:
    if key.html:
        letter = (
            await LetterTemplate.filter(school_id=school.id, kind=key.kind, language=key.language)
            .order_by("-updated_at")
            .first()
        )
        if letter is not None:
            return "", letter.html, letter.updated_at
    row = await MessageTemplate.get_or_none(
        school_id=school.id, kind=key.kind, channel=key.channel, language=key.language
    )
    if row is None:
        return None
    body = letters.text_to_html(row.body) if key.html else row.body
    return row.subject, body, row.updated_at


async def read_template(school: School, key: TemplateKey) -> TemplateView:
    """The school's own template, else the default, else an empty one."""
    default = shipped(key)
    own = await _own(school, key)
    if own is not None:
        subject, body, updated = own
        return TemplateView(
            key, subject, body, True, default is not None, offered_fields(key.kind), updated
        )
    subject, body = default or ("", "")
    return TemplateView(key, subject, body, False, default is not None, offered_fields(key.kind))


# --- trying ------------------------------------------------------------------------------------


class SourceRefused(Invalid):
    """A template source refused by a merge-field check: where (``subject`` or ``body``), the
    line when known, and the checker's own words, apart for the panel to say in its language."""

    def __init__(self, where: str, line: int | None, detail: str, *, code: str) -> None:
        lead = f"{where}, line {line}: " if line else f"{where}: "
        super().__init__(lead + detail, code=code)
        self.where = where
        self.line = line
        self.detail = detail


def _check(key: TemplateKey, subject: str, body: str) -> None:
    if not body.strip():
        raise Invalid("the template is empty", code="empty")
    limit = MAX_HTML if key.html else MAX_TEXT
    if len(body) > limit:
        raise Invalid(f"the template is longer than {limit} characters", code="too_long")
    if subject and key.channel != Channel.EMAIL.value:
        raise Invalid("only an email has a subject", code="subject")
    if len(subject) > MAX_SUBJECT or "\n" in subject:
        raise Invalid(
            f"the subject is one line of at most {MAX_SUBJECT} characters", code="subject"
        )
    allowed = merge_fields.allowed_fields(key.kind, shipped_names(key.kind))
    for where, source in (("subject", subject), ("body", body)):
        problem = merge_fields.check_source(source, allowed, html=key.html)
        if problem is not None:
            raise SourceRefused(where, problem.line, problem.message, code=problem.code)


def _warnings(key: TemplateKey, text: str) -> tuple[SmsInfo | None, tuple[TemplateWarning, ...]]:
    if key.channel != Channel.SMS.value:
        return None, ()
    info = sms_segments(text)
    found: list[TemplateWarning] = []
    if info.segments > 1:
        found.append(TemplateWarning("sms_segments", str(info.segments)))
    if info.unsupported:
        found.append(TemplateWarning("sms_ucs2", " ".join(info.unsupported)))
    return info, tuple(found)


def try_template(
    school: School, key: TemplateKey, subject: str, body: str, render: Renderer
) -> Tried:
    """Check the template and render it with the sample values (a letter's body must be
    sanitised already: see :func:`clean_body`). Raises :class:`Invalid` with a code: ``empty``,
    ``too_long``, ``subject``, ``syntax``, ``unsafe``, ``unknown_variable``, ``unknown_field``,
    or ``sandbox`` when the sandbox refuses what the template does."""
    _check(key, subject, body)
    names = merge_fields.variables_of(subject) | merge_fields.variables_of(body)
    values = sample_context(school, key.kind, key.language, names)
    try:
        if key.html:
            text = letters.render_letter(body, values, render, uai=school.uai)
            text = letters.with_logo(text, school.uai, school_logo(school))
        else:
            text = render(body, values).strip()
        title = render(subject, values).strip() if subject else ""
    except RenderFailed as error:
        raise Invalid(f"the sandbox refused the template: {error}", code="sandbox") from None
    info, warnings = _warnings(key, text)
    return Tried(title, text, info, warnings)


async def trial_template(
    school: School, key: TemplateKey, subject: str, body: str, tools: TemplateTools
) -> Tried:
    """:func:`try_template`, once the very renders it makes have run apart, limited in time and
    memory (``tools.contain``): a template that would hold the server, or a worker sending
    notices, is refused with the code ``sandbox``. The renders are collected by a first pass
    that renders nothing (the static checks raise there already)."""
    renders: list[tuple[str, Mapping[str, object]]] = []

    def collect(source: str, values: Mapping[str, object]) -> str:
        renders.append((source, values))
        return ""

    try_template(school, key, subject, body, collect)
    try:
        await tools.contain(renders)
    except RenderFailed as error:
        raise Invalid(f"the sandbox refused the template: {error}", code="sandbox") from None
    return try_template(school, key, subject, body, tools.render)


def clean_body(school: School, key: TemplateKey, body: str) -> str:
    """The body as it would be stored: a letter's HTML sanitised, a text as given (without
    the trailing blanks and Windows line ends of a form)."""
    if key.html:
        return letters.clean_letter_source(body, logo=letters.logo_src(school.uai))
    return body.replace("\r\n", "\n").strip()


# --- writing -------------------------------------------------------------------------------------


def _audit_state(subject: str, body: str, key: TemplateKey) -> dict[str, object]:
    if key.html:
        return {"html": letters.for_audit(body)}
    return {"subject": subject, "body": body}


async def _store(school: School, key: TemplateKey, subject: str, body: str, actor: Actor) -> None:
    if key.html:
        row_l = (
            await LetterTemplate.filter(school_id=school.id, kind=key.kind, language=key.language)
            .order_by("-updated_at")
            .first()
        )
        before = _audit_state("", row_l.html, key) if row_l is not None else None
        if row_l is None:
            row_l = await LetterTemplate.create(
                school=school, kind=key.kind, language=key.language, name=LETTER_NAME, html=body
            )
        else:
            row_l.html = body
            await row_l.save(update_fields=["html", "updated_at"])
        entity: LetterTemplate | MessageTemplate = row_l
    else:
        row_m = await MessageTemplate.get_or_none(
            school_id=school.id, kind=key.kind, channel=key.channel, language=key.language
        )
        before = _audit_state(row_m.subject, row_m.body, key) if row_m is not None else None
        if row_m is None:
            row_m = await MessageTemplate.create(
                school=school,
                kind=key.kind,
                channel=key.channel,
                language=key.language,
                subject=subject,
                body=body,
            )
        else:
            row_m.subject, row_m.body = subject, body
            await row_m.save(update_fields=["subject", "body", "updated_at"])
        entity = row_m
    after = {**_audit_state(subject, body, key), "key": f"{key.kind}/{key.channel}/{key.language}"}
    await audit.record(
        actor, "template.save", entity, school_id=school.id, before=before, after=after
    )


async def save_template(
    school: School,
    actor: Actor,
    key: TemplateKey,
    *,
    subject: str,
    body: str,
    tools: TemplateTools,
) -> tuple[TemplateView, tuple[TemplateWarning, ...]]:
    """Store the school's own template (a letter's HTML sanitised) once it renders with the
    sample values; returns it with its warnings. Raises :class:`Invalid` (see
    :func:`trial_template`), :class:`Conflict` when another save of the same template won."""
    body = clean_body(school, key, body)
    subject = subject.strip()
    tried = await trial_template(school, key, subject, body, tools)
    try:
        async with in_transaction():
            await _store(school, key, subject, body, actor)
    except IntegrityError:
        raise Conflict(
            "the template was saved by someone else meanwhile: try again", code="template_changed"
        ) from None
    return await read_template(school, key), tried.warnings


async def reset_template(school: School, actor: Actor, key: TemplateKey) -> bool:
    """Delete the school's own template (the default applies again); False when it had none."""
    async with in_transaction():
        deleted: list[dict[str, object]] = []
        if key.html:
            for row in await LetterTemplate.filter(
                school_id=school.id, kind=key.kind, language=key.language
            ):
                deleted.append(_audit_state("", row.html, key))
                await row.delete()
        query = MessageTemplate.filter(
            school_id=school.id, kind=key.kind, channel=key.channel, language=key.language
        )
        for row_m in await query:
            deleted.append(_audit_state(row_m.subject, row_m.body, key))
            await row_m.delete()
        if not deleted:
            return False
        entity = "letter_template" if key.html else "message_template"
        await audit.record(
            actor,
            "template.reset",
            entity,
            school_id=school.id,
            entity_id=f"{key.kind}/{key.channel}/{key.language}",
            before=deleted[0],
            after=None,
        )
    return True


# --- the letters' logo and preview ---------------------------------------------------------------

SAMPLE_ADDRESS = ("12 rue des Lilas", "75011 PARIS")  # the sample guardian's


def letter_preview(school: School, key: TemplateKey, tried: Tried) -> Message:
    """The letter of a tried template as the letter channel takes it, to a sample address."""
    extra = {
        "address": "\n".join((sample_guardian(key.language)["name"], *SAMPLE_ADDRESS)),
        "letterhead": letters.letterhead_html(school.name, letterhead_of(school)),
    }
    return Message(
        delivery_uuid=f"preview-{school.uai}-{key.kind}-{key.language}",
        channel=LETTER,
        to="",
        body=letters.text_of(tried.body),
        html=tried.body,
        language=key.language,
        extra=extra,
    )
