"""A school's notice templates: listed, checked in the sandbox, saved with warnings, sanitised,
reset, audited — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.errors import Invalid, NotFound
from core.models import AuditEntry, LetterTemplate, MessageTemplate, School
from core.services.audit import Actor
from core.services.ports import TemplateTools
from core.services.templates.editing import (
    list_templates,
    parse_key,
    read_template,
    reset_template,
    save_template,
    shipped,
    try_template,
)
from workers.senders import render

SMS = parse_key("absence", "sms", "fr")
LETTER = parse_key("absence", "letter", "fr")
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAH"
    "ggJ/PchI7wAAAABJRU5ErkJggg=="
)


async def test_every_kind_channel_and_language_is_listed_with_its_default(school_a: School) -> None:
    rows = await list_templates(school_a)
    # every channel for 7 kinds; an answer, a thanks by SMS; a Telegram code by SMS, email, letter
    assert len(rows) == 7 * 5 * 2 + 2 * 2 + 3 * 2
    by_key = {(r.key.kind, r.key.channel, r.key.language): r for r in rows}
    assert by_key[("absence", "sms", "fr")].has_default
    assert by_key[("absence", "letter", "en")].has_default
    assert by_key[("answer", "sms", "fr")].has_default and ("answer", "email", "fr") not in by_key
    assert (
        by_key[("chat_code", "email", "en")].has_default
        and ("chat_code", "chat", "fr") not in by_key
    )
    assert not any(r.overridden for r in rows)


async def test_an_unknown_kind_channel_or_language_is_not_found() -> None:
    assert parse_key("absence", "sms", "de").language == "de"  # a language of the list
    unknown = (("nope", "sms", "fr"), ("absence", "fax", "fr"), ("absence", "sms", "xx"))
    for parts in (*unknown, ("answer", "email", "fr")):  # an answer goes by SMS alone
        with pytest.raises(NotFound):
            parse_key(*parts)


async def test_a_school_saves_its_sms_and_the_audit_keeps_before_and_after(
    tools: TemplateTools, school_a: School, school_b: School, cpe_actor: Actor
) -> None:
    body = "{{ school.name }} : {{ student.first_name }} absent(e) ce {{ day }}. Merci."
    view, warnings = await save_template(
        school_a, cpe_actor, SMS, subject="", body=body + "\r\n", tools=tools
    )
    assert view.overridden and view.body == body and warnings == ()
    assert (await read_template(school_a, SMS)).body == body
    assert not (await read_template(school_b, SMS)).overridden  # another school keeps its own
    second = body.replace("Merci.", "Merci de répondre.")
    await save_template(school_a, cpe_actor, SMS, subject="", body=second, tools=tools)
    assert await MessageTemplate.filter(school=school_a).count() == 1
    entries = await AuditEntry.filter(action="template.save").order_by("id")
    assert [e.actor_id for e in entries] == [cpe_actor.user_id] * 2
    assert entries[0].before is None and entries[0].after is not None
    assert entries[0].after["body"] == body
    assert entries[1].before == {"subject": "", "body": body}
    rows = {(r.key.kind, r.key.channel, r.key.language): r for r in await list_templates(school_a)}
    assert rows[("absence", "sms", "fr")].overridden
    assert rows[("absence", "sms", "fr")].updated_at is not None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{{ ''.__class__ }}", "unsafe"),
        ("{{ student.first_name.__class__.__mro__ }}", "unsafe"),
        ("{{ student['__class__'] }}", "unsafe"),
        ("{% include 'secret.txt' %}", "unsafe"),
        ("{% import 'macros' as m %}", "unsafe"),
        ("{{ [1, 2].append(3) }}", "sandbox"),
        ("{{ 9 ** 999999 }}", "unsafe"),
        ("{{ 'a' | center(999999999) }}", "unsafe"),
        ("{{ 9 ** 99 }}", "sandbox"),
        ("{{ 'x' * 10000 * 10000 }}", "sandbox"),
        ("{{ range(99999 * 999) | list }}", "sandbox"),
        ("{{ pupil.first_name }}", "unknown_variable"),
        ("{{ student.birth_date }}", "unknown_field"),
        ("Bonjour\n{{ student.first_name ", "syntax"),
        ("{% if %}", "syntax"),
        ("   ", "empty"),
        ("x" * 5001, "too_long"),
    ],
)
async def test_a_template_the_checks_or_the_sandbox_refuse_is_not_saved(
    tools: TemplateTools, school_a: School, cpe_actor: Actor, body: str, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await save_template(school_a, cpe_actor, SMS, subject="", body=body, tools=tools)
    assert refused.value.code == code, refused.value.message
    assert refused.value.message  # said in words, for the editor
    assert await MessageTemplate.all().count() == 0
    assert await AuditEntry.filter(action="template.save").count() == 0


async def test_the_error_names_the_line(school_a: School) -> None:
    with pytest.raises(Invalid) as refused:
        try_template(school_a, SMS, "", "Bonjour\n\n{{ pupil }}", render)
    assert "line 3" in refused.value.message and "pupil" in refused.value.message


async def test_only_an_email_has_a_subject(
    tools: TemplateTools, school_a: School, cpe_actor: Actor
) -> None:
    with pytest.raises(Invalid) as refused:
        await save_template(school_a, cpe_actor, SMS, subject="Absence", body="x", tools=tools)
    assert refused.value.code == "subject"
    email = parse_key("absence", "email", "en")
    view, _ = await save_template(
        school_a,
        cpe_actor,
        email,
        subject="Absence of {{ student.first_name }}",
        body="Dear {{ guardian.name }}, {{ student.first_name }} is absent.",
        tools=tools,
    )
    assert view.subject == "Absence of {{ student.first_name }}"
    tried = try_template(school_a, email, view.subject, view.body, render)
    assert tried.subject == "Absence of Camille" and "MARTIN Claire" in tried.body


async def test_an_over_long_sms_is_saved_with_a_warning(
    tools: TemplateTools, school_a: School, cpe_actor: Actor
) -> None:
    body = "{{ school.name }} : " + "absence signalée, merci de nous répondre. " * 6
    view, warnings = await save_template(
        school_a, cpe_actor, SMS, subject="", body=body, tools=tools
    )
    assert view.overridden
    assert [w.code for w in warnings] == ["sms_segments"] and int(warnings[0].detail) >= 2
    tried = try_template(school_a, SMS, "", "Noël à l’école", render)
    assert tried.sms is not None and tried.sms.encoding == "UCS-2"
    assert [(w.code, w.detail) for w in tried.warnings] == [("sms_ucs2", "ë ’")]


async def test_the_kinds_own_values_and_lists_may_be_used(school_a: School) -> None:
    key = parse_key("threshold", "sms", "fr")
    body = (
        "{{ count }} demi-journées en {{ month_label }} : {% for h in half_days %}"
        "{{ h.day }} {{ h.half }}{% if not loop.last %}, {% endif %}{% endfor %}"
    )
    tried = try_template(school_a, key, "", body, render)
    assert tried.body.startswith("4 demi-journées en mars 2026 : lundi 2 mars 2026 matin")


async def test_a_letter_is_sanitised_before_it_is_stored(
    tools: TemplateTools, school_a: School, cpe_actor: Actor
) -> None:
    html = (
        '<p onclick="steal()">Madame, Monsieur, <strong>{{ student.first_name }}</strong></p>'
        "<script>alert('x')</script><style>p{}</style>"
        '<img src="http://tracker.example/pixel.png" onerror="alert(1)">'
        '<img src="file:///etc/passwd"><img src="//evil.example/a.png">'
        f'<img src="{PIXEL}" alt="signature" onload="x()">'
        '<img src="/s/0750001A/templates/logo">'
        '<p class="ql-align-right evil">{% if count > 3 %}beaucoup{% endif %} &amp; plus</p>'
        '<table><tbody><tr><td data-row="r1" style="color:red">A</td><td>B</td></tr>'
        "</tbody></table>"
        '<ol><li data-list="bullet">un</li></ol><a href="https://example.org">lien</a>'
    )
    view, _ = await save_template(
        school_a,
        cpe_actor,
        parse_key("threshold", "letter", "fr"),
        subject="",
        body=html,
        tools=tools,
    )
    stored = (await LetterTemplate.get(school=school_a)).html
    assert stored == view.body
    for gone in (
        "<script",
        "alert",
        "onclick",
        "onerror",
        "onload",
        "http:",
        "file:",
        "//evil",
        "<style",
        "style=",
        "evil",
        "<a ",
    ):
        assert gone not in stored, gone
    assert f'<img src="{PIXEL}" alt="signature">' in stored
    assert '<img src="/s/0750001A/templates/logo">' in stored
    assert (
        '<p class="ql-align-right">{% if count > 3 %}beaucoup{% endif %} &amp; plus</p>' in stored
    )
    assert '<td data-row="r1">A</td>' in stored and '<li data-list="bullet">un</li>' in stored
    assert "lien" in stored
    assert await MessageTemplate.all().count() == 0


async def test_a_letter_may_not_switch_autoescape_off(school_a: School) -> None:
    html = "<p>{% autoescape false %}{{ student.first_name }}{% endautoescape %}</p>"
    with pytest.raises(Invalid) as refused:
        try_template(school_a, LETTER, "", html, render)
    assert refused.value.code == "unsafe"


async def test_another_schools_logo_is_not_an_image_a_letter_may_show(
    tools: TemplateTools, school_a: School
) -> None:
    html = '<p>x</p><img src="/s/0690002B/templates/logo"><img src="/s/0750001A/templates/logo">'
    view, _ = await save_template(
        school_a, Actor.system("tests"), LETTER, subject="", body=html, tools=tools
    )
    assert "0690002B" not in view.body and "/s/0750001A/templates/logo" in view.body


async def test_reset_deletes_the_override_and_the_default_applies_again(
    tools: TemplateTools, school_a: School, cpe_actor: Actor
) -> None:
    assert not await reset_template(school_a, cpe_actor, LETTER)
    await save_template(school_a, cpe_actor, LETTER, subject="", body="<p>Mine</p>", tools=tools)
    assert (await read_template(school_a, LETTER)).overridden
    assert await reset_template(school_a, cpe_actor, LETTER)
    view = await read_template(school_a, LETTER)
    assert not view.overridden and view.body == shipped(LETTER)[1]  # type: ignore[index]
    assert await LetterTemplate.all().count() == 0
    entry = await AuditEntry.get(action="template.reset")
    assert entry.before == {"html": "<p>Mine</p>"} and entry.after is None
    assert entry.entity_id == "absence/letter/fr" and entry.actor_id == cpe_actor.user_id


async def test_every_shipped_default_passes_the_editors_checks(school_a: School) -> None:
    rows = await list_templates(school_a)
    for row in rows:
        found = shipped(row.key)
        if found is None:
            continue
        subject, body = found
        tried = try_template(school_a, row.key, subject, body, render)
        assert tried.body, row.key
