"""Every business action of the household files; one module per topic:

people   placement (building/unit/household/person), personal data, tags, reveal, retention, key rotation
intake   self-registration and its verification; care contacts
changes  change requests (draft → submitted → approved/declined) with provenance
visits   走访 and their follow-ups
places   rentals and reminders, businesses and fire-safety checks, compounds
imports  files of persons: check row by row, apply all-or-nothing
"""

from households.services.changes import (  # noqa: F401
    change_request_approve,
    change_request_create,
    change_request_decline,
    change_request_diff,
    change_request_submit,
)
from households.services.intake import (  # noqa: F401
    care_contact_add,
    care_contact_remove,
    registration_decline,
    registration_submit,
    registration_verify,
)
from households.services.people import (  # noqa: F401
    building_create,
    household_create,
    person_create,
    person_reveal,
    person_tag_add,
    person_tag_end,
    person_update,
    persons_purge_moved_out,
    rotate_keys,
    unit_create,
)
from households.services.places import (  # noqa: F401
    business_create,
    compound_create,
    fire_check_record,
    rental_create,
    rental_reminders_send,
)
from households.services.visits import follow_up_order, register_follow_up, visit_log  # noqa: F401
