"""What a timetable import did (or would do, in a dry run): counts and the lists staff read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from core.siecle.summary import KindCounts

KINDS = ("patterns", "staff", "lessons")
Note = dict[str, object]


def _counts() -> dict[str, KindCounts]:
    return {kind: KindCounts() for kind in KINDS}


@dataclass(slots=True)
class TimetableSummary:
    """The diff a timetable import applied, from ``effective_on`` (lessons before it stay)."""

    uai: str
    school_year: int
    files: list[str]
    effective_on: date
    dry_run: bool = False
    lessons_read: bool = False  # the timetable software's file was given: lessons compared
    counts: dict[str, KindCounts] = field(default_factory=_counts)
    teachers_created: list[Note] = field(default_factory=list)  # {sts_id, name}
    teachers_matched: list[Note] = field(default_factory=list)  # {sts_id, name, user_id, by}
    to_place: list[Note] = field(default_factory=list)  # {sts_id, name, function}: not teachers
    added: list[Note] = field(default_factory=list)  # a lesson (see core.timetable.summary)
    moved: list[Note] = field(default_factory=list)  # {"from": lesson, "to": lesson}
    removed: list[Note] = field(default_factory=list)  # a lesson
    unknown: list[Note] = field(default_factory=list)  # {kind, code, lessons}: skipped
    overlaps: list[Note] = field(default_factory=list)  # {teacher, first, second}

    @property
    def changes(self) -> int:
        return sum(counts.changed for counts in self.counts.values())

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["effective_on"] = self.effective_on.isoformat()
        data["changes"] = self.changes
        return data

    def counts_json(self) -> dict[str, object]:
        """What the audit log keeps of each import."""
        return {
            "uai": self.uai,
            "school_year": self.school_year,
            "files": self.files,
            "effective_on": self.effective_on.isoformat(),
            "counts": {kind: asdict(counts) for kind, counts in self.counts.items()},
            "unknown": len(self.unknown),
            "overlaps": len(self.overlaps),
            "to_place": len(self.to_place),
        }
