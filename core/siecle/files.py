"""Where SIECLE files come from: paths (files, folders, zips as SIECLE hands them out) or bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from core.siecle.errors import SiecleError
from core.siecle.parse import parse_document
from core.siecle.records import SiecleExport
from core.siecle.xmlsafe import DEFAULT_MAX_BYTES, check_size, size_text

ZIP_MAGIC = b"PK\x03\x04"
REQUIRED_ROOT = "BEE_ELEVES"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one import may read: per file, in all from zips, and members per zip."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_zip_total: int = 4 * DEFAULT_MAX_BYTES
    max_zip_members: int = 100


def load_export(paths: Sequence[Path | str], *, limits: Limits | None = None) -> SiecleExport:
    """Read and merge the SIECLE files at ``paths``: XML files, folders (their *.xml) or zips.

    Each file's kind comes from its root element. Raises SiecleError (one line naming the
    file) for any refused file, for files of different schools or years, and for two files
    of one kind.
    """
    limits = limits or Limits()
    return read_export(path_blobs([Path(p) for p in paths], limits), limits=limits)


def read_export(
    blobs: Iterable[tuple[str, bytes]], *, limits: Limits | None = None
) -> SiecleExport:
    """The same from (file name, content) pairs, e.g. uploads; a pair may be a zip."""
    limits = limits or Limits()
    parts: list[SiecleExport] = []
    for name, data in blobs:
        if data.startswith(ZIP_MAGIC):
            parts.extend(
                parse_document(d, n, max_bytes=limits.max_bytes)
                for n, d in unzip(name, data, limits)
            )
        else:
            parts.append(parse_document(data, name, max_bytes=limits.max_bytes))
    return merge(parts)


def merge(parts: Sequence[SiecleExport]) -> SiecleExport:
    """One export from the parts each file gave; they must agree on UAJ and school year."""
    if not parts:
        raise SiecleError("no SIECLE file given (expected XML files, a folder or a zip)")
    merged = parts[0]
    for part in parts[1:]:
        merged = _merge_two(merged, part)
    if not merged.has(REQUIRED_ROOT):
        names = ", ".join(merged.files.values())
        raise SiecleError(f"{names}: no students file (ElevesSansAdresses.xml) among them")
    return merged


def _merge_two(merged: SiecleExport, part: SiecleExport) -> SiecleExport:
    ((root, name),) = part.files.items()
    first = merged.file_name()
    if root in merged.files:
        raise SiecleError(f"{name}: a second file of kind {root} (with {merged.files[root]})")
    if part.uai != merged.uai:
        raise SiecleError(f"{name}: UAJ {part.uai} differs from {merged.uai} in {first}")
    if part.school_year != merged.school_year:
        raise SiecleError(
            f"{name}: school year {part.school_year} differs from {merged.school_year} in {first}"
        )
    return replace(
        merged,
        exported_on=max(merged.exported_on, part.exported_on),
        students=merged.students or part.students,
        persons=merged.persons or part.persons,
        links=merged.links or part.links,
        addresses=merged.addresses or part.addresses,
        divisions=merged.divisions or part.divisions,
        groups=merged.groups or part.groups,
        mefs=merged.mefs or part.mefs,
        letterhead=merged.letterhead or part.letterhead,
        year_dates=merged.year_dates or part.year_dates,
        files={**merged.files, root: name},
    )


def path_blobs(paths: Sequence[Path], limits: Limits) -> Iterator[tuple[str, bytes]]:
    """(name, content) of each file at ``paths``: a file, or a folder's .xml and .zip files."""
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".zip")
            )
            if not files:
                raise SiecleError(f"{path}: no .xml or .zip file in this folder")
            for file in files:
                yield _read_file(file, limits)
        elif path.is_file():
            yield _read_file(path, limits)
        else:
            raise SiecleError(f"{path}: no such file or folder")


def _read_file(path: Path, limits: Limits) -> tuple[str, bytes]:
    limit = limits.max_zip_total if path.suffix.lower() == ".zip" else limits.max_bytes
    check_size(path.stat().st_size, path.name, limit)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    check_size(len(data), path.name, limit)
    return path.name, data


def unzip(name: str, data: bytes, limits: Limits) -> Iterator[tuple[str, bytes]]:
    """The XML members of a zip, guarded against bombs and unsafe paths (never extracted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SiecleError(f"{name}: not a readable zip ({error})") from None
    if len(members) > limits.max_zip_members:
        raise SiecleError(f"{name}: {len(members)} members, more than {limits.max_zip_members}")
    for member in members:
        _check_member_path(name, member.filename)
    wanted = [m for m in members if not m.is_dir() and m.filename.lower().endswith(".xml")]
    if not wanted:
        raise SiecleError(f"{name}: no .xml file in this zip")
    total = 0
    for member in wanted:
        content = _read_member(archive, member, f"{name}:{member.filename}", limits)
        total += len(content)
        if total > limits.max_zip_total:
            raise SiecleError(
                f"{name}: more than {size_text(limits.max_zip_total)} once uncompressed"
            )
        yield PurePosixPath(member.filename).name, content


def _check_member_path(name: str, member: str) -> None:
    path = PurePosixPath(member.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in member:
        raise SiecleError(f"{name}: member {member!r} has an unsafe path")


def _read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str, limits: Limits
) -> bytes:
    check_size(member.file_size, where, limits.max_bytes)
    try:
        with archive.open(member) as handle:
            content = handle.read(limits.max_bytes + 1)  # the header's size may lie
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as error:
        raise SiecleError(f"{where}: cannot be read from the zip ({error})") from None
    check_size(len(content), where, limits.max_bytes)
    return content
