"""A service's refusal is shown on the form the user filled in, each message where it belongs."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import apply_service_error


class _PledgeLikeForm(forms.Form):
    title = forms.CharField()
    group_errors: dict[str, list[str]]


def _bound() -> _PledgeLikeForm:
    form = _PledgeLikeForm({"title": "Schools"})
    form.group_errors = {"targets": []}  # as the pledge editor's "targets" fieldset
    assert form.is_valid()
    return form


def test_a_keyed_message_goes_beside_its_field() -> None:
    form = _bound()
    apply_service_error(form, ValidationError({"title": "A pledge with this title exists."}))
    assert form.errors["title"] == ["A pledge with this title exists."]
    assert "title" not in form.cleaned_data


def test_a_message_about_a_group_of_inputs_goes_on_the_group() -> None:
    form = _bound()
    apply_service_error(form, ValidationError({"targets": "Add at least one target."}))
    assert form.group_errors["targets"] == ["Add at least one target."]
    assert not form.non_field_errors()


def test_a_message_the_form_has_no_place_for_is_shown_form_wide() -> None:
    form = _bound()
    apply_service_error(
        form,
        ValidationError({"entity": "The entity is not verified.", "__all__": "Not yet."}),
    )
    assert form.non_field_errors() == ["The entity is not verified.", "Not yet."]


def test_a_message_without_a_key_is_shown_form_wide() -> None:
    form = _bound()
    apply_service_error(form, ValidationError(["First problem.", "Second problem."]))
    assert form.non_field_errors() == ["First problem.", "Second problem."]
