"""Every write to pledges, entities and progress updates, one module per aggregate.

Web views, the admin, the API and tasks all call these functions, so each rule lives here once:
what a valid pledge is, who may take which transition (via `workflow`), what gets audited and who
is notified. Each function is keyword-only, typed and atomic. Callers import from
`pledges.services`; `common` holds what several aggregates share.
"""

from .common import CLOSED_STATES, BulkActionRefused, Refusal, all_or_none
from .entities import (
    DECLINE_REASON_MAX_LENGTH,
    ENTITY_FIELDS,
    checked_entity_name,
    decline_entity,
    register_entity,
    unverify_entity,
    update_entity,
    verify_entity,
)
from .links import duplicate_link, link_pledges, mark_duplicate, unlink_pledges, unmark_duplicate
from .memberships import add_member, decide_membership, request_membership
from .participants import invite_participant, remove_participant, respond_to_invitation
from .pledges import (
    DESCRIPTION_MAX_LENGTH,
    GCM_DESCRIPTION_LENGTH,
    MAX_TARGETS,
    PLEDGE_DATE_RANGE,
    PLEDGE_SETS,
    PledgeInput,
    TargetInput,
    allocate_reference,
    bulk_publish,
    create_pledge,
    transition_pledge,
    update_pledge,
    validate_pledge,
    validate_targets,
)
from .reaffirmations import reaffirm_pledge
from .translations import (
    TranslationInput,
    add_translation,
    change_translation,
    refresh_translation_search,
    remove_translation,
    validate_translation,
)
from .updates import (
    UpdateInput,
    bulk_review_updates,
    refresh_implementation_status,
    review_update,
    submit_update,
    validate_update,
)

__all__ = [
    "CLOSED_STATES",
    "DECLINE_REASON_MAX_LENGTH",
    "DESCRIPTION_MAX_LENGTH",
    "ENTITY_FIELDS",
    "GCM_DESCRIPTION_LENGTH",
    "MAX_TARGETS",
    "PLEDGE_DATE_RANGE",
    "PLEDGE_SETS",
    "BulkActionRefused",
    "PledgeInput",
    "Refusal",
    "TargetInput",
    "TranslationInput",
    "UpdateInput",
    "add_member",
    "add_translation",
    "all_or_none",
    "allocate_reference",
    "bulk_publish",
    "bulk_review_updates",
    "change_translation",
    "checked_entity_name",
    "create_pledge",
    "decide_membership",
    "decline_entity",
    "duplicate_link",
    "invite_participant",
    "link_pledges",
    "mark_duplicate",
    "reaffirm_pledge",
    "refresh_implementation_status",
    "refresh_translation_search",
    "register_entity",
    "remove_participant",
    "remove_translation",
    "request_membership",
    "respond_to_invitation",
    "review_update",
    "submit_update",
    "transition_pledge",
    "unlink_pledges",
    "unmark_duplicate",
    "unverify_entity",
    "update_entity",
    "update_pledge",
    "validate_pledge",
    "validate_targets",
    "validate_translation",
    "validate_update",
    "verify_entity",
]
