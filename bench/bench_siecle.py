"""Time the SIECLE import of a 2,000-student school against plain XML parsing of its files.

Run from the repository root: ``.venv/bin/python bench/bench_siecle.py [--copies 5]``.
The export is the sample collège (tests/fixtures/siecle/college-jean-moulin, 418 students)
copied ``--copies`` times with new ELEVE_ID, PERSONNE_ID, ADRESSE_ID and division codes,
written ISO-8859-15 to a temporary folder. The baseline is xml.etree parsing the same
files, measured in the same run. Goals: first import < 5 s, re-import with no change < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record
from core.db import close_db, init_db, migrate
from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export

# The sample collège as the tests carry it (so that the bench runs from a clone alone).
SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "siecle"
SAMPLE = SAMPLE / "college-jean-moulin"
ENCODING = "ISO-8859-15"
STUDENT_STEP, PERSON_STEP, ADDRESS_STEP, ELENOET_STEP = 10_000_000, 1_000_000, 1_000_000, 10_000


def _shift(value: str | None, copy_number: int, step: int) -> str:
    return str(int(value or "0") + copy_number * step)


def _suffix(code: str | None, copy_number: int) -> str:
    return f"{code}{copy_number}" if copy_number else str(code)


def _scale_students(root: ET.Element, copies: int) -> None:
    donnees = root.find("DONNEES")
    assert donnees is not None
    eleves, structures = donnees.find("ELEVES"), donnees.find("STRUCTURES")
    assert eleves is not None and structures is not None
    originals, placements = list(eleves), list(structures)
    for n in range(1, copies):
        for eleve in originals:
            twin = copy.deepcopy(eleve)
            twin.set("ELEVE_ID", _shift(eleve.get("ELEVE_ID"), n, STUDENT_STEP))
            twin.set("ELENOET", _shift(eleve.get("ELENOET"), n, ELENOET_STEP))
            eleves.append(twin)
        for placement in placements:
            twin = copy.deepcopy(placement)
            twin.set("ELEVE_ID", _shift(placement.get("ELEVE_ID"), n, STUDENT_STEP))
            twin.set("ELENOET", _shift(placement.get("ELENOET"), n, ELENOET_STEP))
            for code in twin.iter("CODE_STRUCTURE"):
                code.text = _suffix(code.text, n)
            structures.append(twin)


def _scale_responsables(root: ET.Element, copies: int) -> None:
    steps = {"ELEVE_ID": STUDENT_STEP, "PERSONNE_ID": PERSON_STEP, "ADRESSE_ID": ADDRESS_STEP}
    for block in ("PERSONNES", "RESPONSABLES", "ADRESSES"):
        parent = root.find(f"DONNEES/{block}")
        assert parent is not None
        originals = list(parent)
        for n in range(1, copies):
            for element in originals:
                twin = copy.deepcopy(element)
                for name, step in steps.items():
                    if twin.get(name):
                        twin.set(name, _shift(twin.get(name), n, step))
                    for child in twin.iter(name):
                        child.text = _shift(child.text, n, step)
                parent.append(twin)


def _scale_structures(root: ET.Element, copies: int) -> None:
    for block in ("DIVISIONS", "GROUPES"):
        parent = root.find(f"DONNEES/{block}")
        assert parent is not None
        originals = list(parent)
        for n in range(1, copies):
            for element in originals:
                twin = copy.deepcopy(element)
                twin.set("CODE_STRUCTURE", _suffix(element.get("CODE_STRUCTURE"), n))
                for code in twin.iter("CODE_STRUCTURE"):
                    code.text = _suffix(code.text, n)
                parent.append(twin)


SCALERS = {
    "BEE_ELEVES": _scale_students,
    "BEE_RESPONSABLES": _scale_responsables,
    "BEE_STRUCTURES": _scale_structures,
}


def write_export(folder: Path, copies: int, sample: Path = SAMPLE) -> list[Path]:
    """The sample scaled ``copies`` times, written as SIECLE writes it (ISO-8859-15)."""
    paths = []
    for source in sorted(sample.glob("*.xml")):
        root = ET.fromstring(source.read_bytes())
        SCALERS.get(root.tag, lambda _root, _copies: None)(root, copies)
        target = folder / source.name
        target.write_bytes(ET.tostring(root, encoding=ENCODING, xml_declaration=True))
        paths.append(target)
    return paths


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``work`` (parsing is quick and noisy)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


async def time_imports(url: str, folder: Path) -> tuple[float, float, int]:
    """A first import into a fresh database, then the same files again (must change nothing).

    The sample is of 2025-26: the year is forced so that the bench runs in any year.
    """
    await migrate(url)
    await init_db(url)
    actor = Actor.system("import siecle")
    export = load_export([folder])
    try:
        started = time.perf_counter()
        first = await import_siecle(export, actor, force_year=True)
        first_time = time.perf_counter() - started
        started = time.perf_counter()
        again = await import_siecle(export, actor, force_year=True)
        again_time = time.perf_counter() - started
    finally:
        await close_db()
    if again.changes:
        raise SystemExit(f"the re-import changed {again.changes} rows: it should change none")
    return first_time, again_time, first.counts["students"].created


def main() -> None:
    """Write the scaled export, time the baseline and ours, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=2 if QUICK else 5, help="copies of the 418 students"
    )
    args = parser.parse_args()
    if not SAMPLE.is_dir():
        raise SystemExit(f"the sample export is missing: {SAMPLE.resolve()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        paths = write_export(folder, args.copies)
        size = sum(p.stat().st_size for p in paths)
        baseline = best_of(5, lambda: [ET.fromstring(p.read_bytes()) for p in paths])
        ours = best_of(5, lambda: load_export([folder]))
        url = f"sqlite://{tmp}/bench.sqlite3"
        first, again, students = asyncio.run(time_imports(url, folder))
    print(f"export: {students} students, {len(paths)} files, {size / 1e6:.1f} MB")
    print(f"baseline (xml.etree parse): {baseline:.3f} s")
    for label, value in (("our parse", ours), ("first import", first), ("re-import", again)):
        print(f"{label}: {value:.3f} s (x{value / baseline:.1f} the baseline)")
    print(
        f"goals: first import < 5 s {'ok' if first < 5 else 'MISSED'}, "
        f"re-import < 2 s {'ok' if again < 2 else 'MISSED'}"
    )
    for name, value, goal in (("siecle_import", first, 5.0), ("siecle_reimport", again, 2.0)):
        record(
            name,
            value,
            "s",
            baseline=baseline,
            goal=f"< {goal:.0f} s",
            ok=value < goal,
            students=students,
            files_mb=round(size / 1e6, 1),
        )


if __name__ == "__main__":
    main()
