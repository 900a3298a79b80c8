"""All web routes of the pledges app, under one namespace (`pledges:`), composed from one module
per area so that each area's routes live beside its views."""

from .urls_entities import urlpatterns as entity_urls
from .urls_exports import urlpatterns as export_urls
from .urls_public import urlpatterns as public_urls
from .urls_review import urlpatterns as review_urls
from .urls_workspace import urlpatterns as workspace_urls

app_name = "pledges"
# Downloads and workspace routes come first: `/pledges/download/csv/` and `/pledges/new/` must
# not be read as pledge references.
urlpatterns = [*export_urls, *workspace_urls, *review_urls, *entity_urls, *public_urls]
