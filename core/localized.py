"""SQL for a translated column (django-modeltranslation's `<field>_<language>` columns) in the
active language, for queries modeltranslation does not rewrite: subqueries and raw SQL. Its
own fallback for `.values()` runs in Python, after the query, so a subquery cannot use it."""

from django.db.models import F, Func, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname


def localized(field: str) -> Func:
    """`field` in the active language, falling back to the original (English) column when that
    language's text is empty or missing."""
    column = build_localized_fieldname(field, get_language() or "en")
    return Coalesce(NullIf(F(column), Value("")), F(field))
