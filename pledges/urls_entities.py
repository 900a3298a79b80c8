"""Routes of the entities area: registering and joining entities, one's own memberships, and
the secretariat's queue of entities to verify and join requests to decide."""

from django.urls import URLPattern, path

from .views import entities

urlpatterns: list[URLPattern] = [
    path("entities/register/", entities.entity_register, name="entity-register"),
    path("entities/join/", entities.entity_join, name="entity-join"),
    path("my/entities/", entities.my_entities, name="my-entities"),
    path("review/entities/", entities.entity_admin_queue, name="entity-admin-queue"),
    path(
        "review/entities/<uuid:public_id>/unverify/",
        entities.entity_unverify,
        name="entity-unverify",
    ),
]
