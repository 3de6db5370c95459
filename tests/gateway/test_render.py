"""Templates in a sandbox (the SMS segment count is tested with its rule, core/rules/sms.py)."""

from __future__ import annotations

import pytest

from gateway.render import (
    TemplateError,
    TemplateSyntaxError,
    UndefinedVariableError,
    UnsafeTemplateError,
    render_message,
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
