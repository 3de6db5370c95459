"""Templates in a sandbox, and the cost of an SMS (domain.md §6)."""

from __future__ import annotations

import pytest

from gateway.render import (
    TemplateError,
    TemplateSyntaxError,
    UndefinedVariableError,
    UnsafeTemplateError,
    render_message,
    sms_segments,
)

CONTEXT = {"student": {"first_name": "Zoé"}, "half_days": ["lundi matin", "lundi après-midi"]}


def test_it_renders_a_message_with_its_context() -> None:
    source = "{{ student.first_name }} : {{ half_days | join(', ') }}"
    assert render_message(source, CONTEXT) == "Zoé : lundi matin, lundi après-midi"


def test_html_is_escaped_in_emails_and_letters_but_not_in_sms() -> None:
    context = {"name": "<b>Léo</b> & Cie"}
    assert render_message("{{ name }}", context) == "<b>Léo</b> & Cie"
    assert render_message("{{ name }}", context, html=True) == "&lt;b&gt;Léo&lt;/b&gt; &amp; Cie"


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(TemplateSyntaxError, match="line 2"):
        render_message("Bonjour\n{{ student.first_name ", CONTEXT)


@pytest.mark.parametrize(
    "source", ["{{ studnet.first_name }}", "{{ student.age }}", "{{ x | upper }}"]
)
def test_an_unknown_variable_is_an_error_not_an_empty_string(source: str) -> None:
    with pytest.raises(UndefinedVariableError):
        render_message(source, CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ student.__class__ }}",
        "{{ '{0.__class__}'.format(student) }}",
        "{{ half_days.append('x') }}",
        "{{ half_days.pop() }}",
    ],
)
def test_the_sandbox_refuses_escapes(source: str) -> None:
    with pytest.raises(UnsafeTemplateError, match="unsafe"):
        render_message(source, CONTEXT)
    assert CONTEXT["half_days"] == ["lundi matin", "lundi après-midi"]


def test_every_template_error_is_one_type_for_the_editor() -> None:
    for error in (TemplateSyntaxError, UndefinedVariableError, UnsafeTemplateError):
        assert issubclass(error, TemplateError)


@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("à é è ù ì ò Ç É Ä Ö Ü ä ö ü ñ Ñ", "GSM-7", 31, 1),
        ("€", "GSM-7", 2, 1),
        ("€" * 80, "GSM-7", 160, 1),
        ("[]{}", "GSM-7", 8, 1),
        ("ê", "UCS-2", 1, 1),
        ("ê" * 70, "UCS-2", 70, 1),
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("😀", "UCS-2", 2, 1),
    ],
)
def test_sms_segments(text: str, encoding: str, length: int, segments: int) -> None:
    info = sms_segments(text)
    assert (info.encoding, info.length, info.segments) == (encoding, length, segments)


def test_an_escape_sequence_is_never_split_between_two_parts() -> None:
    # 152 septets then '€' (2): it does not fit in the first part's 153, so a third part starts
    # only when the rest overflows the second.
    info = sms_segments("a" * 152 + "€" + "a" * 152)
    assert (info.length, info.segments) == (306, 3)


def test_it_names_the_characters_that_forced_ucs2() -> None:
    info = sms_segments("Réunion « urgente » à 10 h, prévenez l’école")
    assert info.encoding == "UCS-2"
    assert info.unsupported == ("«", "»", "’")
    assert info.per_segment == 70
    assert sms_segments("a" * 200).per_segment == 153
