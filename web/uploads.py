"""Uploaded files read from a multipart/form-data request, within a size limit, in memory.

Used by the API (a route with a ``form`` model) and by the panel's upload pages. Nothing goes to
temporary files, and reading stops as soon as the limit is passed, so an over-large upload costs
no more than the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from aiohttp import BodyPartReader, web

from core.siecle.xmlsafe import size_text

CHUNK = 256 * 1024
MAX_PARTS = 200


class UploadError(Exception):
    """A refused upload; ``status`` is the HTTP status that says why (413, 415, 400)."""

    status = 400

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: its name (without any folder) and its content."""

    name: str
    data: bytes


@dataclass(slots=True)
class Form:
    """The text fields (the last value of each name) and the files (by field name) of a form."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Upload]] = field(default_factory=dict)

    def blobs(self, name: str) -> list[tuple[str, bytes]]:
        """The files of field ``name`` as (file name, content) pairs."""
        return [(upload.name, upload.data) for upload in self.files.get(name, [])]


def too_large(limit: int) -> UploadError:
    return UploadError(f"the upload is larger than {size_text(limit)}", 413)


async def read_multipart(request: web.Request, limit: int) -> Form:
    """The form of a multipart/form-data request of at most ``limit`` bytes.

    Raises UploadError: 415 when the body is not multipart, 413 over the limit, 400 when it
    cannot be read. A file input left empty (no name, no content) is skipped.
    """
    if request.content_type != "multipart/form-data":
        raise UploadError("send the files as multipart/form-data", 415)
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    form, total, parts = Form(), 0, 0
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            parts += 1
            if parts > MAX_PARTS:
                raise UploadError(f"more than {MAX_PARTS} parts in the form")
            if not isinstance(part, BodyPartReader):
                raise UploadError("nested multipart bodies are not accepted")
            data = await _read_part(part, limit - total, limit)
            total += len(data)
            _add(form, part, data)
    except ValueError as error:  # aiohttp's reader: a malformed body or boundary
        raise UploadError(f"the form cannot be read: {error}") from None
    return form


async def _read_part(part: BodyPartReader, room: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(CHUNK):
        size += len(chunk)
        if size > room:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _add(form: Form, part: BodyPartReader, data: bytes) -> None:
    name = part.name or ""
    if part.filename is None:
        form.fields[name] = data.decode("utf-8", errors="replace")
        return
    base = PurePosixPath(part.filename.replace("\\", "/")).name
    if base or data:
        form.files.setdefault(name, []).append(Upload(base or "upload", data))
