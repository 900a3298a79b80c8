"""Routes of the stakeholder workspace and the pledge page (listed first in `pledges.urls`, so
that `/pledges/<reference>/…` and `/my/pledges/new/` resolve here)."""

from django.urls import URLPattern, path

from .views import translations, workspace

urlpatterns: list[URLPattern] = [
    path("my/", workspace.my_pledges, name="my-pledges"),
    path("my/pledges/new/", workspace.pledge_create, name="pledge-create"),
    path("pledges/<str:reference>/", workspace.pledge_detail, name="pledge-detail"),
    path("pledges/<str:reference>/edit/", workspace.pledge_edit, name="pledge-edit"),
    path(
        "pledges/<str:reference>/actions/<str:action>/",
        workspace.pledge_transition,
        name="pledge-transition",
    ),
    path("pledges/<str:reference>/history/", workspace.pledge_history, name="pledge-history"),
    path("pledges/<str:reference>/reaffirm/", workspace.pledge_reaffirm, name="pledge-reaffirm"),
    path(
        "pledges/<str:reference>/translations/",
        translations.pledge_translations,
        name="pledge-translations",
    ),
    path(
        "pledges/<str:reference>/translations/<str:language>/",
        translations.translation_edit,
        name="translation-edit",
    ),
    path(
        "pledges/<str:reference>/translations/<str:language>/remove/",
        translations.translation_remove,
        name="translation-remove",
    ),
    path(
        "pledges/<str:reference>/participants/",
        workspace.participant_invite,
        name="participant-invite",
    ),
    path(
        "participants/<int:pk>/respond/",
        workspace.participant_respond,
        name="participant-respond",
    ),
    path("participants/<int:pk>/remove/", workspace.participant_remove, name="participant-remove"),
    path("pledges/<str:reference>/links/", workspace.link_create, name="link-create"),
    path("links/<int:pk>/remove/", workspace.link_remove, name="link-remove"),
    path("pledges/<str:reference>/updates/new/", workspace.update_create, name="update-create"),
]
