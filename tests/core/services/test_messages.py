"""The default message templates: every one renders in the sandbox; French SMS stay in GSM-7."""

from __future__ import annotations

import pytest

from core.services.templates.messages import TEMPLATES, default_template
from gateway.render import render_message, sms_segments

CONTEXT: dict[str, object] = {
    "school": {
        "name": "Collège Alpha",
        "uai": "0750001A",
        "city": "Lyon",
        "head_name": "",
        "head_title": "",
        "signatory_name": "Mme Lefèvre",
        "signatory_title": "CPE",
    },
    "dateline": "À Lyon, le 2 mars 2026",
    "student": {"first_name": "Léa", "last_name": "Martin"},
    "guardian": {"civility": "Mme", "first_name": "Anne", "last_name": "Martin", "name": "x"},
    "kind": "absence",
    "day": "lundi 2 mars",
    "start": "8h00",
    "half": "matin",
    "past": False,
}
HALF_DAYS = [{"day": "lundi 2 mars 2026", "half": "matin"}]
EVENTS = [{"kind": "Absence", "day": "lundi 2 mars", "start": "8h00", "end": "", "state": "?"}]
MONTH = {"month_label": "mars 2026", "count": 4, "half_days": HALF_DAYS, "written_on": "x"}
KIND_VALUES: dict[str, dict[str, object]] = {  # what the payload of a dated notice gives
    "reminder": {"written_on": "4 mars 2026"},
    "threshold": MONTH,
    "persistent": MONTH,
    "weekly_summary": {"week_label": "lundi 2 mars 2026", "events": EVENTS, "written_on": "x"},
    "convocation": {
        "meeting_day": "mardi 10 mars 2026",
        "meeting_time": "14h30",
        "place": "bureau de la CPE",
        "with_whom": "Mme Dupont, CPE",
        "message": "",
        "written_on": "2 mars 2026",
    },
    "answer": {"text": "Bien noté, merci."},
    "chat_code": {
        "code": "K7QM2XHPRA",
        "link": "https://t.me/college_alpha_absences_bot?start=K7QM2XHPRA",
        "expires": "mercredi 9 décembre à 14h30",
        "written_on": "7 décembre 2026",
        "qr": "data:image/png;base64,iVBORw0KGgo=",
    },
}
SHIPPED = sorted(
    (path.parent.name, *path.name.split(".")[:2]) for path in TEMPLATES.glob("*/*.txt")
)


def test_each_kind_has_every_channel_in_french_and_english() -> None:
    for kind in ("absence", "lateness"):
        for channel in ("sms", "call", "email", "chat", "letter"):
            for language in ("fr", "en"):
                assert (kind, channel, language) in SHIPPED


@pytest.mark.parametrize("past", [False, True])
@pytest.mark.parametrize(("kind", "channel", "language"), SHIPPED)
def test_a_default_template_renders(kind: str, channel: str, language: str, past: bool) -> None:
    found = default_template(kind, channel, language)
    assert found is not None
    subject, body = found
    text = render_message(body, {**CONTEXT, **KIND_VALUES.get(kind, {}), "past": past})
    assert "{{" not in text
    if kind == "thanks":  # the acknowledgement of a reply names the school only
        assert "Collège Alpha" in text
    elif kind == "answer":  # a staff member's words, signed with the school's name
        assert text.startswith("Bien noté, merci. - ") and text.endswith("Collège Alpha")
    elif kind == "chat_code":  # a guardian's Telegram code: the code, its link, its expiry
        assert "/start K7QM2XHPRA" in text and "https://t.me/" in text and "14h30" in text
    else:
        assert "Léa Martin" in text
    assert bool(subject) is (channel == "email")
    if channel == "sms":
        info = sms_segments(text)
        assert (info.encoding, info.unsupported) == ("GSM-7", ())
        assert info.segments <= 2


@pytest.mark.parametrize("channel", ["sms", "email", "call", "chat", "letter"])
def test_an_absence_entered_after_its_day_names_the_day(channel: str) -> None:
    """A catch-up notice (Friday's paper roll call typed in on Monday) says when, not "ce"."""
    found = default_template("absence", channel, "fr")
    assert found is not None
    past = render_message(found[1], {**CONTEXT, "past": True})
    today = render_message(found[1], CONTEXT)
    assert "absent le lundi 2 mars à partir de 8h00" in past.replace("absent(e)", "absent")
    assert "ce lundi 2 mars" not in past
    assert "ce lundi 2 mars" in today or "le lundi 2 mars" in today
