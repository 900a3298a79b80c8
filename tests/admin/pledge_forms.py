"""What the admin pledge form posts: for the admin tests and for those of what an admin edit
changes elsewhere (progress)."""

from pledges.models import Pledge


def pledge_form_data(**fields: object) -> dict[str, object]:
    """What the admin pledge form posts, with no inline rows."""
    data: dict[str, object] = {"geography_scope": "national", "review_state": "draft"}
    for prefix in ("targets", "participants", "links_out"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(fields)
    return data


def pledge_change_data(pledge: Pledge, **changes: object) -> dict[str, object]:
    """What the admin change form posts back for `pledge`, with `changes` typed in."""
    current = {
        "title": pledge.title,
        "description": pledge.description,
        "compact": pledge.compact_id,
        "forum": pledge.forum_id or "",  # a pledge announced between forums has none
        "entity": pledge.entity_id,
        "objectives": [objective.pk for objective in pledge.objectives.all()],
        "actions": [action.pk for action in pledge.actions.all()],
        "principles": [principle.pk for principle in pledge.principles.all()],
        "thematic_areas": [area.pk for area in pledge.thematic_areas.all()],
        "support_types": [support.pk for support in pledge.support_types.all()],
        "geography_scope": pledge.geography_scope,
        "beneficiary_countries": [c.pk for c in pledge.beneficiary_countries.all()],
        "review_state": pledge.review_state,
    }
    # The optional fields it has: a form posted without them would clear them.
    for name in ("support_platform", "currency", "created_by"):
        if getattr(pledge, f"{name}_id") is not None:
            current[name] = getattr(pledge, f"{name}_id")
    for name in ("contact_name", "contact_email", "start_date", "end_date", "amount"):
        if getattr(pledge, name) not in (None, ""):
            current[name] = getattr(pledge, name)
    if pledge.announced_on is not None:
        current["announced_on"] = pledge.announced_on
    return pledge_form_data(**{**current, **changes})
