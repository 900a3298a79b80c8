"""Downloads (CSV, XLSX) of the pledge browser's pledges and of the secretariat's queues."""

from django.urls import URLPattern, path

from .views import exports

urlpatterns: list[URLPattern] = [
    path("pledges/download/<str:fmt>/", exports.pledge_export, name="pledge-export"),
    path(
        "review/updates/download/<str:fmt>/",
        exports.update_queue_export,
        name="update-queue-export",
    ),
    path(
        "review/entities/download/<str:fmt>/",
        exports.entity_queue_export,
        name="entity-queue-export",
    ),
]
