"""The embedded outbox: one JSON file per message, listed newest first for the panel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.services.ports import Message, SendFailed
from gateway.outbox.transport import OutboxTransport, read_item
from tests.conftest import mode_of


def message(uuid: str, body: str = "Zoé est absente.", **kwargs: object) -> Message:
    return Message(channel="sms", delivery_uuid=uuid, to="+33612345678", body=body, **kwargs)  # type: ignore[arg-type]


async def test_each_message_becomes_a_json_file_named_after_its_delivery(tmp_path: Path) -> None:
    result = await OutboxTransport(tmp_path).send(message("0b9e-41"))

    path = tmp_path / "outbox" / "0b9e-41.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["channel"] == "sms"
    assert data["to"] == "+33612345678"
    assert data["body"] == "Zoé est absente."
    assert (result.provider, result.provider_ref, result.delivered) == ("outbox", "0b9e-41", True)
    assert [p.name for p in path.parent.iterdir()] == ["0b9e-41.json"]  # no temporary left


@pytest.mark.usefixtures("lax_umask")
async def test_the_outbox_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    await OutboxTransport(tmp_path / "var").send(message("0b9e-42"))
    path = tmp_path / "var" / "outbox" / "0b9e-42.json"
    assert (mode_of(path), mode_of(path.parent)) == (0o600, 0o700)


async def test_emails_go_there_too_when_no_smtp_is_configured(tmp_path: Path) -> None:
    email = message("e-1", subject="Absence", html="<p>Absence</p>", attachment=b"%PDF-1.7")
    await OutboxTransport(tmp_path, channel="email").send(email)
    data = json.loads((tmp_path / "outbox" / "e-1.json").read_text(encoding="utf-8"))
    assert (data["channel"], data["subject"], data["html"]) == (
        "email",
        "Absence",
        "<p>Absence</p>",
    )
    assert "attachment_pdf" in data


async def test_the_same_delivery_twice_leaves_one_file(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path)
    await outbox.send(message("same", "first"))
    await outbox.send(message("same", "second"))
    item = read_item(tmp_path, "same")
    assert item is not None and item.body == "second"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == ["same.json"]


async def test_a_delivery_id_cannot_escape_the_outbox(tmp_path: Path) -> None:
    with pytest.raises(SendFailed) as caught:
        await OutboxTransport(tmp_path).send(message("../escape"))
    assert caught.value.permanent is True
    assert not (tmp_path / "escape.json").exists()
