"""Form helpers shared by every app's web views."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form that collected the input.

    Forms check only the shape of the input; the services decide what is valid, keyed by their
    own input names. A key that is a field of the form goes beside that field; a key the form
    shows as a group of inputs (its `group_errors`, e.g. a pledge's "targets" fieldset) goes on
    that group; anything else, and an error without keys, goes in the form-wide errors, so that
    nothing the service says is lost.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    groups: dict[str, list[str]] = getattr(form, "group_errors", {})
    for name, errors in error.error_dict.items():
        if name in groups:
            groups[name].extend(ValidationError(errors).messages)
        elif name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of its ChoiceField `name`, to give it this request's choices.

    `form.fields` is typed as holding any Field; this says which one, and fails loudly if a
    change of the form's declaration made it something else.
    """
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is no ChoiceField")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """As `choice_field`, for a (multiple) model choice field whose queryset is narrowed."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is no ModelChoiceField")
    return field
