"""``ABSENCES_LOG_FORMAT=json``: ``absences serve`` writes every record, access records
included, as one JSON object a line; the formatter keeps extras and the exception's text."""

from __future__ import annotations

import io
import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path

from cli.logs import JsonFormatter, configure_logging
from core.settings import load_settings
from tests.cli.test_cli import Install, free_port


def test_serve_logs_one_json_object_a_line(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    install = Install(tmp_path)
    assert install.run("migrate").returncode == 0
    port = free_port()
    install.env.update(
        ABSENCES_PORT=str(port), ABSENCES_LOG_FORMAT="json", ABSENCES_TRUSTED_PROXIES="127.0.0.1"
    )
    process = install.start("serve")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        proxied = urllib.request.Request(
            f"{base}/s/0750001A/stats/nothing?name=Martin",
            headers={"X-Forwarded-For": "203.0.113.5"},  # as the trusted proxy says
        )
        try:
            urllib.request.urlopen(proxied, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 404
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    lines = [line for line in stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    access = [r for r in records if r["logger"] == "absences.access"]
    health = next(r for r in access if r["path"] == "/healthz")
    assert health["method"] == "GET" and health["status"] == 200
    assert health["route"] == "/healthz" and isinstance(health["duration_ms"], float)
    missing = next(r for r in access if r["status"] == 404)
    assert missing["path"] == "/s/0750001A/stats/nothing" and missing["route"] == "(unmatched)"
    assert health["remote"] == "127.0.0.1" and missing["remote"] == "203.0.113.5"
    assert "Martin" not in stderr  # the query string is not logged


def test_the_worker_logs_one_json_object_a_line(tmp_path: Path, redis_url: str) -> None:
    (tmp_path / "var").mkdir()
    install = Install(tmp_path)
    assert install.run("migrate").returncode == 0
    extra = {"ABSENCES_REDIS_URL": redis_url, "ABSENCES_LOG_FORMAT": "json"}
    result = install.run("worker", "--burst", extra=extra)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert any(r["logger"] == "arq.worker" and "Starting worker" in r["message"] for r in records)
    assert all(r["level"] in {"DEBUG", "INFO", "WARNING", "ERROR"} for r in records)


def test_a_record_with_an_exception_and_extras_is_one_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("absences.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("bad «value»\non two lines")
        except ValueError:
            logger.exception("job %s failed", "deliver:7", extra={"job_id": "deliver:7"})
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR" and record["logger"] == "absences.test.json"
    assert record["message"] == "job deliver:7 failed" and record["job_id"] == "deliver:7"
    assert "ValueError: bad «value»" in record["exception"]
    assert record["exception"].startswith("Traceback")
    assert record["time"].endswith("+00:00")


def test_the_text_format_stays_the_default() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    kept = [(h, h.formatter) for h in root.handlers], root.level
    root.addHandler(handler)
    try:
        configure_logging(load_settings(log_format="json"))
        assert isinstance(handler.formatter, JsonFormatter)
        configure_logging(load_settings())
        assert not isinstance(handler.formatter, JsonFormatter)
    finally:
        root.removeHandler(handler)
        for other, formatter in kept[0]:
            other.setFormatter(formatter)
        root.setLevel(kept[1])
