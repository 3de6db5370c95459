"""What deploy/ ships names only what exists: the units' and the image's commands parse with the
``absences`` command's own parser, the environment example's keys are settings (all of them),
the image installs the libraries scripts/system-deps names, and systemd reads the units."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.main import build_parser
from core.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BINARY = "/opt/absences/.venv/bin/absences"
UNITS = sorted(DEPLOY.glob("absences*.service"))
INSTANCE = {"absences-serve@.service": "8081", "absences-worker@.service": "1"}


def directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def parses(argv: list[str]) -> None:
    """The command line is one the ``absences`` parser accepts (argparse exits otherwise)."""
    try:
        build_parser().parse_args(argv)
    except SystemExit as refused:
        pytest.fail(f"`absences {' '.join(argv)}` is refused by the parser ({refused.code})")


def test_the_units_and_the_target_are_shipped() -> None:
    names = {path.name for path in DEPLOY.iterdir()}
    assert {
        "absences-serve@.service",
        "absences-worker@.service",
        "absences-migrate.service",
        "absences.target",
        "absences.env.example",
        "nginx.conf",
        "Caddyfile",
        "Containerfile",
        "absences-admin",
    } <= names


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_each_unit_runs_an_absences_command_that_exists(unit: Path) -> None:
    found = directives(unit)
    (command,) = found["ExecStart"]
    words = shlex.split(command.replace("%i", INSTANCE.get(unit.name, "")))
    assert words[0] == BINARY
    parses(words[1:])
    assert found["EnvironmentFile"] == ["/etc/absences/absences.env"]
    assert found["User"] == ["absences"] and found["NoNewPrivileges"] == ["yes"]
    assert found["ProtectSystem"] == ["strict"]
    writable = found["ReadWritePaths"][0].split()
    assert found["WorkingDirectory"][0] in writable  # var/ lies under it (ABSENCES_VAR_DIR)


def test_the_serve_unit_listens_on_its_instance_port() -> None:
    (command,) = directives(DEPLOY / "absences-serve@.service")["ExecStart"]
    args = build_parser().parse_args(shlex.split(command.replace("%i", "8082"))[1:])
    assert args.command == "serve" and args.port == 8082 and args.host == "127.0.0.1"


def test_the_admin_script_runs_the_units_command_with_their_settings() -> None:
    script = DEPLOY / "absences-admin"
    assert script.stat().st_mode & 0o111, "not executable"
    text = script.read_text()
    assert f"BINARY={BINARY}\n" in text
    serve = directives(DEPLOY / "absences-serve@.service")
    assert serve["EnvironmentFile"][0] in text and serve["WorkingDirectory"][0] in text
    assert f"-u {serve['User'][0]} " in text
    checked = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def env_example_keys() -> list[str]:
    """Every ABSENCES_ key of the example, set or commented out."""
    text = (DEPLOY / "absences.env.example").read_text()
    return re.findall(r"^#?(ABSENCES_[A-Z0-9_]+)=", text, flags=re.MULTILINE)


def test_the_environment_example_names_every_setting_and_only_settings() -> None:
    keys = env_example_keys()
    assert len(keys) == len(set(keys)), "a key twice"
    fields = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    assert set(keys) - fields == set(), "not a setting"
    assert fields - set(keys) == set(), "a setting the example does not show"


def test_the_environment_example_is_valid_as_it_stands() -> None:
    text = (DEPLOY / "absences.env.example").read_text()
    values = dict(
        line.split("=", 1)
        for line in text.splitlines()
        if line.startswith(ENV_PREFIX) and "=" in line
    )
    settings = Settings(**{key[len(ENV_PREFIX) :].lower(): value for key, value in values.items()})
    assert settings.redis_url and settings.database_url.startswith("postgres://")
    assert settings.public_url.startswith("https://") and settings.trusted_networks


def test_the_readme_settings_are_in_the_example() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n### ", 1)[0]
    named: set[str] = set()
    for row in table.splitlines():
        first = re.match(r"\| `(ABSENCES_([A-Z]+)_[A-Z0-9_]+)`", row)
        if not first:
            continue
        named.add(first.group(1))
        prefix = f"{ENV_PREFIX}{first.group(2)}"
        named.update(prefix + short for short in re.findall(r"`(_[A-Z0-9_]+)`", row))
        named.update(re.findall(r"`(ABSENCES_[A-Z0-9_]+)`", row))
    named.discard(ENV_PREFIX + "CONFIG")  # names the TOML file: not a setting of its own
    assert len(named) > 30
    assert named - set(env_example_keys()) == set()


def test_the_image_runs_the_command_and_installs_the_letters_libraries() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["absences"\]$', text, flags=re.MULTILINE)
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    parses(eval(cmd))  # a JSON list of strings
    assert re.search(r"^USER absences$", text, flags=re.MULTILINE)
    deps = (ROOT / "scripts" / "system-deps").read_text()
    (packages,) = re.findall(r'^packages="([^"]+)"', deps, flags=re.MULTILINE)
    for package in packages.split():
        assert package in text


def test_the_compose_example_runs_commands_that_exist() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    commands = re.findall(r"^\s+command: (\[.*\])$", text, flags=re.MULTILINE)
    assert len(commands) >= 4
    for command in commands:
        parses(eval(command))


def test_the_proxies_reach_the_serve_instances_and_allow_the_imports() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    caddy = (DEPLOY / "Caddyfile").read_text()
    for text in (nginx, caddy):
        assert "127.0.0.1:8081" in text and "127.0.0.1:8082" in text
    from core.siecle.xmlsafe import DEFAULT_MAX_BYTES

    (nginx_body,) = re.findall(r"client_max_body_size (\d+)m;\n\s+# Merging", nginx)
    (caddy_body,) = re.findall(r"max_size (\d+)MB", caddy)
    for size in (int(nginx_body) * 1024 * 1024, int(caddy_body) * 1000 * 1000):
        assert size > DEFAULT_MAX_BYTES  # a SIECLE upload at the app's own limit gets through
    assert "X-Forwarded-For $remote_addr" in nginx


def test_systemd_reads_the_units_without_a_complaint(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    executable = Path(shutil.which("absences") or ROOT / ".venv" / "bin" / "absences")
    if not executable.exists():
        pytest.skip("no absences executable to point the units at")
    names = []
    for unit in [*UNITS, *DEPLOY.glob("absences*.timer"), DEPLOY / "absences.target"]:
        name = unit.name.replace("@.", "@" + INSTANCE.get(unit.name, "") + ".")
        text = unit.read_text().replace(BINARY, str(executable.resolve()))
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    checked = subprocess.run(
        [analyze, "verify", "--man=no", *names], capture_output=True, text=True, timeout=60
    )
    complaints = [
        line for line in checked.stderr.splitlines() if "Unknown" in line or "ignoring" in line
    ]
    assert checked.returncode == 0 and not complaints, checked.stderr
