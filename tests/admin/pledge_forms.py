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
        "forum": pledge.forum_id,
        "entity": pledge.entity_id,
        "objectives": [objective.pk for objective in pledge.objectives.all()],
        "geography_scope": pledge.geography_scope,
        "review_state": pledge.review_state,
    }
    return pledge_form_data(**{**current, **changes})
