"""The benchmarks' published figures: each bench records its own in ``var/bench/results.json``.

Every record is ``{"name", "value", "unit", "baseline", "ratio", "goal", "ok"}`` (``ratio`` is
``value / baseline``, both measured in the same run), plus ``scale`` (the same measure at other
sizes: how the cost grows) and ``details`` (what else the bench printed, e.g. a p95) when a
bench has them. A bench that runs again replaces its own records; ``make bench`` starts from an
empty file (``python bench/results.py reset``) and ends by printing the table
(``python bench/results.py table``).

The file can be elsewhere: ``ABSENCES_BENCH_RESULTS=/path/results.json``.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# ``ABSENCES_BENCH_QUICK=1``: every bench runs smaller sizes, for a quick look.
QUICK = os.environ.get("ABSENCES_BENCH_QUICK") == "1"


def results_path() -> Path:
    return Path(os.environ.get("ABSENCES_BENCH_RESULTS") or ROOT / "var" / "bench" / "results.json")


@contextmanager
def _locked() -> Iterator[list[dict[str, Any]]]:
    """The records, read and written back under an exclusive lock (benches may run at once)."""
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records: list[dict[str, Any]] = []
        if path.exists() and path.stat().st_size:
            records = json.loads(path.read_text(encoding="utf-8"))
        yield records
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", "utf-8")
        temporary.replace(path)


def scale_point(size: int | str, value: float, baseline: float | None) -> dict[str, Any]:
    """One size of a measure, for a record's ``scale``."""
    return {
        "size": size,
        "value": round(value, 4),
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": ratio_of(value, baseline),
    }


def ratio_of(value: float, baseline: float | None) -> float | None:
    return round(value / baseline, 3) if baseline else None


def record(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None,
    goal: str,
    ok: bool,
    scale: Sequence[dict[str, Any]] = (),
    **details: Any,
) -> dict[str, Any]:
    """Store one figure (replacing an earlier one of the same name) and print its line."""
    entry: dict[str, Any] = {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": ratio_of(value, baseline),
        "goal": goal,
        "ok": bool(ok),
    }
    if scale:
        entry["scale"] = list(scale)
    if details:
        entry["details"] = details
    with _locked() as records:
        records[:] = [r for r in records if r["name"] != name] + [entry]
    print(f"→ {_line(entry)}")
    return entry


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _line(entry: dict[str, Any]) -> str:
    return (
        f"{entry['name']:<24} {_number(entry['value']):>10} {entry['unit']:<8} "
        f"{_number(entry['baseline']):>10} {_number(entry['ratio']):>7}  "
        f"{'ok' if entry['ok'] else 'NOT OK':<6} {entry['goal']}"
    )


def table(records: Sequence[dict[str, Any]]) -> str:
    head = f"{'name':<24} {'value':>10} {'unit':<8} {'baseline':>10} {'ratio':>7}  {'ok':<6} goal"
    lines = [head, "-" * len(head)]
    for entry in records:
        lines.append(_line(entry))
        for point in entry.get("scale", ()):
            lines.append(
                f"  {'size ' + str(point['size']):<22} {_number(point['value']):>10} "
                f"{'':<8} {_number(point['baseline']):>10} {_number(point['ratio']):>7}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "table"
    path = results_path()
    if command == "reset":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[]\n", encoding="utf-8")
        return 0
    if command == "table":
        records = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        print(f"\n{len(records)} figures, written to {path}\n")
        print(table(records))
        failed = [r["name"] for r in records if not r["ok"]]
        print(f"\nbelow their goal: {', '.join(failed) if failed else 'none'}")
        return 0
    print("usage: results.py [reset|table]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
