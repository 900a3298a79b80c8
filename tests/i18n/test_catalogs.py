"""The translation catalogs are complete: every message the code and the templates mark for
translation is in each of the five catalogs (ar, zh-hans, fr, ru, es), translated, not fuzzy,
with the English placeholders; and no template shows text that is not marked.

A failure names each message. To fix one: `manage.py makemessages -l ar -l zh_Hans -l fr -l ru
-l es --add-location=file --no-obsolete --ignore=.venv --ignore=tests --ignore=scripts`, then
translate the new or changed entries in `locale/<lang>/LC_MESSAGES/django.po` (README, "Languages").
"""

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("ar", "zh_Hans", "fr", "ru", "es")
SOURCES = ("accounts", "bootstrap", "compacts", "config", "core", "dashboards", "forums")
SOURCES += ("goals", "indicators", "matching", "partnerships", "pledges", "reports")
SOURCES += ("changefeed", "templates")
# The functions Django's makemessages extracts (xgettext's defaults and Django's keywords).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sd]|\{\w*\}")


def _catalog(language: str) -> Catalog:
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


def _marked() -> Iterator[tuple[str | None, str, Path]]:
    """(context, msgid, file) of every message marked in the apps and the templates; templates
    are read as makemessages reads them (`templatize`)."""
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*")):
            if "migrations" in path.parts or path.suffix not in (".py", ".html", ".txt"):
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix != ".py":
                # Pseudo-Python that xgettext reads; its indentation means nothing.
                lines = templatize(text, origin=str(path)).splitlines()
                text = "\n".join(line.lstrip() for line in lines)
            for _line, message, _comments, context in extract(
                "python", io.BytesIO(text.encode()), keywords=KEYWORDS
            ):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid:
                    yield context, msgid, path


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def _problems(message: Message) -> list[str]:
    if message.fuzzy:
        return ["fuzzy"]
    english = message.id if isinstance(message.id, tuple) else (message.id,)
    translated = message.string if isinstance(message.string, tuple) else (message.string,)
    if not all(translated):
        return ["untranslated"]
    allowed = set().union(*(_placeholders(e) for e in english))
    problems = []
    for form in translated:
        extra = _placeholders(form) - allowed
        if extra:
            problems.append(f"placeholders not in the English: {sorted(extra)}")
    if len(english) == 1 and _placeholders(translated[0]) != allowed:
        problems.append(f"placeholders differ: {sorted(_placeholders(translated[0]) ^ allowed)}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_catalog_is_translated_with_the_english_placeholders(
    language: str,
) -> None:
    catalog = _catalog(language)
    problems = {
        str(message.id): found
        for message in catalog
        if message.id and (found := _problems(message))
    }
    assert not problems, f"{language}: {problems}"
    assert not catalog.fuzzy, f"{language}: the catalog's header is marked fuzzy"


def test_every_marked_message_is_in_the_catalogs() -> None:
    """A message marked in the code but missing from the catalogs would stay English."""
    marked = {(context, msgid): path for context, msgid, path in _marked()}
    assert len(marked) > 1000  # the extraction found the project's messages
    for language in LANGUAGES:
        catalog = _catalog(language)
        missing = {
            f"{msgid!r} ({path.relative_to(ROOT)})"
            for (context, msgid), path in marked.items()
            if catalog.get(msgid, context=context) is None
        }
        assert not missing, f"{language} lacks {len(missing)}: {sorted(missing)[:20]}"


class _VisibleText(HTMLParser):
    """Text a reader sees in a template whose tags were taken out: element text outside
    script, style, code and pre, and the attributes browsers show or read aloud."""

    SHOWN = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
    HIDDEN = {"script", "style", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN
        shown = dict(attrs)
        for name, value in attrs:
            button = tag == "input" and shown.get("type") in ("submit", "button", "reset")
            if (
                value
                and (name in self.SHOWN or (button and name == "value"))
                and WORD.search(value)
            ):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self.hidden and WORD.search(data):
            self.found.append(data.strip())


WORD = re.compile(r"[^\W\d_]{2,}")
DJANGO_TAGS = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
MARKED_BLOCKS = re.compile(
    r"{%\s*(blocktrans(?:late)?|comment)\b.*?{%\s*end(?:blocktrans(?:late)?|comment)\s*%}", re.S
)


def test_no_template_shows_text_that_is_not_marked_for_translation() -> None:
    unmarked = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = DJANGO_TAGS.sub(" ", MARKED_BLOCKS.sub(" ", path.read_text(encoding="utf-8")))
        parser = _VisibleText()
        parser.feed(text)
        if parser.found:
            unmarked[str(path.relative_to(ROOT))] = parser.found
    assert not unmarked, unmarked
