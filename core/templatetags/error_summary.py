"""`{% error_summary form %}`: the list of what to fix at the top of every form of the site."""

from typing import Any

from django import forms, template

register = template.Library()


def _items_of(form: forms.Form) -> list[dict[str, str]]:
    """Every error of the form in page order; a visible field's links to its input."""
    if hasattr(form, "error_summary"):  # forms that also list errors of groups of inputs
        return [{"message": i.message, "href": i.href} for i in form.error_summary()]
    items = [{"message": str(error), "href": ""} for error in form.non_field_errors()]
    for field in form:
        href = "" if field.is_hidden else f"#{field.id_for_label or field.auto_id}"
        items.extend({"message": f"{field.label}: {error}", "href": href} for error in field.errors)
    return items


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.Form | None = None, items: Any = None, level: int = 2) -> dict:
    """The summary of `form`'s errors, or of `items` (objects with `message` and `href`) where
    the view composed them. `level` is the heading's level, 3 inside a section."""
    if items is None:
        items = _items_of(form) if form is not None and form.is_bound else []
    return {"items": items, "level": level}
