"""The look-alike key of an entity name (its *skeleton*), so that "Government of France" typed
with a Cyrillic "о", a zero-width space or a no-break space is recognised as the registered one.

Two names look alike when either of their two keys is equal:

- `name_skeleton`: case-insensitive. The name after NFKC, without format characters (category
  Cf: zero-width spaces, soft hyphens, word joiners, bidi marks), with every run of white space
  made one space, case-folded, then Unicode TR 39's skeleton, case-folded again (the skeleton of
  "0" is "O"). "UNHCR", "unhcr" and "UNНCR" with a Cyrillic Н share it.
- `cased_name_skeleton`: the same without folding case, i.e. TR 39's own skeleton, which knows
  that a capital I looks like a small l ("ILO" and "lLO", "heaIth" and "health") — folding case
  first would turn that I into an i, which looks like nothing else.

The skeleton is computed by ICU's SpoofChecker, the reference implementation, with ICU's current
confusables data. TR 39 is deliberately broad: "rn" and "m", "1" and "l", "0" and "o" collide.
That is the point for a tracker whose credibility rests on nobody pledging in another's name; a
real entity refused because of an existing look-alike writes to the secretariat.
"""

import unicodedata
from functools import cache

import icu

# A skeleton longer than this (in UTF-8 bytes) could not be stored in a B-tree index entry
# (PostgreSQL's limit is about 2,700 bytes); NFKC can expand one character into eighteen.
MAX_SKELETON_BYTES = 1000


@cache
def _spoof_checker() -> icu.SpoofChecker:
    # getSkeleton reads immutable data, so one checker per process serves every thread.
    return icu.SpoofChecker()


def _without_format_characters(text: str) -> str:
    # ASCII holds no format character (its controls are Cc), and most names are ASCII: the
    # loop over every character made both keys of 300,000 names take 10 s instead of 4 s.
    if text.isascii():
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _clean(name: str) -> str:
    text = _without_format_characters(unicodedata.normalize("NFKC", name))
    return " ".join(text.split())


def _skeleton(text: str) -> str:
    # USPOOF_ANY_CASE was removed from ICU; the skeleton type argument is 0. The mapping can
    # itself produce spaces or format characters: normalise them again.
    skeleton = _spoof_checker().getSkeleton(0, text)
    return " ".join(_without_format_characters(skeleton).split())


def name_skeleton(name: str) -> str:
    """The case-insensitive look-alike key (see the module docstring)."""
    return _skeleton(_clean(name).casefold()).casefold()


def cased_name_skeleton(name: str) -> str:
    """The look-alike key that tells capitals from small letters (see the module docstring)."""
    return _skeleton(_clean(name))
