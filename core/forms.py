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


def apply_rules_in_clean(form: forms.Form, error: ValidationError) -> None:
    """As `apply_service_error`, from a form's `clean()` that ran the service's rules on what
    did clean: so that every error of the form shows in one round (the fields' own and the
    rules across fields), not the fields' first and the others after the next submission.
    A field that failed on its own keeps its own message only; a message already shown is not
    repeated."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    groups: dict[str, list[str]] = getattr(form, "group_errors", {})
    for name, errors in error.error_dict.items():
        messages = ValidationError(errors).messages
        if name in groups:
            groups[name].extend(m for m in messages if m not in groups[name])
        elif name in form.fields:
            if name not in form.errors:
                form.add_error(name, messages)
        else:
            shown = form.non_field_errors()
            fresh = [m for m in messages if m not in shown]
            if fresh:
                form.add_error(None, fresh)


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
