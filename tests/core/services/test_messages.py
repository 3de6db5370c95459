"""The default message templates: every one renders in the sandbox; French SMS stay in GSM-7."""

from __future__ import annotations

import pytest

from core.services.messages import TEMPLATES, default_template
from gateway.render import render_message, sms_segments

CONTEXT: dict[str, object] = {
    "school": {"name": "Collège Alpha", "uai": "0750001A"},
    "student": {"first_name": "Léa", "last_name": "Martin"},
    "guardian": {"civility": "Mme", "first_name": "Anne", "last_name": "Martin", "name": "x"},
    "kind": "absence",
    "day": "lundi 2 mars",
    "start": "8h00",
    "half": "matin",
}
SHIPPED = sorted(
    (path.parent.name, *path.name.split(".")[:2]) for path in TEMPLATES.glob("*/*.txt")
)


def test_each_kind_has_every_channel_in_french_and_english() -> None:
    for kind in ("absence", "lateness"):
        for channel in ("sms", "call", "email", "chat", "letter"):
            for language in ("fr", "en"):
                assert (kind, channel, language) in SHIPPED


@pytest.mark.parametrize(("kind", "channel", "language"), SHIPPED)
def test_a_default_template_renders(kind: str, channel: str, language: str) -> None:
    found = default_template(kind, channel, language)
    assert found is not None
    subject, body = found
    text = render_message(body, CONTEXT)
    assert "Léa Martin" in text and "{{" not in text
    assert bool(subject) is (channel == "email")
    if channel == "sms":
        info = sms_segments(text)
        assert (info.encoding, info.unsupported) == ("GSM-7", ())
        assert info.segments <= 2
