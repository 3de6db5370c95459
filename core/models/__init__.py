"""The domain model, split by aggregate. Import models from here."""

from core.models.event import Event, EventSource, HalfDayLedger, MissedHalfDay
from core.models.follow_up import SavedSearch
from core.models.inbound import (
    Attachment,
    BotState,
    BotUpdate,
    ChatAttempt,
    ChatLink,
    InboundMessage,
    InboundStatus,
    LinkCode,
    ReplyQuestion,
)
from core.models.lesson import Lesson, LessonCancellation, LessonOrigin, RollCall, WeekPattern
from core.models.notice import (
    Channel,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Notice,
    NoticeKind,
    NoticeStatus,
    StaffAlert,
)
from core.models.person import (
    ContactKind,
    ContactPoint,
    GuardianLink,
    Person,
    ResponsibilityLevel,
    Usability,
)
from core.models.reason import Action, ActionType, GenericReason, JustificationType, Reason
from core.models.school import ClosedDay, Period, School, SchoolYear, TimetableSlot
from core.models.security import LoginAttempt, StaffSession
from core.models.structure import Division, DivisionSet, Mef, TeachingGroup
from core.models.student import Enrolment, Student
from core.models.template import LetterTemplate, MessageTemplate
from core.models.user import ApiToken, AuditEntry, Invitation, Membership, Role, User

MODEL_MODULES = [
    "core.models.school",
    "core.models.structure",
    "core.models.student",
    "core.models.person",
    "core.models.reason",
    "core.models.event",
    "core.models.notice",
    "core.models.inbound",
    "core.models.template",
    "core.models.user",
    "core.models.lesson",
    "core.models.security",
    "core.models.follow_up",
]

__all__ = [
    "MODEL_MODULES",
    "Action",
    "ActionType",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "BotState",
    "BotUpdate",
    "Channel",
    "ChatAttempt",
    "ChatLink",
    "ClosedDay",
    "ContactKind",
    "ContactPoint",
    "Delivery",
    "DeliveryStatus",
    "DeliveryStatusChange",
    "Division",
    "DivisionSet",
    "Enrolment",
    "Event",
    "EventSource",
    "GenericReason",
    "GuardianLink",
    "HalfDayLedger",
    "InboundMessage",
    "InboundStatus",
    "Invitation",
    "JustificationType",
    "Lesson",
    "LessonCancellation",
    "LessonOrigin",
    "LetterTemplate",
    "LinkCode",
    "LoginAttempt",
    "Mef",
    "Membership",
    "MessageTemplate",
    "MissedHalfDay",
    "Notice",
    "NoticeKind",
    "NoticeStatus",
    "Period",
    "Person",
    "Reason",
    "ReplyQuestion",
    "ResponsibilityLevel",
    "Role",
    "RollCall",
    "SavedSearch",
    "School",
    "SchoolYear",
    "StaffAlert",
    "StaffSession",
    "Student",
    "TeachingGroup",
    "TimetableSlot",
    "Usability",
    "User",
    "WeekPattern",
]
