"""Finding the files: paths, folders and zips, kinds told by their root, one school and year."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from core.siecle.errors import SiecleError
from core.siecle.files import Limits, load_export, read_export
from tests.core.siecle.support import SAMPLE, SMALL, needs_sample, xml

KINDS = {"BEE_ELEVES", "BEE_RESPONSABLES", "BEE_STRUCTURES", "BEE_NOMENCLATURES", "BEE_COMMUN"}


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def small_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SMALL.glob("*.xml"))}


def refusal(paths: list[Path], limits: Limits | None = None) -> str:
    with pytest.raises(SiecleError) as caught:
        load_export(paths, limits=limits)
    assert "\n" not in caught.value.message
    return caught.value.message


def test_a_folder_gives_every_kind_told_by_its_root(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(SMALL, folder)
    (folder / "README.txt").write_text("not an export")  # ignored: not .xml
    (folder / "Eleves.XML").write_bytes((folder / "ElevesSansAdresses.xml").read_bytes())
    (folder / "ElevesSansAdresses.xml").unlink()
    export = load_export([folder])
    assert set(export.files) == KINDS
    assert export.files["BEE_ELEVES"] == "Eleves.XML"
    assert (export.uai, export.school_year) == ("0759999Z", 2025)
    assert len(export.students) == 3
    assert len(export.persons) == 5


@needs_sample
def test_the_sample_folder_loads_without_its_json_and_subfolder() -> None:
    export = load_export([SAMPLE])
    assert set(export.files) == KINDS
    assert len(export.students) == 418


def test_files_given_one_by_one() -> None:
    paths = [SMALL / "ElevesSansAdresses.xml", str(SMALL / "Structures.xml")]
    export = load_export(paths)
    assert set(export.files) == {"BEE_ELEVES", "BEE_STRUCTURES"}
    assert not export.persons


def test_a_zip_as_siecle_hands_it_out(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "export.zip", {f"siecle/{n}": d for n, d in small_files().items()})
    export = load_export([archive])
    assert export == load_export([SMALL])


def test_uploads_as_bytes_zip_or_xml() -> None:
    """What the panel and the API pass on: (name, content) pairs, never written to disk."""
    files = small_files()
    eleves = files.pop("ElevesSansAdresses.xml")
    archive = _zip_bytes(files)
    export = read_export([("ElevesSansAdresses.xml", eleves), ("rest.zip", archive)])
    assert set(export.files) == KINDS


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_with_a_path_traversal_member_is_refused(tmp_path: Path) -> None:
    members = small_files()
    members["../../etc/cron.d/evil.xml"] = members["Nomenclature.xml"]
    archive = zipped(tmp_path / "export.zip", members)
    message = refusal([archive])
    assert message == "export.zip: member '../../etc/cron.d/evil.xml' has an unsafe path"


def test_a_zip_with_an_absolute_member_is_refused(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "export.zip", {"/tmp/ElevesSansAdresses.xml": b"<x/>"})
    assert "has an unsafe path" in refusal([archive])


def test_a_zip_bomb_is_refused_by_its_uncompressed_size(tmp_path: Path) -> None:
    bomb = b"<BEE_ELEVES>" + b" " * 3_000_000 + b"</BEE_ELEVES>"  # compresses ~1000:1
    archive = zipped(tmp_path / "bomb.zip", {"ElevesSansAdresses.xml": bomb})
    assert archive.stat().st_size < 20_000
    message = refusal([archive], Limits(max_bytes=1_000_000))
    assert message == ("bomb.zip:ElevesSansAdresses.xml: 2.9 MB is over the size limit of 976.6 kB")


def test_a_zip_over_the_total_limit_is_refused(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "export.zip", small_files())
    limits = Limits(max_bytes=100_000, max_zip_total=5_000)
    assert "once uncompressed" in refusal([archive], limits)


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "export.zip", {f"f{n}.xml": b"<x/>" for n in range(5)})
    assert refusal([archive], Limits(max_zip_members=4)) == ("export.zip: 5 members, more than 4")


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert refusal([archive]).startswith("export.zip: not a readable zip")


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "ElevesSansAdresses.xml"
    big.write_bytes(b"<BEE_ELEVES>" + b" " * 2048 + b"</BEE_ELEVES>")
    message = refusal([big], Limits(max_bytes=1024))
    assert message == "ElevesSansAdresses.xml: 2.0 kB is over the size limit of 1.0 kB"


def test_files_of_two_schools_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "Structures.xml"
    other.write_bytes(xml("BEE_STRUCTURES", uai="0690002B"))
    message = refusal([SMALL / "ElevesSansAdresses.xml", other])
    assert message == (
        "Structures.xml: UAJ 0690002B differs from 0759999Z in ElevesSansAdresses.xml"
    )


def test_files_of_two_years_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "Structures.xml"
    other.write_bytes(xml("BEE_STRUCTURES", year="2024"))
    assert "school year 2024 differs from 2025" in refusal(
        [SMALL / "ElevesSansAdresses.xml", other]
    )


def test_two_files_of_one_kind_are_refused(tmp_path: Path) -> None:
    second = tmp_path / "ElevesAvecAdresses.xml"
    second.write_bytes((SMALL / "ElevesSansAdresses.xml").read_bytes())
    assert refusal([SMALL / "ElevesSansAdresses.xml", second]) == (
        "ElevesAvecAdresses.xml: a second file of kind BEE_ELEVES (with ElevesSansAdresses.xml)"
    )


def test_an_export_without_students_is_refused() -> None:
    message = refusal([SMALL / "Structures.xml"])
    assert message == "Structures.xml: no students file (ElevesSansAdresses.xml) among them"


def test_a_missing_path_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    assert refusal([tmp_path / "nope"]).endswith("nope: no such file or folder")
    assert refusal([tmp_path]).endswith(": no .xml or .zip file in this folder")
