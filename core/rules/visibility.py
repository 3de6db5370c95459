"""What a staff role may see of the school's families (pure: no database).

One rule for the panel and the API alike. A teacher reads only the students of the divisions
and groups they have a lesson with — their events, notices, replies, letters and exports — and,
of those, never a comment, an action's comment, a medical detail (the justification's type) nor
the text of a family's reply; the reason of an absence only when the school allows it
(``School.teachers_see_reasons``), else the national generic reason's label. The other roles
read the whole school. The delivery board (numbers, addresses) is for the roles with
:attr:`Permission.DELIVERIES`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from core.rules.permissions import Permission, allows


class ReasonShown(StrEnum):
    LOCAL = "local"  # the school's own reason (code and label)
    GENERIC = "generic"  # only the national generic reason it belongs to


@dataclass(frozen=True, slots=True)
class Visibility:
    """What a reader sees of what they may read."""

    whole_school: bool  # every student; else only the students they teach
    reason: ReasonShown
    comments: bool  # events' and actions' comments
    medical: bool  # the justification's type (a medical certificate…)
    reply_texts: bool  # what families wrote
    deliveries: bool  # recipients, numbers and addresses of the deliveries

    def reason_of(self, local: str, generic: str) -> str:
        """The reason shown: the local one's (code or label), or its generic one's."""
        return local if self.reason == ReasonShown.LOCAL else generic

    def comment(self, text: str) -> str:
        return text if self.comments else ""

    def justification(self, text: str) -> str:
        return text if self.medical else ""

    def reply(self, text: str) -> str:
        return text if self.reply_texts else ""


EVERYTHING = Visibility(
    whole_school=True,
    reason=ReasonShown.LOCAL,
    comments=True,
    medical=True,
    reply_texts=True,
    deliveries=True,
)

WHOLE_SCHOOL_ROLES = frozenset({"admin", "direction", "cpe", "vie_scolaire"})


def visibility(role: str, *, teachers_see_reasons: bool = False) -> Visibility:
    """What ``role`` sees; a teacher (or an unknown role) only their own students, redacted."""
    if role in WHOLE_SCHOOL_ROLES:
        return replace(EVERYTHING, deliveries=allows(role, Permission.DELIVERIES))
    return Visibility(
        whole_school=False,
        reason=ReasonShown.LOCAL if teachers_see_reasons else ReasonShown.GENERIC,
        comments=False,
        medical=False,
        reply_texts=False,
        deliveries=allows(role, Permission.DELIVERIES),
    )
