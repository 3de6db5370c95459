"""A notice's email carries ``Reply-To`` the school's vie scolaire when the school set it: the
real delivery, composed from the school's settings, through a real SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

from core.models import School, Student
from core.services.audit import Actor
from core.services.schools.school import parse_settings_patch, update_settings
from gateway.outbox.transport import OutboxTransport
from gateway.smtp.transport import SmtpTransport
from tests.core.services.notice_support import MOTHER_EMAIL
from tests.core.services.test_delivery_refusals import first_delivery, send
from tests.gateway.fakes.smtp import SmtpServer

VIE_SCOLAIRE = "vie-scolaire@college-alpha.fr"


async def _mailed(
    school: School, system: Actor, pupil: Student, smtp: SmtpServer, tmp_path: Path
) -> None:
    _, mother = await first_delivery(school, system, pupil, ["email", "sms"])
    assert (mother.channel, mother.to) == ("email", MOTHER_EMAIL)
    server = SmtpTransport(smtp.host, smtp.port, sender="absences@service.fr", starttls=False)
    outcome = await send(mother, {"email": server, "sms": OutboxTransport(tmp_path)})
    assert outcome.status == "sent"


async def test_the_email_answers_to_the_vie_scolaire(
    school_a: School, system: Actor, pupil: Student, smtp: SmtpServer, tmp_path: Path
) -> None:
    change = parse_settings_patch({"reply_to": VIE_SCOLAIRE})
    school = await update_settings(school_a, change, system)
    await _mailed(school, system, pupil, smtp, tmp_path)
    [received] = smtp.handler.received
    assert received.message["Reply-To"] == VIE_SCOLAIRE
    assert received.message["From"] == "absences@service.fr"


async def test_no_reply_to_when_the_school_set_none(
    school_a: School, system: Actor, pupil: Student, smtp: SmtpServer, tmp_path: Path
) -> None:
    await _mailed(school_a, system, pupil, smtp, tmp_path)
    [received] = smtp.handler.received
    assert received.message["Reply-To"] is None
