"""The school's timetable as STS-Web and the timetable software (EDT, UDT) exchange it: two XML
files read safely (no DTD, no entity), by element name, into plain records (no database)."""

from core.timetable.parse import TimetableError, load_timetable, read_timetable
from core.timetable.records import Course, Group, Staff, Subject, TimetableExport, WeekPattern

__all__ = [
    "Course",
    "Group",
    "Staff",
    "Subject",
    "TimetableError",
    "TimetableExport",
    "WeekPattern",
    "load_timetable",
    "read_timetable",
]
