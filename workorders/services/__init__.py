"""Every business action on work orders. One module per topic:

intake.py        order_report (ALL channels), order_plus_one
flow.py          accept, reject, dispatch (routing + override), start, handle, verify/close,
                 rework, send back, reopen, supervise, urgency, merge
applications.py  extension / park / appeal: request and decide
followup.py      回访 and the reporter's own answer
sla.py           the deadline sweeper (bulk)
common.py        row lock, handler check, the move through lifecycle.TRANSITIONS
"""

from workorders.services.applications import (
    appeal_decide,
    appeal_request,
    application_decide,
    extension_decide,
    extension_request,
    order_unpark,
    park_decide,
    park_request,
)
from workorders.services.flow import (
    order_accept,
    order_change_urgency,
    order_dispatch,
    order_handle,
    order_merge,
    order_reject,
    order_reopen,
    order_return_rework,
    order_send_back,
    order_start,
    order_supervise,
    order_verify_close,
)
from workorders.services.followup import followup_record
from workorders.services.intake import order_plus_one, order_report
from workorders.services.photos import order_add_photos
from workorders.services.sla import sweep

__all__ = [
    "appeal_decide", "appeal_request", "application_decide", "extension_decide", "extension_request",
    "followup_record", "order_accept", "order_add_photos", "order_change_urgency", "order_dispatch",
    "order_handle", "order_merge", "order_plus_one", "order_reject", "order_reopen", "order_report",
    "order_return_rework", "order_send_back", "order_start", "order_supervise", "order_unpark",
    "order_verify_close", "park_decide", "park_request", "sweep",
]
