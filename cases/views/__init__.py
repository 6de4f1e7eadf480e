"""The case pages, in a module per activity of a contact person; every view is importable
from here, as `views.<name>`."""

from cases.views.common import PAGE_SIZE
from cases.views.identification import assess, interview_new, send_for_assessment
from cases.views.queues import (
    SEARCH_LIMIT,
    bulk_reassign,
    my_cases,
    queue_list,
    search,
    unassigned,
    workload,
)
from cases.views.record import (
    EVENTS_SHOWN,
    NOTES_SHOWN,
    assign,
    case_detail,
    case_timeline,
    consent_add,
    link_person,
    note_add,
    person_access,
    person_edit,
)
from cases.views.support import STEPS, Step, case_step, extension_decide

__all__ = [
    "EVENTS_SHOWN",
    "NOTES_SHOWN",
    "PAGE_SIZE",
    "SEARCH_LIMIT",
    "STEPS",
    "Step",
    "assess",
    "assign",
    "bulk_reassign",
    "case_detail",
    "case_step",
    "case_timeline",
    "consent_add",
    "extension_decide",
    "interview_new",
    "link_person",
    "my_cases",
    "note_add",
    "person_access",
    "person_edit",
    "queue_list",
    "search",
    "send_for_assessment",
    "unassigned",
    "workload",
]
