"""Look-alike entity names are one entity: the duplicate check on registration compares the
TR 39 skeleton of the name (pledges.names), across every entity type, and says only what the
registering user may know about the entity it collides with (issue 14, item 2)."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pledges.exceptions import LookalikeName
from pledges.models import Entity, EntityType
from pledges.names import cased_name_skeleton, name_skeleton
from pledges.services import decline_entity, register_entity
from tests.factories import EntityFactory, UserFactory

REGISTERED = "Government of France"

LOOK_ALIKES = [
    pytest.param("Gоvernment of France", id="cyrillic-o"),
    pytest.param("Government of Frаnce", id="cyrillic-a"),
    pytest.param("Govern\u200bment of France", id="zero-width-space"),
    pytest.param("Govern\u00adment of France", id="soft-hyphen"),
    pytest.param("Government\u2060 of France", id="word-joiner"),
    pytest.param("\u200fGovernment of France\u200e", id="bidi-marks"),
    pytest.param("Government\u00a0of\u3000France", id="other-spaces"),
    pytest.param("  Government   of France ", id="extra-spaces"),
    pytest.param("GOVERNMENT OF FRANCE", id="case"),
    pytest.param("Ｇｏｖｅｒｎｍｅｎｔ of France", id="fullwidth"),
    pytest.param("Governrnent of France", id="rn-for-m"),
    pytest.param("G0vernment of France", id="zero-for-o"),
]


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_skeleton_is_the_registered_names_when_the_name_only_looks_the_same(typed: str) -> None:
    assert name_skeleton(typed) == name_skeleton(REGISTERED)


@pytest.mark.parametrize("other", ["Government of Franco", "Government of Finland", "France"])
def test_skeleton_differs_when_the_name_is_another(other: str) -> None:
    assert name_skeleton(other) != name_skeleton(REGISTERED)
    assert cased_name_skeleton(other) != cased_name_skeleton(REGISTERED)


@pytest.mark.parametrize(
    ("registered", "typed"), [("ILO", "lLO"), ("Ministry of Health", "Ministry of HeaIth")]
)
def test_cased_skeleton_is_shared_when_a_capital_i_stands_for_a_small_l(
    registered: str, typed: str
) -> None:
    # Folding case first would make that I an i: the case-insensitive key cannot see this.
    assert cased_name_skeleton(typed) == cased_name_skeleton(registered)


def test_no_key_is_shared_when_only_a_capital_i_and_a_capital_l_differ() -> None:
    assert name_skeleton("Iowa Aid") != name_skeleton("Lowa Aid")
    assert cased_name_skeleton("Iowa Aid") != cased_name_skeleton("Lowa Aid")


@pytest.mark.django_db
class TestRegistration:
    @pytest.fixture
    def types(self, reference_data: None) -> dict[str, EntityType]:
        return {t.code: t for t in EntityType.objects.all()}

    @pytest.fixture
    def france(self, types: dict[str, EntityType]) -> Entity:
        return EntityFactory(name=REGISTERED, entity_type=types["state"], is_verified=True)

    @pytest.mark.parametrize("typed", LOOK_ALIKES)
    def test_look_alike_is_refused_naming_the_verified_entity_when_of_another_type(
        self, types: dict[str, EntityType], france: Entity, typed: str
    ) -> None:
        with pytest.raises(LookalikeName) as refused:
            register_entity(by=UserFactory(), name=typed, entity_type=types["ngo"])

        assert refused.value.existing == france
        assert f"“{REGISTERED}” is already registered" in refused.value.message_dict["name"][0]
        assert Entity.objects.count() == 1

    def test_unverified_entity_is_not_named_when_another_user_registers_a_look_alike(
        self, types: dict[str, EntityType]
    ) -> None:
        claim = register_entity(
            by=UserFactory(), name="Ministry of Health", entity_type=types["state"]
        )

        with pytest.raises(LookalikeName) as refused:
            register_entity(by=UserFactory(), name="Ministry of HeaIth", entity_type=types["ngo"])

        message = refused.value.message_dict["name"][0]
        assert "awaiting verification" in message
        assert claim.name not in message
        assert refused.value.own is False

    def test_own_unverified_entity_is_named_when_its_registrant_registers_it_again(
        self, types: dict[str, EntityType]
    ) -> None:
        user = UserFactory()
        register_entity(by=user, name="Ministry of Health", entity_type=types["state"])

        with pytest.raises(LookalikeName) as refused:
            register_entity(by=user, name="MINISTRY OF HEALTH", entity_type=types["state"])

        assert "You have already registered “Ministry of Health”" in str(refused.value)
        assert refused.value.own is True

    def test_name_is_free_again_when_the_look_alike_was_declined(
        self, types: dict[str, EntityType], secretariat: Any
    ) -> None:
        impostor = register_entity(
            by=UserFactory(), name="Gоvernment of France", entity_type=types["ngo"]
        )
        decline_entity(entity=impostor, reason="Not the French State.", by=secretariat)

        real = register_entity(by=UserFactory(), name=REGISTERED, entity_type=types["state"])

        assert real.name_skeleton == impostor.name_skeleton

    def test_invisible_only_name_is_refused_when_registered(
        self, types: dict[str, EntityType]
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            register_entity(by=UserFactory(), name="\u200b\u200d\u00ad", entity_type=types["ngo"])

        assert refused.value.message_dict == {"name": ["Enter the entity's name."]}

    def test_name_that_expands_past_the_index_is_refused_when_registered(
        self, types: dict[str, EntityType]
    ) -> None:
        # NFKC turns U+FDFA into eighteen characters: 255 of them would not fit a B-tree entry.
        with pytest.raises(ValidationError) as refused:
            register_entity(by=UserFactory(), name="\ufdfa" * 255, entity_type=types["ngo"])

        assert refused.value.message_dict == {"name": ["This name is too long."]}

    def test_database_refuses_a_look_alike_when_the_service_is_bypassed(
        self, france: Entity
    ) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            EntityFactory(name="GOVERNMENT OF FRANCE")

    def test_look_alike_registered_concurrently_is_refused_when_the_index_catches_it(
        self, types: dict[str, EntityType], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The other registration commits between our look-up and our insert.
        first = EntityFactory(name=REGISTERED, is_verified=True)
        looking_like = Entity.objects.looking_like
        calls = []

        def racing(name: str) -> Any:
            calls.append(name)
            found = looking_like(name)
            return found.none() if len(calls) == 1 else found

        monkeypatch.setattr(Entity.objects, "looking_like", racing)

        with pytest.raises(LookalikeName) as refused:
            register_entity(by=UserFactory(), name="Gоvernment of France", entity_type=types["ngo"])

        assert refused.value.existing == first

    def test_admin_form_keeps_the_skeleton_in_step_when_the_name_is_edited(
        self, france: Entity
    ) -> None:
        france.name = "République française"
        france.full_clean()

        assert france.name_skeleton == name_skeleton("République française")
        assert france.cased_name_skeleton == cased_name_skeleton("République française")


@pytest.mark.django_db
def test_existing_rows_get_their_skeleton_and_later_look_alikes_none_when_migrated() -> None:
    fill = importlib.import_module("pledges.migrations.0014_fill_entity_name_skeletons").fill
    unverified = EntityFactory(name="Gоvernment of France", is_verified=False)
    verified = EntityFactory(name="Terre des Hommes", is_verified=True)
    other = EntityFactory(name="Caritas", is_verified=False)
    Entity.objects.update(name_skeleton=None, cased_name_skeleton=None)
    twin = EntityFactory(
        name="Terre des hommes", is_verified=False, name_skeleton=None, cased_name_skeleton=None
    )
    clone = EntityFactory(
        name=REGISTERED, is_verified=True, name_skeleton=None, cased_name_skeleton=None
    )

    fill(apps, None)

    skeletons = dict(Entity.objects.values_list("pk", "name_skeleton"))
    cased = dict(Entity.objects.values_list("pk", "cased_name_skeleton"))
    # Verified first: the State keeps the key, the earlier unverified look-alike gets none.
    assert skeletons[clone.pk] == name_skeleton(REGISTERED)
    assert skeletons[unverified.pk] is None
    assert skeletons[verified.pk] == name_skeleton("Terre des Hommes")
    assert skeletons[twin.pk] is None
    assert skeletons[other.pk] == name_skeleton("Caritas")
    assert cased[other.pk] == cased_name_skeleton("Caritas")
    # Only case differs: the case-kept key of the twin is still its own.
    assert cased[twin.pk] == cased_name_skeleton("Terre des hommes")


@pytest.mark.django_db
def test_admin_rename_to_a_look_alike_is_a_field_error_when_validated() -> None:
    EntityFactory(name="Government of France")
    other = EntityFactory(name="Open Doors")
    other.name = "GOVERNMENT OF FRANCE"

    with pytest.raises(ValidationError) as refused:
        other.full_clean()

    assert "name" in refused.value.message_dict
