"""The API's JSON renderer: DRF's `JSONRenderer` output, byte for byte, encoded by orjson.

DRF encodes with the standard library's `json` and a Python `default()` called for every date,
datetime, Decimal and UUID: on the pledge list (100 pledges, ~290 KB) that cost ~2 ms, and it
was paid twice, once for the ETag and once for the body. orjson encodes the same data in a
fraction of that. The bytes are DRF's (`tests/api/test_json_renderer.py` compares both on every
API resource and on awkward values):

- compact separators, UTF-8 text unescaped (`UNICODE_JSON`), U+2028/U+2029 escaped as DRF does
  (a strict JavaScript subset);
- dates, times and datetimes go through DRF's encoder (`OPT_PASSTHROUGH_DATETIME`), so UTC is
  written `Z` and microseconds as Python writes them; lazy translation strings, UUIDs, sets,
  querysets… likewise; Decimals are written as DRF writes them (a float, through Python's repr);
- anything orjson refuses (integers beyond 64 bits, non-string keys, nesting deeper than 254,
  NaN as a Decimal) is handed to DRF's renderer, which answers it — or refuses it — as before.

One difference is left: a Python *float* is written by orjson, which writes `1e-7` where the
standard library writes `1e-07` (the same number). The API declares no float field.

Views may put JSON already encoded into their data as `orjson.Fragment` (the pledge list does:
the database writes each pledge's JSON); it is sent as it is.

`encode()` is what the ETag of a representation is computed from (`conditional.etag_for`), so a
GET's ETag is the hash of exactly the body it sends.
"""

import json
import re
from decimal import Decimal
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_drf_default = JSONEncoder().default
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # DRF writes float(value) with the standard library; the same text, as is.
        return orjson.Fragment(json.dumps(float(value), allow_nan=False))
    return _drf_default(value)


def encode(data: Any) -> bytes:
    """`data` as DRF's `JSONRenderer` writes it with the API's settings (no indent)."""
    try:
        body = orjson.dumps(data, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return renderers.JSONRenderer().render(data)
    if _has_separators(body):
        body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return body


# U+2028 and U+2029 in UTF-8: E2 80 A8 and E2 80 A9.
_SEPARATOR_TAILS = (b"\x80\xa8", b"\x80\xa9")
_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")
# How many E2 bytes (other punctuation: dashes, typographic quotes…) are checked one by one
# before the rest of the body is left to the regular expression.
_CHECKED_ONE_BY_ONE = 64


def _has_separators(body: bytes) -> bool:
    """Whether `body` holds U+2028 or U+2029. CPython searches for a single byte with
    `memchr` but for a longer needle over JSON text it skips almost nothing: 0.27 ms for each
    separator on a 370 KB page of pledges, 12 µs for the E2 bytes and a check of each. Text
    dense in other punctuation goes to a regular expression (0.2 ms for that page)."""
    at = body.find(b"\xe2")
    for _ in range(_CHECKED_ONE_BY_ONE):
        if at < 0:
            return False
        if body[at + 1 : at + 3] in _SEPARATOR_TAILS:
            return True
        at = body.find(b"\xe2", at + 1)
    return at >= 0 and _SEPARATORS.search(body, at) is not None


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer (same media type, `?format=json`, `indent` parameter), encoding
    with orjson when the output is compact (always, unless a client asks for `indent`)."""

    def is_compact(self, accepted_media_type: str | None, renderer_context: Any) -> bool:
        """Whether `render` writes exactly `encode(data)` for this request."""
        return (
            self.compact
            and self.strict
            and not self.ensure_ascii
            and self.get_indent(accepted_media_type or "", renderer_context or {}) is None
        )

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        if not self.is_compact(accepted_media_type, renderer_context):
            # Indented (the browsable API, `indent=`): DRF writes it, from the compact JSON
            # read back, since views may answer pre-encoded parts (`orjson.Fragment`).
            plain = orjson.loads(encode(data))
            return super().render(plain, accepted_media_type, renderer_context)
        return encode(data)
