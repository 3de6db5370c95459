"""What each staff role may do in its school (pure: no database)."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    READ = "read"  # students, events, notices of the school
    WRITE_EVENTS = "write_events"  # record, correct, delete as mistake
    DECIDE = "decide"  # accept or reject justifications
    SETTINGS = "settings"  # school settings, timetable, reasons
    USERS = "users"
    IMPORT = "import"
    STATISTICS = "statistics"
    ROLL_CALL = "roll_call"
    CONVOKE = "convoke"  # convoke a student's family to a meeting
    LETTERS = "letters"  # the day's letters to families and their merged PDF
    POST_LETTERS = "post_letters"  # mark letters printed, then posted
    OUTBOX = "outbox"  # the messages the embedded outbox "sent"
    READ_TEMPLATES = "read_templates"  # the notice templates, read only
    TEMPLATES = "templates"  # edit the notice templates and the letters' logo
    DELIVERIES = "deliveries"  # the delivery board: every delivery, its number or address
    LESSONS = "lessons"  # add, move or cancel lessons (a trip, a replacement, a room change)
    # the groups of divisions the grid and the follow-up offer (not the other settings)
    DIVISION_GROUPS = "division_groups"
    # the legal follow-up of absenteeism (L131-8): who crossed the thresholds, what was done,
    # the actions recorded from it and the report to the DASEN
    LEGAL_FOLLOW_UP = "legal_follow_up"


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": _ALL,
    "direction": frozenset(
        {
            Permission.READ,
            Permission.STATISTICS,
            Permission.LETTERS,
            Permission.CONVOKE,
            Permission.READ_TEMPLATES,
            Permission.DELIVERIES,
            Permission.LEGAL_FOLLOW_UP,
        }
    ),
    "cpe": frozenset(
        {
            Permission.READ,
            Permission.WRITE_EVENTS,
            Permission.DECIDE,
            Permission.STATISTICS,
            Permission.ROLL_CALL,
            Permission.CONVOKE,
            Permission.LETTERS,
            Permission.POST_LETTERS,
            Permission.OUTBOX,
            Permission.READ_TEMPLATES,
            Permission.TEMPLATES,
            Permission.DELIVERIES,
            Permission.LESSONS,
            Permission.DIVISION_GROUPS,
            Permission.LEGAL_FOLLOW_UP,
        }
    ),
    "vie_scolaire": frozenset(
        {
            Permission.READ,
            Permission.WRITE_EVENTS,
            Permission.DECIDE,
            Permission.ROLL_CALL,
            Permission.LETTERS,
            Permission.POST_LETTERS,
            Permission.DELIVERIES,
            Permission.LESSONS,
        }
    ),
    "teacher": frozenset({Permission.READ, Permission.ROLL_CALL}),
}


def allows(role: str, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission`` (unknown roles grant nothing)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
