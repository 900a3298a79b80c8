"""All web routes of the pledges app, under one namespace (`pledges:`), composed from one module
per area so that each area's routes live beside its views."""

from .urls_entities import urlpatterns as entity_urls
from .urls_public import urlpatterns as public_urls
from .urls_review import urlpatterns as review_urls
from .urls_workspace import urlpatterns as workspace_urls

app_name = "pledges"
# Workspace routes come first: `/pledges/new/` must not be read as a pledge reference.
urlpatterns = [*workspace_urls, *review_urls, *entity_urls, *public_urls]
