"""What an import did (or would do, in a dry run): counts per kind and the notable changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

KINDS = ("mefs", "divisions", "groups", "students", "persons", "contacts", "links")
Note = dict[str, object]


@dataclass(slots=True)
class KindCounts:
    """Rows created, updated, unchanged, and removed (for students: left; groups: inactive)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def _counts() -> dict[str, KindCounts]:
    return {kind: KindCounts() for kind in KINDS}


@dataclass(slots=True)
class ImportSummary:
    """The diff an import applied: counts per kind and the lists staff want to read."""

    uai: str
    school_year: int
    exported_on: date
    dry_run: bool = False
    school_created: bool = False
    school_updated: bool = False
    counts: dict[str, KindCounts] = field(default_factory=_counts)
    arrived: list[Note] = field(default_factory=list)  # {siecle_id, name, division}
    moved: list[Note] = field(default_factory=list)  # {siecle_id, name, from, to, on}
    left: list[Note] = field(default_factory=list)  # {siecle_id, name, division, on}
    unassigned: list[Note] = field(default_factory=list)  # {siecle_id, name}
    invalid_phones: list[Note] = field(default_factory=list)  # {person|student, field, raw, …}
    contact_changes: list[Note] = field(default_factory=list)  # {person, name, field, from, to}
    links_removed: list[Note] = field(default_factory=list)  # {student, person, level, …}
    links_ignored: int = 0  # links naming a student or person absent from the files

    @property
    def changes(self) -> int:
        """How many rows were (or would be) written, school excluded."""
        return sum(counts.changed for counts in self.counts.values())

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (dates in ISO format) for the API, the CLI's --json and the audit."""
        data = asdict(self)
        data["exported_on"] = self.exported_on.isoformat()
        data["changes"] = self.changes
        for note in (*data["moved"], *data["left"]):
            if isinstance(note.get("on"), date):
                note["on"] = note["on"].isoformat()
        return data

    def counts_json(self) -> dict[str, object]:
        """The counts only (what the audit log keeps of each import)."""
        return {
            "uai": self.uai,
            "school_year": self.school_year,
            "exported_on": self.exported_on.isoformat(),
            "school_created": self.school_created,
            "counts": {kind: asdict(counts) for kind, counts in self.counts.items()},
            "moved": len(self.moved),
            "left": len(self.left),
            "unassigned": len(self.unassigned),
            "invalid_phones": len(self.invalid_phones),
            "links_removed": len(self.links_removed),
        }
