"""Translations of a pledge's title and description into the site's other languages.

Who may change them, and when: exactly who may edit the pledge's own title and description
(`workflow.can_edit`, the rule `update_pledge` applies). A translation is the pledge's text in
another language, so it is reviewed the way that text is: the entity's active members change
them while the pledge is a draft or returned to them, and the review of the submission covers
them; once it is submitted or published only the secretariat changes them (as it alone corrects
a published pledge's text), and nobody once the pledge is closed. Otherwise a published pledge
could say something in French that its reviewed English text does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Expression, Value
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext as _

from core.audit import record_change

from ..models import LANGUAGE_CODES, Pledge, PledgeTranslation, language_name
from ..search_documents import search_config
from ..workflow import EDITABLE_STATES, can_edit
from .common import _attribute_history, _touch
from .pledges import (
    PledgeInput,
    _rule_description_given,
    _rule_description_within_bound,
    _rule_storable,
    _rule_title_given,
)

if TYPE_CHECKING:
    from accounts.models import User

# The pledge's own rules about its title and description; a translation meets them too.
_TEXT_RULES = (
    _rule_title_given,
    _rule_description_within_bound,
    _rule_storable,
    _rule_description_given,
)


@dataclass
class TranslationInput:
    """A translation as entered."""

    language: str
    title: str
    description: str = ""


def validate_translation(pledge: Pledge, data: TranslationInput) -> None:
    """Raise ValidationError with field-level messages if `data` is not a valid translation of
    `pledge`: into another of the site's languages, with a title and description that obey the
    pledge's own length rules (complete ones once the pledge is under review or published)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.language not in LANGUAGE_CODES:
        add(
            "language",
            _("Choose one of the languages of the site: %(languages)s.")
            % {"languages": ", ".join(LANGUAGE_CODES)},
        )
    elif data.language == pledge.language:
        add(
            "language",
            _("The pledge is written in %(language)s: translate it into another language.")
            % {"language": language_name(pledge.language)},
        )
    text = PledgeInput(
        title=data.title,
        description=data.description,
        compact=pledge.compact,
        forum=pledge.forum,
        entity=pledge.entity,
    )
    complete = pledge.review_state not in EDITABLE_STATES
    for rule in _TEXT_RULES:
        rule(text, add, complete)
    if errors:
        raise ValidationError(errors)


def _locked_for_translation(pledge: Pledge | int, by: User) -> Pledge:
    """The pledge, locked (a review decision and a translation change wait for each other), if
    `by` may change its text now."""
    pk = pledge if isinstance(pledge, int) else pledge.pk
    locked = (
        Pledge.objects.select_for_update(of=("self",)).select_related("compact", "forum").get(pk=pk)
    )
    if not can_edit(locked, by):
        raise PermissionDenied(_("You cannot change the translations of this pledge now."))
    return locked


def refresh_translation_search(pledge_id: int) -> None:
    """Store the searchable text of the pledge's translations, each stemmed by the rules of its
    own language, in `Pledge.translation_search_vector` (which `pledge_text_document()` adds to
    the pledge's own text). The translations live in another table, which no index expression on
    pledges can read: their services call this after every change, in the same transaction."""
    parts: list[Expression] = []
    for title, description, language in PledgeTranslation.objects.filter(
        pledge_id=pledge_id
    ).values_list("title", "description", "language"):
        config = search_config(language)
        parts.append(SearchVector(Value(title), weight="A", config=config))
        parts.append(SearchVector(Value(description), weight="B", config=config))
    vector: Expression = Value("")
    if parts:
        vector = reduce(
            lambda a, b: CombinedExpression(a, "||", b, output_field=SearchVectorField()), parts
        )
    Pledge.objects.filter(pk=pledge_id).update(translation_search_vector=vector)


def _changed(pledge: Pledge) -> None:
    refresh_translation_search(pledge.pk)
    # What the pledge shows changed: sync (`updated_since`), ETags and stale-edit checks see it.
    _touch(pledge.pk)


@transaction.atomic
def add_translation(*, pledge: Pledge | int, data: TranslationInput, by: User) -> PledgeTranslation:
    """Add the pledge's title and description in another language."""
    locked = _locked_for_translation(pledge, by)
    validate_translation(locked, data)
    if locked.translations.filter(language=data.language).exists():
        raise ValidationError(
            {
                "language": [
                    _("This pledge already has a translation into %(language)s: change that one.")
                    % {"language": language_name(data.language)}
                ]
            }
        )
    translation = PledgeTranslation(
        pledge=locked,
        language=data.language,
        title=data.title.strip(),
        description=data.description,
    )
    _attribute_history(translation, by=by, reason=_("Translation added"))
    translation.save()
    record_change(
        locked, action="pledges.translation.added", by=by, data={"language": data.language}
    )
    _changed(locked)
    return translation


@transaction.atomic
def change_translation(
    *, translation: PledgeTranslation, title: str, description: str, by: User
) -> PledgeTranslation:
    """Change the title and description of a translation (its language stays: to translate
    into another one, add that translation)."""
    locked = _locked_for_translation(translation.pledge_id, by)
    current = PledgeTranslation.objects.select_for_update().get(pk=translation.pk)
    data = TranslationInput(language=current.language, title=title, description=description)
    validate_translation(locked, data)
    current.title = title.strip()
    current.description = description
    _attribute_history(current, by=by, reason=_("Translation changed"))
    current.save()
    record_change(
        locked, action="pledges.translation.changed", by=by, data={"language": current.language}
    )
    _changed(locked)
    return current


@transaction.atomic
def remove_translation(*, translation: PledgeTranslation, by: User) -> None:
    """Remove a translation; pages in its language show the original text again. Its history
    stays."""
    locked = _locked_for_translation(translation.pledge_id, by)
    current = PledgeTranslation.objects.select_for_update().get(pk=translation.pk)
    record_change(
        locked, action="pledges.translation.removed", by=by, data={"language": current.language}
    )
    _attribute_history(current, by=by, reason=_("Translation removed"))
    current.delete()
    _changed(locked)
