"""The merge fields a notice template may name, and the static check of a template's source.

Pure: the jinja2 parser only reads the source (nothing is rendered here; rendering happens in
the sandbox behind :data:`core.services.ports.Renderer`). The check refuses what no sandbox
should even be asked to run — attributes starting with ``_``, ``include``/``import``/
``extends``, ``autoescape`` blocks in HTML — and names a variable or a field the notice does not
have, with its line, so the editor can say where.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

Fields = frozenset[str] | None  # the attributes of a record; None: a plain value or a list

# What every notice's context holds (core.services.templates.messages.context): records and
# their fields.
COMMON: dict[str, Fields] = {
    "school": frozenset(
        {"name", "uai", "address", "city", "phone", "email", "head_name", "head_title"}
        | {"signatory_name", "signatory_title"}
    ),
    "student": frozenset({"first_name", "last_name"}),
    "guardian": frozenset({"civility", "first_name", "last_name", "name"}),
    "kind": None,
    "day": None,
    "start": None,
    "half": None,
    # true when the absence was entered after its day (a catch-up): the text names the day
    "past": None,
    "dateline": None,  # where and when a letter is written: "À Lyon, le 2 mars 2026"
}

# The values a notice of each kind carries in its payload (core/services/notices/planning.py,
# convocations.py); the names the shipped templates of a kind use are allowed too.
KIND_VALUES: dict[str, tuple[str, ...]] = {
    "absence": ("day", "half", "start"),
    "lateness": ("day", "half", "start"),
    "reminder": ("day", "half", "start", "written_on"),
    "threshold": ("month_label", "count", "half_days", "written_on"),
    "persistent": ("month_label", "count", "half_days", "written_on"),
    "weekly_summary": ("week_label", "events", "written_on"),
    "convocation": ("meeting_day", "meeting_time", "place", "with_whom", "message", "written_on"),
    "answer": ("text",),  # a staff member's answer to a family (core/services/notices/answers.py)
    # a guardian's Telegram code (core/services/notices/chat_invitations.py); ``qr``: the link's
    # QR code as a PNG data URI, for a letter's <img src>
    "chat_code": ("code", "link", "expires", "qr", "written_on"),
}

# The order the editor's menu lists the records' fields in, after the student's and before the
# school's come the notice's own values (KIND_VALUES).
PEOPLE: tuple[str, ...] = (
    "dateline",
    "student.first_name",
    "student.last_name",
    "guardian.name",
    "guardian.civility",
    "guardian.first_name",
    "guardian.last_name",
)
SCHOOL: tuple[str, ...] = (
    "school.name",
    "school.address",
    "school.city",
    "school.phone",
    "school.email",
    "school.head_name",
    "school.head_title",
    "school.signatory_name",
    "school.signatory_title",
    "school.uai",
)

MAX_NUMBER = 100_000  # a larger literal could only make a filter build a huge value


class _Reader(SandboxedEnvironment):
    """Reads templates, never folds constants: jinja would otherwise compute ``9 ** 9 ** 9``
    while merely listing a template's variables."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})


_ENVIRONMENT = _Reader(trim_blocks=True, lstrip_blocks=True)
_REFUSED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Extends,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a template source is refused: a stable ``code``, a message, the line if known."""

    code: str  # syntax, unsafe, unknown_variable, unknown_field
    message: str
    line: int | None = None


def variables_of(source: str) -> frozenset[str]:
    """The top-level names ``source`` reads from its context (empty when it does not parse or
    holds what :func:`check_source` refuses)."""
    try:
        tree = _ENVIRONMENT.parse(source)
    except jinja2.TemplateSyntaxError:
        return frozenset()
    if _unsafe(tree, html=True) is not None:
        return frozenset()
    return frozenset(meta.find_undeclared_variables(tree))


def _unsafe(tree: nodes.Template, html: bool) -> Problem | None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, _REFUSED_NODES):
            return Problem("unsafe", "include, import and extends are not allowed", node.lineno)
        if html and isinstance(node, nodes.ScopedEvalContextModifier | nodes.EvalContextModifier):
            return Problem("unsafe", "autoescape blocks are not allowed", node.lineno)
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value if isinstance(node.arg.value, str) else None
        if name is not None and name.startswith("_"):
            return Problem("unsafe", f"access to {name!r} is not allowed", node.lineno)
        if isinstance(node, nodes.Const) and _big(node.value):
            return Problem("unsafe", f"numbers above {MAX_NUMBER} are not allowed", node.lineno)
    return None


def _big(value: object) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER
    )


def _field_problem(tree: nodes.Template, allowed: Mapping[str, Fields]) -> Problem | None:
    for node in tree.find_all(nodes.Getattr):
        if not isinstance(node.node, nodes.Name) or node.node.ctx != "load":
            continue
        fields = allowed.get(node.node.name)
        if fields is not None and node.attr not in fields:
            message = f"unknown field {node.node.name}.{node.attr}"
            return Problem("unknown_field", message, node.lineno)
    return None


def check_source(
    source: str, allowed: Mapping[str, Fields], *, html: bool = False
) -> Problem | None:
    """The first problem of ``source`` given the variables ``allowed``, or None.

    ``allowed`` maps each variable to its fields (a record) or None (a value or a list, whose
    own attributes the sandbox judges when the template is tried with sample data).
    """
    try:
        tree = _ENVIRONMENT.parse(source)
    except jinja2.TemplateSyntaxError as error:
        return Problem("syntax", error.message or "syntax error", error.lineno)
    unsafe = _unsafe(tree, html)
    if unsafe is not None:
        return unsafe
    unknown = sorted(meta.find_undeclared_variables(tree) - set(allowed))
    if unknown:
        return Problem(
            "unknown_variable", f"unknown variable {unknown[0]}", _line_of(tree, unknown[0])
        )
    return _field_problem(tree, allowed)


def _line_of(tree: nodes.Template, name: str) -> int | None:
    return next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)


def allowed_fields(kind: str, extra: Iterable[str] = ()) -> dict[str, Fields]:
    """What a template of ``kind`` may name: the common records and values, the kind's own
    values, and the names in ``extra`` (those its shipped templates use), as plain values."""
    values = (*KIND_VALUES.get(kind, ()), *extra)
    return {**{name: None for name in values}, **COMMON}


# What the editor inserts for a list: a loop over it (the names of their fields as the
# payloads of notice_planning.py hold them).
SNIPPETS: dict[str, str] = {
    "half_days": "{% for h in half_days %}- {{ h.day }}, {{ h.half }}\n{% endfor %}",
    "events": "{% for e in events %}- {{ e.kind }}, {{ e.day }}, {{ e.start }} : {{ e.state }}\n"
    "{% endfor %}",
}


def snippet(field: str) -> str:
    """What the editor inserts for a merge field: ``{{ field }}``, or a loop for a list."""
    return SNIPPETS.get(field, "{{ " + field + " }}")


def menu(kind: str, extra: Iterable[str] = ()) -> list[str]:
    """The merge fields the editor offers for ``kind``, in order, each once."""
    own = [*KIND_VALUES.get(kind, ()), *sorted(set(extra) - set(COMMON))]
    return list(dict.fromkeys((*PEOPLE, *own, *SCHOOL)))


class Sample(str):
    """A stand-in value: ``[name]`` as text, any field a Sample, iterating as two Samples."""

    __slots__ = ()

    def __new__(cls, name: str) -> Sample:
        return super().__new__(cls, f"[{name}]")

    def __getattr__(self, name: str) -> Sample:
        if name.startswith("_"):
            raise AttributeError(name)
        return Sample(name)

    def __iter__(self) -> Iterator[str]:
        return iter((Sample(self[1:-1]), Sample(self[1:-1])))

    def __reduce__(self) -> tuple[type[Sample], tuple[str]]:
        return Sample, (self[1:-1],)
