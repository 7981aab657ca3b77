from .audit import AuditEvent
from .idempotency import IdempotencyKey
from .ledger import LedgerAccount, LedgerEntry, LedgerUnit
from .notify import ContactMessage, Notification, SmsCode
from .outbox import OutboxDelivery, OutboxMessage
from .pending import PendingTask
from .regions import Department, PartyBranch, Region, RegionLevel
from .tokens import ApiToken
from .users import Assignment, User
from .workdays import Holiday, HolidayYear, OfficeHours

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "ContactMessage",
    "Department",
    "Holiday",
    "HolidayYear",
    "IdempotencyKey",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerUnit",
    "Notification",
    "OfficeHours",
    "OutboxDelivery",
    "OutboxMessage",
    "PartyBranch",
    "PendingTask",
    "Region",
    "RegionLevel",
    "SmsCode",
    "User",
]
