"""Document titles in the six UN languages (see compacts/translation.py). A document keeps the
title it is published under in each language; shipped rows give the English one only."""

from modeltranslation.translator import TranslationOptions, register

from followup.models import FollowUpDocument


@register(FollowUpDocument)
class FollowUpDocumentTranslation(TranslationOptions):
    fields = ("title",)
