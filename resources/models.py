"""The resource library: publications, tools, practices, events and news on the compacts'
objectives, as the GCM's Migration Network Hub organises its content.

The secretariat curates resources (created as drafts, published and unpublished by it);
stakeholders submit practices, which the secretariat reviews like pledges (`workflow`). Only
published resources are shown outside their entity and the secretariat.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compacts.models import GuidingPrinciple, Objective, ThematicArea
from core.models import Country, Region, TimeStampedModel

from .search_documents import resource_document


class ResourceType(models.TextChoices):
    PUBLICATION = "publication", _("Publication")
    TOOL = "tool", _("Tool")
    PRACTICE = "practice", _("Practice")
    EVENT = "event", _("Event")
    NEWS = "news", _("News")
    OTHER = "other", _("Other")


class ResourceLanguage(models.TextChoices):
    """The language a resource is written in: the six UN languages (with the site's codes)
    and the others the hub's content most often uses."""

    ARABIC = "ar", _("Arabic")
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    GERMAN = "de", _("German")
    ITALIAN = "it", _("Italian")
    OTHER = "other", _("Other language")


class ResourceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    UNPUBLISHED = "unpublished", _("Unpublished")


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> "ResourceQuerySet":
        return self.filter(state=ResourceState.PUBLISHED)

    def visible_to(self, user: Any) -> "ResourceQuerySet":
        """Published resources for everyone; any resource for the secretariat; a practice
        not yet published for the members of the entity that submitted it."""
        from pledges.models import Membership, MembershipStatus
        from pledges.workflow import is_secretariat

        if is_secretariat(user):
            return self.all()
        published = Q(state=ResourceState.PUBLISHED)
        if not (user and user.is_authenticated):
            return self.filter(published)
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        return self.filter(published | Q(entity_id__in=own))

    def for_listing(self) -> "ResourceQuerySet":
        return self.prefetch_related(
            models.Prefetch("objectives", queryset=Objective.objects.select_related("compact")),
            "countries",
        )


class Resource(TimeStampedModel):
    """A publication, tool, practice, event or news item on the compacts' objectives, linked
    to the objectives, principles, places and pledges it concerns; hosted elsewhere (its URL)
    or here (an uploaded file)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    resource_type = models.CharField(
        _("type"), max_length=20, choices=ResourceType.choices, default=ResourceType.PUBLICATION
    )
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    # The language whose stemming rules the search applies; also listed in `languages`.
    language = models.CharField(
        _("main language"),
        max_length=7,
        choices=ResourceLanguage.choices,
        default=ResourceLanguage.ENGLISH,
    )
    languages = ArrayField(
        models.CharField(max_length=7, choices=ResourceLanguage.choices),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    url = models.URLField(_("address"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="resources/%Y/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    countries = models.ManyToManyField(
        Country, blank=True, related_name="resources", verbose_name=_("countries")
    )
    region = models.CharField(_("region"), max_length=3, choices=Region.choices, blank=True)
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="resources", verbose_name=_("objectives")
    )
    principles = models.ManyToManyField(
        GuidingPrinciple,
        blank=True,
        related_name="resources",
        verbose_name=_("guiding principles"),
    )
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="resources", verbose_name=_("thematic areas")
    )
    pledges = models.ManyToManyField(
        "pledges.Pledge", blank=True, related_name="resources", verbose_name=_("related pledges")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ResourceState.choices, default=ResourceState.DRAFT
    )
    # A practice submitted by a stakeholder: the entity it acts for (its members see and edit
    # it); blank for what the secretariat curates.
    entity = models.ForeignKey(
        "pledges.Entity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("submitted for"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The reason of the last review decision (changes requested, rejected), for the submitter.
    review_reason = models.TextField(_("reviewer's reason"), blank=True)
    is_demo = models.BooleanField(
        _("demo row"),
        default=False,
        help_text=_("Invented for the demo; not a real resource."),
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("library resource")
        verbose_name_plural = _("library resources")
        indexes = [
            GinIndex(resource_document(), name="resource_search_idx"),
            GinIndex(fields=["languages"], name="resource_languages_idx"),
            models.Index(fields=["state", "-date"], name="resource_state_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="resource_has_url_or_file"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_practice_submission(self) -> bool:
        return self.entity_id is not None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def language_names(self) -> list[str]:
        labels = dict(ResourceLanguage.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class LibrarySettings(models.Model):
    """The library's one row of settings the secretariat edits: the criteria a practice must
    meet, shown above the submission form."""

    practice_criteria = models.TextField(_("criteria for practices"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("library settings")
        verbose_name_plural = _("library settings")

    def __str__(self) -> str:
        return str(_("Library settings"))
