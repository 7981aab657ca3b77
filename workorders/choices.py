"""Every status and code of the work-order loop (the transition table is in lifecycle.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    HANDLED = "handled", _("Handled")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another order")


OPEN_STATUSES = (Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.HANDLED)
TERMINAL_STATUSES = (Status.NOT_ACCEPTED, Status.CLOSED, Status.MERGED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    PATROL = "patrol", _("Grid patrol")
    VISIT = "visit", _("Home visit")
    API = "api", _("Department API")
    HOTLINE_12345 = "12345", _("12345 hotline")


STAFF_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.PATROL, Channel.VISIT, Channel.API, Channel.HOTLINE_12345)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class LimitUnit(models.TextChoices):
    WORK_HOURS = "work_hours", _("working hours")
    WORK_DAYS = "work_days", _("working days")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    MINUTES = "minutes", _("minutes")


class CategoryKind(models.TextChoices):
    EVENT = "event", _("Event (事件)")
    COMPONENT = "component", _("Component (部件)")


class RoutingMode(models.TextChoices):
    TERRITORIAL = "territorial", _("Territorial (属地)")
    SPECIALIST = "specialist", _("Specialist (专业)")
    GRID = "grid", _("Grid (网格)")


class TerritorialLevel(models.TextChoices):
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Handling")
    VERIFY = "verify", _("Verification")
    NONE = "", _("None")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("When reported")
    HANDLED = "handled", _("After handling")
    TIMELINE = "timeline", _("With a step")


class ApplicationKind(models.TextChoices):
    EXTENSION = "extension", _("Extension (延期)")
    PARK = "park", _("Parking (挂账/缓办)")
    APPEAL = "appeal", _("Appeal (申诉)")


class ApplicationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    PORTAL = "portal", _("Portal answer")
    VISIT = "visit", _("Visit")


# rules.yaml lists (copied; an office edits the wording in the .po, the codes stay).
NON_DISPATCH_REASONS = [
    ("duplicate", _("Duplicate request (重复诉求)")),
    ("incomplete", _("Information incomplete, cannot verify (信息不全无法核实)")),
    ("not_our_area", _("Not in this jurisdiction (不属于本辖区)")),
    ("judicial", _("Already in judicial or arbitration proceedings (已进入司法或仲裁程序)")),
    ("petition", _("A petition or administrative review matter (属于信访或行政复议事项)")),
    ("no_request", _("No actual request (无实际诉求)")),
]
PARK_REASONS = [
    ("budget", _("Needs the annual plan or budget (需纳入年度计划或预算)")),
    ("history", _("A problem left over from history (涉及历史遗留问题)")),
    ("policy", _("Needs policy support from above (需上级政策支持)")),
]
APPEAL_REASONS = [
    ("malicious", _("Malicious repeated or unreasonable request (诉求人恶意重复或无理诉求)")),
    ("not_our_duty", _("Not this unit's duty (非本单位职责)")),
    ("impossible", _("Objectively impossible (客观条件无法办理)")),
]


# The words of every step on an order's timeline: the moves of the table (workorders.lifecycle)
# and the sweeper's steps, which keep the status.
STEP = {
    "report": _("reported"),
    "accept": _("accepted (立案)"),
    "reject": _("not accepted"),
    "dispatch": _("dispatched"),
    "start": _("handling started"),
    "handle": _("handled"),
    "verify": _("verified and closed"),
    "rework": _("returned for rework (返工)"),
    "send_back": _("sent back for re-dispatch (退回)"),
    "reopen": _("reopened by the reporter"),
    "merge": _("merged into another order"),
    "extension_request": _("extension requested (延期申请)"),
    "extension_decide": _("extension decided"),
    "park_request": _("parking requested (挂账申请)"),
    "park_decide": _("parking decided"),
    "unpark": _("taken out of parking"),
    "appeal_request": _("appeal requested (申诉)"),
    "appeal_decide": _("appeal decided"),
    "supervise": _("supervised (督办)"),
    "change_urgency": _("urgency changed"),
    "followup": _("follow-up recorded (回访)"),
    "plus_one": _("+1 from a neighbour"),
    "photo": _("photo added"),
    "overdue": _("overdue"),
    "auto_supervise": _("supervised automatically (超期督办)"),
}
