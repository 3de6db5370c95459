"""The import table of architecture.md, kept true by walking every module's imports (ast)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("core", "gateway", "workers", "web", "bot")
PROJECT = {*LAYERS, "cli"}


def layer_of(module: str) -> str | None:
    """The row/column of the table a module belongs to (``workers.queue`` is its own)."""
    top = module.split(".")[0]
    if top not in PROJECT:
        return None
    if module == "workers.queue" or module.startswith("workers.queue."):
        return "workers.queue"
    return top


def allowed(importer: str, imported: str) -> bool:
    source, target = layer_of(importer), layer_of(imported)
    if target is None or source == target or source == "cli":
        return True
    if source == "workers.queue":
        source = "workers"
    rules = {
        "core": set(),
        "gateway": {"core"},
        "workers": {"core", "gateway", "workers.queue"},
        "web": {"core", "workers.queue"},
        "bot": {"core", "workers.queue"},
    }
    if target in rules.get(source or "", set()):
        return True
    if source == "web" and target == "gateway":
        return "callback" in imported  # only the parsers of provider callbacks
    if source == "web" and target == "bot":
        return imported in {"bot", "bot.webhook"}  # only to mount the bot's webhook
    return source == "workers" and target == "workers"


def imports(path: Path, *, modules: bool = True) -> Iterator[tuple[int, str]]:
    """Each name imported, qualified (``from a.b import c`` is ``a.b.c``), and with
    ``modules`` the module of a ``from`` import too (``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if modules:
                yield node.lineno, node.module
            for alias in node.names:  # `from workers import tasks` names a module too
                yield node.lineno, f"{node.module}.{alias.name}"


# What a module may not import even from a layer the table lets it import: (importer, imported,
# why). A name is the module or anything under it.
FORBIDDEN = (
    ("web", "tortoise", "web reads through core.queries and writes through core.services"),
    ("core.queries", "core.services", "reads never import services (services import reads)"),
    ("core.queries", "tortoise.transactions", "reads never open a transaction"),
    ("core.rules", "core.models", "rules are pure functions over plain values"),
    ("core.rules", "core.services", "rules are pure functions over plain values"),
    ("core.rules", "core.queries", "rules are pure functions over plain values"),
    ("core.rules", "core.db", "rules are pure functions over plain values"),
    ("core.rules", "tortoise", "rules are pure functions over plain values"),
    ("core.models", "core.services", "models know no service"),
    ("core.models", "core.queries", "models know no query"),
    (
        "web",
        "core.services.notices.absence.scheduled_deliveries",
        "an entry point enqueues the rows the service returned (workers.queue.enqueue_scheduled)",
    ),
)


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden(importer: str, imported: str) -> str | None:
    """Why ``importer`` may not import ``imported`` (None: it may, as far as these rules go)."""
    for source, target, why in FORBIDDEN:
        if under(importer, source) and under(imported, target):
            return why
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    return sorted(p for top in PROJECT for p in (ROOT / top).rglob("*.py"))


def test_every_import_follows_the_table() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in project_files()
        for line, name in imports(path)
        if not allowed(module_name(path), name)
    ]
    assert wrong == []


def test_no_module_imports_what_the_rules_forbid() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}: {why}"
        for path in project_files()
        for line, name in imports(path, modules=False)
        if (why := forbidden(module_name(path), name)) is not None
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("web.panel.grid", "tortoise.expressions.Q", False),
        ("web.app", "tortoise", False),
        ("core.rules.replies", "core.models", False),
        ("core.rules.notices", "tortoise.fields", False),
        ("core.rules.notices", "core.rules.channels", True),
        ("core.models.notice", "core.services.delivery.rows", False),
        ("web.panel.grid", "core.queries.grid.events_touching", True),
        ("core.queries.dashboard", "core.services.events.roll_call.missing_roll_calls", False),
        ("core.queries.lists", "tortoise.transactions.in_transaction", False),
        ("core.queries.lists", "tortoise.expressions.Q", True),
        ("core.services.events.record", "core.queries.records.school_event", True),
        ("core.servicesx", "tortoise", True),
        ("web.panel.grid", "core.services.notices.absence.scheduled_deliveries", False),
        ("workers.tasks", "core.services.notices.absence.scheduled_deliveries", True),
        ("webhooks", "tortoise", True),
    ],
)
def test_the_checker_knows_the_rules(importer: str, imported: str, ok: bool) -> None:
    assert (forbidden(importer, imported) is None) is ok


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("core.services.events.record", "web.app", False),
        ("core.models", "gateway.sms", False),
        ("gateway.sms", "core.models", True),
        ("web.api.events", "workers.queue", True),
        ("web.api.events", "workers.tasks", False),
        ("web.hooks", "gateway.twilio.callbacks", True),
        ("web.hooks", "gateway.twilio.transport", False),
        ("bot.routers", "workers.queue", True),
        ("bot.routers", "gateway.telegram", False),
        ("workers.tasks", "gateway.sms", True),
        ("workers.queue", "workers.tasks", True),
        ("cli.main", "workers.tasks", True),
    ],
)
def test_the_checker_itself_knows_the_table(importer: str, imported: str, ok: bool) -> None:
    assert allowed(importer, imported) is ok


def test_it_reads_the_project() -> None:
    names = {module_name(p) for p in project_files()}
    assert {"core.models", "web.app", "workers.queue", "cli.main"} <= names
