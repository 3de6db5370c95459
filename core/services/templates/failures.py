"""A school's own template that fails when a notice is sent.

A template passes its trial with sample values
(:func:`core.services.templates.editing.trial_template`);
with a family's real values it may take another branch and fail, run too long, take too much
memory or give too long a text. Such a render runs apart and limited (``SendRenderer.bounded``);
when it fails, the message is made from the default template instead (see
:func:`core.services.templates.messages.compose_checked`), the staff get ONE alert for that
template's
version (its key names the template and the time it was saved: a new save is tried again), and
the delivery's history says what happened. A version with an alert is not tried again: its
deliveries go straight to the default template (no process spends its allowance on it again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from core.models import LetterTemplate, MessageTemplate, School, StaffAlert
from core.services.delivery.alerts import raise_alert
from core.services.delivery.rows import write_change
from core.services.ports import RenderFailed, SendRenderer

logger = logging.getLogger("absences.templates")

ALERT_KIND = "template"
# why a render failed: (French, English)
REASONS = {
    "too_costly": ("trop de temps ou de mémoire", "too much time or memory"),
    "too_long": ("texte produit trop long", "too long a text"),
    "error": ("erreur du modèle", "an error in the template"),
}


@dataclass(frozen=True, slots=True)
class TemplateFailure:
    """Which template version failed, and why (``reason``: a key of :data:`REASONS`)."""

    key: str  # the alert's key: one alert per template version
    template: str  # "absence / sms / fr"
    version: str  # when that version was saved (UTC, ISO 8601)
    reason: str
    error: str

    @property
    def sentence(self) -> str:
        """What a person reads: French, then English."""
        fr, en = REASONS.get(self.reason, REASONS["error"])
        return (
            f"Le modèle « {self.template} » de l'établissement n'a pas pu être produit ({fr}) : "
            "le modèle par défaut a été envoyé à sa place. / "
            f"The school's template “{self.template}” could not be rendered ({en}): "
            "the default template was sent instead."
        )

    def history(self) -> dict[str, object]:
        """The raw data of the delivery's history row."""
        return {
            "error": self.sentence,
            "template": self.template,
            "version": self.version,
            "reason": self.reason,
            "detail": self.error,
            "alert": self.key,
        }


class TemplateFailed(Exception):
    """A school's own template failed at send time: use the default one."""

    def __init__(self, failure: TemplateFailure) -> None:
        super().__init__(failure.sentence)
        self.failure = failure


Own = MessageTemplate | LetterTemplate


def _name(own: Own) -> str:
    channel = own.channel if isinstance(own, MessageTemplate) else "letter"
    return f"{own.kind} / {channel} / {own.language}"


def _key(school: School, own: Own) -> str:
    table = "text" if isinstance(own, MessageTemplate) else "letter"
    saved = own.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{ALERT_KIND}:{school.id}:{table}:{own.id}:{saved}"


def _failure(school: School, own: Own, reason: str, error: str) -> TemplateFailure:
    version = own.updated_at.astimezone(UTC).isoformat(timespec="seconds")
    return TemplateFailure(_key(school, own), _name(own), version, reason, error)


async def _known(key: str) -> TemplateFailure | None:
    """The failure an existing alert recorded for this template version."""
    alert = await StaffAlert.get_or_none(key=key)
    if alert is None:
        return None
    data = alert.data or {}
    return TemplateFailure(
        key,
        str(data.get("template", "")),
        str(data.get("version", "")),
        str(data.get("reason", "error")),
        str(data.get("detail", "")),
    )


async def bounded(
    render: SendRenderer,
    source: str,
    values: Mapping[str, object],
    school: School,
    own: Own,
    failed: dict[str, TemplateFailure | None],
) -> str:
    """``own``'s ``source`` rendered apart and limited; raises :class:`TemplateFailed` when it
    fails now (raising the alert) or failed before (``failed``: what a batch learnt so far)."""
    key = _key(school, own)
    if key not in failed:
        failed[key] = await _known(key)
    known = failed[key]
    if known is not None:
        raise TemplateFailed(known)
    try:
        return await render.bounded(source, values)
    except RenderFailed as error:
        failure = failed[key] = _failure(school, own, error.reason, str(error))
    await _alert(school, failure)
    raise TemplateFailed(failure)


async def _alert(school: School, failure: TemplateFailure) -> None:
    fr, en = REASONS.get(failure.reason, REASONS["error"])
    message = (
        f"« {failure.template} » ({fr}) : les envois utilisent le modèle par défaut. / "
        f"“{failure.template}” ({en}): notices use the default template."
    )
    data: dict[str, object] = {
        "template": failure.template,
        "version": failure.version,
        "reason": failure.reason,
        "detail": failure.error[:500],
    }
    try:
        created = await raise_alert(
            school.id, kind=ALERT_KIND, key=failure.key, level="error", message=message, data=data
        )
    except Exception:  # an alert must never stop deliveries
        logger.exception("could not raise the template alert %s", failure.key)
        return
    if created:
        logger.warning("school %s: template %s failed: %s", school.uai, failure.template, failure)


async def record_failure(
    delivery_id: int, status: str, failure: TemplateFailure, at: datetime | None = None
) -> None:
    """A row of the delivery's history (its status unchanged, the source "template") saying
    that its school's template failed and the default one was used."""
    when = at or datetime.now(UTC)
    await write_change(
        delivery_id, status, status, at=when, source=ALERT_KIND, raw=failure.history()
    )
