"""The school's timetable as STS-Web and the timetable software (EDT, UDT) exchange it: two XML
files read safely (no DTD, no entity), by element name, into plain records (no database)."""

from core.timetable.parse import read_timetable
from core.timetable.records import Course, Group, Staff, Subject, TimetableExport, WeekPattern

__all__ = [
    "Course",
    "Group",
    "Staff",
    "Subject",
    "TimetableExport",
    "WeekPattern",
    "read_timetable",
]
