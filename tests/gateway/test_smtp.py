"""Email through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import pytest

from core.models import Usability
from core.services.ports import REPLY_TO, Message, SendFailed
from gateway.smtp.transport import SmtpTransport
from tests.gateway.fakes.server import free_port
from tests.gateway.fakes.smtp import SmtpServer

SENDER = "Collège Jean Moulin <vie-scolaire@college-moulin.fr>"


def transport(smtp: SmtpServer) -> SmtpTransport:
    return SmtpTransport(smtp.host, smtp.port, sender=SENDER, starttls=False)


def email(to: str = "parent@example.org", **kwargs: object) -> Message:
    fields: dict[str, object] = {
        "delivery_uuid": "5f1c2a",
        "channel": "email",
        "to": to,
        "subject": "Absence de Zoé — 3ᵉ B",
        "body": "Zoé était absente ce matin.",
        "html": "<p>Zoé était <b>absente</b> ce matin.</p>",
    }
    return Message(**(fields | kwargs))  # type: ignore[arg-type]


async def test_it_sends_text_and_html_with_the_delivery_in_the_message_id(smtp: SmtpServer) -> None:
    result = await transport(smtp).send(email())

    [received] = smtp.handler.received
    message = received.message
    assert received.mail_from == "vie-scolaire@college-moulin.fr"
    assert received.rcpt_tos == ["parent@example.org"]
    assert message["Message-ID"] == "<5f1c2a@college-moulin.fr>"
    assert message["Subject"] == "Absence de Zoé — 3ᵉ B"
    assert message["From"] == SENDER
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "Zoé était absente" in text.get_content()
    assert html is not None and "<b>absente</b>" in html.get_content()
    assert (result.provider, result.provider_ref) == ("smtp", "5f1c2a@college-moulin.fr")


async def test_a_letter_travels_as_a_pdf_attachment(smtp: SmtpServer) -> None:
    pdf = b"%PDF-1.7\n%fake\n"
    await transport(smtp).send(email(attachment=pdf, extra={"filename": "convocation.pdf"}))

    message = smtp.handler.received[0].message
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "convocation.pdf"
    assert attachment.get_content() == pdf


async def test_a_refused_recipient_is_a_permanent_bounce(smtp: SmtpServer) -> None:
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    with pytest.raises(SendFailed) as caught:
        await transport(smtp).send(email("gone@example.org"))
    assert (caught.value.permanent, caught.value.code) == (True, "550")
    assert smtp.handler.received == []


async def test_a_temporary_refusal_is_transient(smtp: SmtpServer) -> None:
    smtp.handler.refuse["full@example.org"] = "452 4.2.2 Mailbox full"
    with pytest.raises(SendFailed) as caught:
        await transport(smtp).send(email("full@example.org"))
    assert (caught.value.permanent, caught.value.code) == (False, "452")


async def test_a_server_that_is_down_is_transient() -> None:
    adapter = SmtpTransport("127.0.0.1", free_port(), sender=SENDER, starttls=False, timeout=2)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(email())
    assert caught.value.permanent is False


@pytest.mark.parametrize(
    ("reply", "usability"),
    [
        ("550 5.1.1 No such user", Usability.BOUNCED),
        ("553 5.1.3 Bad destination mailbox address", Usability.BOUNCED),
        ("552 5.2.2 Mailbox full", None),  # the address exists: it says nothing against it
    ],
)
async def test_a_refused_recipient_says_what_becomes_of_the_address(
    smtp: SmtpServer, reply: str, usability: Usability | None
) -> None:
    smtp.handler.refuse["gone@example.org"] = reply
    with pytest.raises(SendFailed) as caught:
        await transport(smtp).send(email("gone@example.org"))
    assert (caught.value.permanent, caught.value.usability) == (True, usability)


@pytest.mark.parametrize("to", ["<>", "a\nb@example.org", "a b@example.org"])
async def test_an_address_no_smtp_command_may_carry_is_invalid(smtp: SmtpServer, to: str) -> None:
    with pytest.raises(SendFailed) as caught:
        await transport(smtp).send(email(to))
    error = caught.value
    assert (error.permanent, error.code, error.usability) == (True, "address", Usability.INVALID)
    assert smtp.handler.received == []


async def test_a_refused_login_says_nothing_of_the_address(smtp: SmtpServer) -> None:
    adapter = SmtpTransport(
        smtp.host, smtp.port, sender=SENDER, starttls=False, username="u", password="p"
    )
    with pytest.raises(SendFailed) as caught:
        await adapter.send(email())
    assert (caught.value.permanent, caught.value.usability) == (False, None)


async def test_the_school_s_vie_scolaire_is_the_reply_to_when_set(smtp: SmtpServer) -> None:
    await transport(smtp).send(email(extra={REPLY_TO: "vie.scolaire@college-moulin.fr"}))
    await transport(smtp).send(email())
    await transport(smtp).send(email(extra={REPLY_TO: "x@example.org\r\nBcc: y@example.org"}))

    answered, plain, forged = (r.message for r in smtp.handler.received)
    assert answered["Reply-To"] == "vie.scolaire@college-moulin.fr"
    assert answered["From"] == SENDER  # sent by the service, answered to the school
    assert plain["Reply-To"] is None
    assert forged["Reply-To"] is None and forged["Bcc"] is None
