"""Translations of a pledge's title and description: who may change them and when (whoever may
change the pledge's own text), their rules, audit entries and history."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import entries_for
from pledges.models import Pledge, PledgeTranslation
from pledges.services import (
    PledgeInput,
    TranslationInput,
    add_translation,
    change_translation,
    create_pledge,
    remove_translation,
    transition_pledge,
)

pytestmark = pytest.mark.django_db

FRENCH = TranslationInput(
    language="fr",
    title="Inclure les enfants réfugiés dans les écoles",
    description="Scolariser dix mille enfants réfugiés.",
)


def test_member_adds_a_translation_to_a_draft_with_audit_and_history(
    draft: Pledge, member_a: Any
) -> None:
    version = draft.version

    translation = add_translation(pledge=draft, data=FRENCH, by=member_a)

    assert PledgeTranslation.objects.get(pledge=draft).title == FRENCH.title
    assert Pledge.objects.get(pk=draft.pk).version == version + 1
    entry = entries_for(draft).filter(action="pledges.translation.added").get()
    assert entry.data == {"language": "fr"}
    assert entry.actor == member_a
    assert translation.history.get().history_user == member_a


def test_changes_and_removes_a_translation_keeping_its_history(
    draft: Pledge, member_a: Any
) -> None:
    translation = add_translation(pledge=draft, data=FRENCH, by=member_a)

    change_translation(translation=translation, title="Nouveau titre", description="", by=member_a)
    remove_translation(translation=translation, by=member_a)

    assert not PledgeTranslation.objects.exists()
    history = PledgeTranslation.history.filter(id=translation.pk).order_by("history_id")
    assert [(h.history_type, h.title) for h in history] == [
        ("+", FRENCH.title),
        ("~", "Nouveau titre"),
        ("-", "Nouveau titre"),
    ]
    assert [e.action for e in entries_for(draft).order_by("id")][-3:] == [
        "pledges.translation.added",
        "pledges.translation.changed",
        "pledges.translation.removed",
    ]


def test_refuses_a_translation_into_the_pledges_own_language(draft: Pledge, member_a: Any) -> None:
    with pytest.raises(ValidationError) as error:
        add_translation(pledge=draft, data=TranslationInput("en", "Same", "Same"), by=member_a)

    assert "The pledge is written in English" in error.value.message_dict["language"][0]


def test_refuses_a_second_translation_into_the_same_language(draft: Pledge, member_a: Any) -> None:
    add_translation(pledge=draft, data=FRENCH, by=member_a)

    with pytest.raises(ValidationError) as error:
        add_translation(pledge=draft, data=FRENCH, by=member_a)

    assert list(error.value.message_dict) == ["language"]


def test_refuses_an_unknown_language_and_a_title_the_pledge_could_not_have(
    draft: Pledge, member_a: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        add_translation(pledge=draft, data=TranslationInput("de", " ", "x" * 20_001), by=member_a)

    assert set(error.value.message_dict) == {"language", "title", "description"}


def test_asks_for_a_description_once_the_pledge_is_under_review(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)

    with pytest.raises(ValidationError) as error:
        add_translation(pledge=draft, data=TranslationInput("fr", "Titre", ""), by=secretariat)

    assert list(error.value.message_dict) == ["description"]


def test_only_the_secretariat_translates_a_published_pledge_as_it_alone_corrects_its_text(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)

    with pytest.raises(PermissionDenied):
        add_translation(pledge=draft, data=FRENCH, by=member_a)
    add_translation(pledge=draft, data=FRENCH, by=secretariat)

    assert PledgeTranslation.objects.filter(pledge=draft).count() == 1


def test_other_entities_cannot_translate_a_pledge(draft: Pledge, member_b: Any) -> None:
    with pytest.raises(PermissionDenied):
        add_translation(pledge=draft, data=FRENCH, by=member_b)


def test_nobody_translates_a_withdrawn_pledge(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    translation = add_translation(pledge=draft, data=FRENCH, by=member_a)
    transition_pledge(pledge=draft, action="withdraw", by=member_a)

    with pytest.raises(PermissionDenied):
        remove_translation(translation=translation, by=secretariat)


def test_a_gcm_translation_obeys_the_gcm_description_bound(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    pledge = create_pledge(data=make_input(compact_code="GCM"), by=member_a)

    with pytest.raises(ValidationError) as error:
        add_translation(
            pledge=pledge, data=TranslationInput("es", "Título", "x" * 3001), by=member_a
        )

    assert list(error.value.message_dict) == ["description"]
