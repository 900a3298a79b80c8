"""An Atom feed per objective of the resources published on it, for people who follow one
objective (`/resources/feeds/objectives/GCM/23/`)."""

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from compacts.models import Objective

from .models import Resource
from .views import browse_url

ITEMS = 50


class ObjectiveResourcesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, compact: str, number: int) -> Objective:  # type: ignore[override]  # the URL's keywords
        return get_object_or_404(
            Objective.objects.select_related("compact"), compact__code=compact, number=number
        )

    def title(self, obj: Objective) -> str:
        return _("Resources on %(objective)s") % {"objective": str(obj)}

    def link(self, obj: Objective) -> str:
        return browse_url(obj)

    def subtitle(self, obj: Objective) -> str:
        return _("Publications, tools, practices, events and news published in the library.")

    def items(self, obj: Objective) -> Any:
        return (
            Resource.objects.published()
            .filter(objectives=obj)
            .order_by("-published_at", "-id")[:ITEMS]
        )

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        return item.summary

    def item_link(self, item: Resource) -> str:
        return reverse("resources:detail", kwargs={"public_id": item.public_id})

    def item_guid(self, item: Resource) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Resource) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Resource) -> dt.datetime:
        return item.updated_at or timezone.now()

    def item_author_name(self, item: Resource) -> str | None:
        return item.publisher or None
