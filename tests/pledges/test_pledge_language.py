"""A pledge records the language its title and description are written in."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pledges.models import Pledge
from pledges.services import PledgeInput, create_pledge, update_pledge

pytestmark = pytest.mark.django_db


def test_a_new_pledge_is_in_english_when_no_language_is_given(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    pledge = create_pledge(data=make_input(), by=member_a)

    assert Pledge.objects.get(pk=pledge.pk).language == "en"


def test_keeps_the_language_when_created_and_changed(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    pledge = create_pledge(data=make_input(language="fr"), by=member_a)
    update_pledge(pledge=pledge, data=make_input(language="es"), by=member_a)

    assert Pledge.objects.get(pk=pledge.pk).language == "es"
    assert list(pledge.history.order_by("history_id").values_list("language", flat=True)) == [
        "fr",
        "es",
    ]


def test_refuses_a_language_the_site_does_not_have_with_a_field_error(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        create_pledge(data=make_input(language="de"), by=member_a)

    assert list(error.value.message_dict) == ["language"]
    assert "ar, zh-hans, en, fr, ru, es" in error.value.message_dict["language"][0]


def test_database_refuses_an_unknown_language_when_written_around_the_services(
    draft: Pledge,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=draft.pk).update(language="xx")


def test_an_edit_that_does_not_say_the_language_keeps_it(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    # A client written before pledges had a language must not turn a French pledge English.
    pledge = create_pledge(data=make_input(language="fr"), by=member_a)

    update_pledge(pledge=pledge, data=make_input(title="Nouveau titre"), by=member_a)

    assert Pledge.objects.get(pk=pledge.pk).language == "fr"
