"""SIECLE imports through the API: the exports uploaded as multipart, the summary answered."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from core.rules.permissions import Permission
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle import read_export
from core.siecle.xmlsafe import DEFAULT_MAX_BYTES
from core.timetable import read_timetable
from web.api.registry import Call, Route
from web.uploads import Upload

IMPORTS = "/schools/{uai}/imports/siecle"
TIMETABLE = "/schools/{uai}/imports/timetable"
Note = dict[str, Any]
UploadedFile = Annotated[
    Upload,
    WithJsonSchema({"type": "string", "format": "binary", "description": "an XML file or a zip"}),
]


class ImportOptions(BaseModel):
    """How to import: for real or as a preview, and whether another school year is accepted."""

    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(default=False, description="compute the summary, change nothing")
    force_year: bool = Field(
        default=False, description="import even if the files are of another school year"
    )


class SiecleUpload(ImportOptions):
    """The SIECLE exports (XML files as SIECLE names them, or the zip it hands out)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    files: list[UploadedFile] = Field(
        min_length=1,
        description="ElevesSansAdresses.xml (or ElevesAvecAdresses.xml), and any of "
        "ResponsablesAvecAdresses.xml, Structures.xml, Nomenclature.xml, Communs.xml; or a zip",
    )


class KindCountsOut(BaseModel):
    """Rows created, updated, unchanged and removed (students: left; groups: made inactive)."""

    created: int
    updated: int
    unchanged: int
    removed: int


class ImportSummaryOut(BaseModel):
    """What the import did (or, with ``dry_run``, would do)."""

    uai: str
    school_year: int = Field(description="the first year of the school year: 2025 for 2025-26")
    exported_on: date
    dry_run: bool
    school_created: bool
    school_updated: bool = Field(description="letterhead or school year dates changed")
    changes: int = Field(description="rows written (or that would be)")
    counts: dict[str, KindCountsOut] = Field(
        description="per kind: mefs, divisions, groups, students, persons, contacts, links"
    )
    arrived: list[Note] = Field(description="{siecle_id, name, division}")
    moved: list[Note] = Field(description="{siecle_id, name, from, to, on}")
    left: list[Note] = Field(description="{siecle_id, name, on}")
    unassigned: list[Note] = Field(description="active students without a division")
    invalid_phones: list[Note] = Field(description="{person or student, name, field, raw, reason}")
    contact_changes: list[Note] = Field(description="{person, name, field, from, to}")
    links_removed: list[Note] = Field(description="{student, person, level, relationship}")
    links_ignored: int = Field(description="links naming a student or person not in the files")


async def import_siecle_files(call: Call) -> ImportSummaryOut:
    """Import the uploaded SIECLE exports into the school of the URL."""
    upload = call.body_as(SiecleUpload)
    query = call.query_as(ImportOptions)
    blobs = [(f.name, f.data) for f in upload.files]
    export = await asyncio.to_thread(read_export, blobs)
    summary = await import_siecle(
        export,
        call.actor,
        school_uai=call.school.uai,
        dry_run=upload.dry_run or query.dry_run,
        force_year=upload.force_year or query.force_year,
    )
    return ImportSummaryOut.model_validate(summary.to_json())


class TimetableUpload(ImportOptions):
    """The timetable's files: STS-Web's sts_emp and the timetable software's emp_sts."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    files: list[UploadedFile] = Field(
        min_length=1,
        description="sts_emp_<UAI>_<YEAR>.xml (STS-Web) and emp_sts_<UAI>_<YEAR>.xml (EDT, UDT),"
        " either alone, or a zip holding them",
    )


class TimetableSummaryOut(BaseModel):
    """What the timetable import did (or, with ``dry_run``, would do)."""

    uai: str
    school_year: int = Field(description="the first year of the school year: 2026 for 2026-27")
    files: list[str]
    effective_on: date = Field(
        description="the day the changes take effect: lessons before it stay as they were"
    )
    dry_run: bool
    lessons_read: bool = Field(description="the emp_sts file was given: lessons compared")
    changes: int
    counts: dict[str, KindCountsOut] = Field(description="per kind: patterns, staff, lessons")
    teachers_created: list[Note] = Field(description="{sts_id, name}: without a login")
    teachers_matched: list[Note] = Field(description="{sts_id, name, user_id, by}")
    to_place: list[Note] = Field(description="{sts_id, name, function}: staff to give a role")
    added: list[Note] = Field(
        description="{division, group, subject, teacher, day (1 = Monday), start, end, "
        "pattern, room}"
    )
    moved: list[Note] = Field(description="{from: lesson, to: lesson}")
    removed: list[Note]
    unknown: list[Note] = Field(
        description="{kind: division, group or teacher, code, lessons}: lessons skipped"
    )
    overlaps: list[Note] = Field(description="{teacher, first, second}: a teacher's clashes")


async def import_timetable_files(call: Call) -> TimetableSummaryOut:
    """Import the uploaded timetable files into the school of the URL."""
    upload = call.body_as(TimetableUpload)
    query = call.query_as(ImportOptions)
    blobs = [(f.name, f.data) for f in upload.files]
    export = await asyncio.to_thread(read_timetable, blobs)
    summary = await import_timetable(
        export,
        call.actor,
        school_uai=call.school.uai,
        dry_run=upload.dry_run or query.dry_run,
        force_year=upload.force_year or query.force_year,
    )
    return TimetableSummaryOut.model_validate(summary.to_json())


ROUTES = [
    Route(
        "POST",
        IMPORTS,
        import_siecle_files,
        summary="Import SIECLE exports (students, structures, guardians) as a diff",
        permission=Permission.IMPORT,
        response=ImportSummaryOut,
        query=ImportOptions,
        form=SiecleUpload,
        upload_limit=DEFAULT_MAX_BYTES,
        tag="imports",
        description="Send the files as multipart/form-data under the name `files`; "
        "`dry_run` and `force_year` may be form fields or query parameters. Applied in one "
        "transaction: a refused file (another school's, another school year, not SIECLE XML, "
        "with a DTD) is a 422 with one line naming it, and nothing changes.",
    ),
    Route(
        "POST",
        TIMETABLE,
        import_timetable_files,
        summary="Import the timetable (STS-Web and EDT/UDT files) as a diff",
        permission=Permission.IMPORT,
        response=TimetableSummaryOut,
        query=ImportOptions,
        form=TimetableUpload,
        upload_limit=DEFAULT_MAX_BYTES,
        tag="imports",
        description="Send the files as multipart/form-data under the name `files`. Teachers "
        "are matched by STS id, then name, else created without a login; lessons are compared "
        "with the running ones (moved, added, removed from `effective_on`). Applied in one "
        "transaction: another school's files, another school year (unless `force_year`), a "
        "school not yet imported from SIECLE or a file that is no timetable is a 422 with one "
        "line, and nothing changes.",
    ),
]
