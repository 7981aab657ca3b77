from .audit import AuditEvent
from .idempotency import IdempotencyKey
from .ledger import LedgerAccount, LedgerEntry, LedgerUnit
from .notify import ContactMessage, Notification, SmsCode
from .outbox import OutboxDelivery, OutboxMessage, WebhookEndpoint
from .pending import PendingTask
from .publicity import Objection, ObjectionStatus, Publicity, PublicityItem, PublicityStatus
from .regions import Council, Department, PartyBranch, Region, RegionLevel
from .tokens import ApiToken
from .users import Assignment, User
from .votes import Ballot, BallotChannel, BallotChoice, Elector, Vote, VoteStatus
from .workdays import Holiday, HolidayYear, OfficeHours

__all__ = [
    "Ballot",
    "BallotChannel",
    "BallotChoice",
    "Elector",
    "Vote",
    "VoteStatus",
    "WebhookEndpoint",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "ContactMessage",
    "Council",
    "Department",
    "Holiday",
    "HolidayYear",
    "IdempotencyKey",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerUnit",
    "Notification",
    "Objection",
    "ObjectionStatus",
    "OfficeHours",
    "OutboxDelivery",
    "OutboxMessage",
    "PartyBranch",
    "PendingTask",
    "Publicity",
    "PublicityItem",
    "PublicityStatus",
    "Region",
    "RegionLevel",
    "SmsCode",
    "User",
]
