"""The two Global Compacts and the reference data they define.

Everything here is reference data shipped by `manage.py load_reference_data` and editable by the
secretariat in the admin; no business logic depends on a particular title or number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from core.models import Country


class OfficialTextMixin(models.Model):
    """Texts the UN publishes in its six languages. Where the main text of a language (the
    first translated field in the model's order: an objective's title) is not the UN's (none
    could be found), the language is listed here and pages mark that text unofficial."""

    unofficial_languages = models.JSONField(
        _("languages with an unofficial translation"),
        default=list,
        blank=True,
        help_text=_("Codes of the languages whose text is not the UN's official text."),
    )

    class Meta:
        abstract = True

    @property
    def shows_unofficial_translation(self) -> bool:
        """Whether the main text shown in the active language (an objective's title) is a
        translation the UN did not publish (an empty translation falls back to the official
        English: no marker)."""
        language = get_language()
        if not language or language not in self.unofficial_languages:
            return False
        try:
            names = translator.get_options_for_model(type(self)).all_fields
        except NotRegistered:
            return False
        # The model's field order: modeltranslation's changes from process to process.
        main = next((f.name for f in self._meta.concrete_fields if f.name in names), None)
        if main is None:
            return False
        return bool(getattr(self, build_localized_fieldname(main, language), None))


def shown_language(obj: models.Model, field: str) -> str:
    """The language whose text `obj.<field>` shows in the active language: the active one when
    its column is filled, else English, which modeltranslation falls back to."""
    language = get_language() or settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    if getattr(obj, build_localized_fieldname(field, language), None):
        return language
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


class Compact(OfficialTextMixin):
    """A Global Compact: the GCR (refugees) or the GCM (migration)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adoption_note = models.CharField(_("adoption"), max_length=300, blank=True)
    url = models.URLField(_("official page"), blank=True)
    # The UN document that holds the compact's text, and the General Assembly resolution that
    # affirmed or endorsed it: "A/73/12 (Part II)", affirmed by "A/RES/73/151".
    document_symbol = models.CharField(_("document symbol"), max_length=100, blank=True)
    document_url = models.URLField(_("document"), blank=True)
    resolution_symbol = models.CharField(_("resolution symbol"), max_length=100, blank=True)
    resolution_url = models.URLField(_("resolution"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("compact")
        verbose_name_plural = _("compacts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2,10}$"), name="compact_code_upper"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Objective(OfficialTextMixin):
    """A numbered objective of a compact (GCR 1–4, GCM 1–23) with its official title."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("official title"), max_length=300)
    short_label = models.CharField(_("short label"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # The GCM's "We commit to …" paragraph (A/RES/73/195 ¶17–39) as adopted; blank for the GCR,
    # whose objectives have no commitment paragraph of their own, and where the text could not
    # be checked against the resolution.
    commitment = models.TextField(_("commitment"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Document symbol, paragraph and address of the text."),
    )
    # Set when something that feeds this objective's progress changed; cleared by the progress
    # engine once a fresh snapshot is written (see compacts.progress_marks).
    progress_stale_since = models.DateTimeField(
        _("progress stale since"), null=True, blank=True, db_index=True, editable=False
    )

    class Meta:
        ordering = ["compact__code", "number"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "number"], name="objective_number_unique_per_compact"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="objective_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compact.code} {self.number}. {self.short_label}"

    @property
    def commitment_language(self) -> str:
        """The language of the commitment shown in the active language: English where the UN
        text in that language is not shipped (pages mark it with `lang`)."""
        return shown_language(self, "commitment")

    def missing_action_letters(self) -> list[str]:
        """Letters skipped before the last action listed, e.g. ["a", "b"] when only (c)–(e)
        are shipped: the page says that the list is incomplete. Reads `actions.all()`, which
        the objective page prefetches."""
        letters = sorted(action.letter for action in self.actions.all())
        if not letters or any(len(letter) != 1 for letter in letters):
            return []
        shipped = set(letters)
        return [chr(code) for code in range(ord("a"), ord(letters[-1])) if chr(code) not in shipped]


class ObjectiveAction(OfficialTextMixin):
    """A lettered action under a GCM objective that a pledge may commit to, e.g. 23(a)."""

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="actions")
    letter = models.CharField(_("letter"), max_length=2)
    text = models.TextField(_("text"))
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Document symbol, paragraph and address of the text."),
    )

    class Meta:
        ordering = ["objective__compact__code", "objective__number", "letter"]
        verbose_name = _("objective action")
        verbose_name_plural = _("objective actions")
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "letter"], name="action_letter_unique_per_objective"
            ),
            models.CheckConstraint(
                condition=models.Q(letter__regex=r"^[a-z]{1,2}$"), name="action_letter_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective.compact.code} {self.objective.number}({self.letter})"

    @property
    def text_language(self) -> str:
        """The language of the text shown in the active language (English where the language
        has none)."""
        return shown_language(self, "text")


class GuidingPrinciple(OfficialTextMixin):
    """A guiding principle of a compact (the GCM has ten) that a pledge may name."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="principles")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # The principle as the compact states it (GCM ¶15), after its name.
    text = models.TextField(_("official text"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Document symbol, paragraph and address of the text."),
    )

    class Meta:
        ordering = ["compact__code", "number"]
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "number"], name="principle_number_unique_per_compact"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ThematicArea(models.Model):
    """A theme pledges are grouped under, e.g. GRF 2019's 'education' or GRF 2023's
    multistakeholder pledge on 'resettlement'."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="thematic_areas")
    slug = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["compact__code", "name"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "slug"], name="thematic_area_slug_unique_per_compact"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupportPlatform(models.Model):
    """A regional support platform under the GCR (SSAR, MIRPS, IGAD, CAR-SSP)."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="support_platforms")
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    launched_year = models.PositiveSmallIntegerField(_("launched"), null=True, blank=True)
    countries = models.ManyToManyField(
        Country, blank=True, related_name="support_platforms", verbose_name=_("countries")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("support platform")
        verbose_name_plural = _("support platforms")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
