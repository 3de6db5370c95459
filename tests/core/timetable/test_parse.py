"""The timetable's two XML files read into records: every lesson of the sample as its
``expected.json`` lists it, the teachers by name, the week patterns; refusals name the file."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import time
from pathlib import Path

import pytest

from core.timetable import read_timetable
from core.timetable.parse import TimetableError

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "edt" / "college-jean-moulin"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
STS = SAMPLE / "sts_emp_0751234X_2026.xml"
EDT = SAMPLE / "emp_sts_0751234X_2026.xml"


def files(*paths: Path) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in paths]


def test_both_files_give_every_lesson_teacher_and_week_pattern() -> None:
    export = read_timetable(files(STS, EDT))
    assert (export.uai, export.school_year) == ("0751234X", 2026)
    assert {key: person.name for key, person in export.teachers.items()} == EXPECTED["teachers"]
    assert len(export.staff) - len(export.teachers) == EXPECTED["staff_not_teaching"]
    read = sorted(
        (
            c.division or "",
            c.group or "",
            c.subject,
            c.teacher,
            c.weekday,
            c.start.strftime("%H:%M"),
            c.minutes,
            c.pattern,
            c.room,
        )
        for c in export.courses
    )
    wanted = sorted(
        (
            e["division"] or "",
            e["group"] or "",
            e["subject"],
            e["teacher"],
            e["day"],
            e["start"],
            e["minutes"],
            e["pattern"],
            e["room"],
        )
        for e in EXPECTED["lessons"]
    )
    assert read == wanted
    weeks = {code: [d.isoformat() for d in p.mondays] for code, p in export.patterns.items()}
    assert weeks == EXPECTED["weeks"]
    assert export.patterns["Q1"].long_label == "Semaine A"
    assert export.groups["5_ALL"].divisions == ("5A", "5B", "5C", "5D")
    assert export.subjects["061300"].label == "Mathematiques"


def test_either_file_alone_or_a_zip_of_both() -> None:
    sts = read_timetable(files(STS))
    assert sts.courses == [] and len(sts.teachers) == len(EXPECTED["teachers"])
    edt = read_timetable(files(EDT))
    assert len(edt.courses) == len(EXPECTED["lessons"]) and edt.staff == {}
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for path in (STS, EDT):
            archive.write(path, path.name)
    both = read_timetable([("emploi-du-temps.zip", packed.getvalue())])
    assert len(both.courses) == len(EXPECTED["lessons"]) and set(both.files) == {
        "STS_EDT",
        "EDT_STS",
    }
    lesson = next(c for c in both.courses if c.group == "5_ESP" and c.weekday == 5)
    assert (lesson.start, lesson.end, lesson.room) == (time(11, 0), time(12, 0), "A15")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "empty"),
        (b"<EDT_STS><PARAMETRES>", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><EDT_STS>&a;</EDT_STS>',
            "DTD",
        ),
        (b"<BEE_ELEVES/>", "root element"),
        (b"<EDT_STS><PARAMETRES><UAJ>12</UAJ></PARAMETRES></EDT_STS>", "not a UAI"),
    ],
)
def test_a_file_that_is_no_timetable_is_refused_by_name(content: bytes, said: str) -> None:
    with pytest.raises(TimetableError) as refused:
        read_timetable([("emp_sts_x.xml", content)])
    assert said in refused.value.message and "emp_sts_x.xml" in refused.value.message
    assert refused.value.code == "timetable"


def test_bad_lessons_and_mixed_schools_are_refused() -> None:
    edt = EDT.read_bytes()
    broken = edt.replace(b"<JOUR>2</JOUR>", b"<JOUR>9</JOUR>", 1)
    with pytest.raises(TimetableError, match="JOUR '9' is not 1 to 7"):
        read_timetable([(EDT.name, broken)])
    late = edt.replace(b"<HEURE_DEBUT>1430</HEURE_DEBUT>", b"<HEURE_DEBUT>14h30</HEURE_DEBUT>", 1)
    with pytest.raises(TimetableError, match="HEURE_DEBUT '14h30' is not hhmm"):
        read_timetable([(EDT.name, late)])
    tuesday = edt.replace(b"2026-08-31", b"2026-09-01", 1)
    with pytest.raises(TimetableError, match="2026-09-01 is not a Monday"):
        read_timetable([(EDT.name, tuesday)])
    other = STS.read_bytes().replace(b'UAJ CODE="0751234X"', b'UAJ CODE="0999001X"')
    with pytest.raises(TimetableError, match="files of two schools or years"):
        read_timetable([(STS.name, other), (EDT.name, edt)])
    with pytest.raises(TimetableError, match="given twice"):
        read_timetable(files(EDT, EDT))
