"""Every write to accounts' API keys (views and the admin never
save them directly), the one place that checks a presented key, and a person's preferred language.

The web page, the admin and `manage.py create_api_key` all create and revoke keys through these
functions, so the rules (names, expiry, who may revoke) and the audit trail are the same whichever
door is used. The plaintext key exists only in the return value of `create_api_key`: it is never
stored, logged or audited.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _

from core.audit import record_change

from .models import API_KEY_NAME_MAX_LENGTH, ApiKey, ApiKeyStatus, User

# `cpt_` marks a key as ours, so that secret scanners and people can recognise a leaked one.
KEY_MARKER = "cpt"
# 5 random bytes: a 10-character hex prefix, unique in the table (a clash is retried).
PREFIX_BYTES = 5
# 32 random bytes (256 bits), as url-safe base64: 43 characters.
SECRET_BYTES = 32
NAME_MAX_LENGTH = API_KEY_NAME_MAX_LENGTH
# `last_used_at` is shown to people, not used for billing: minute precision saves a write per
# request for busy clients.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# How often a freshly drawn prefix may collide before we give up (practically never reached).
PREFIX_ATTEMPTS = 5
# Compared against when the prefix is unknown, so that an unknown prefix costs the same work.
_NO_MATCH = "0" * 64


def hash_key(raw: str) -> str:
    """The stored digest of a whole key (marker, prefix and secret), as 64 hex characters."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    """A fresh (prefix, full key). The prefix is hex, so it never contains the `_` separator; the
    secret may, which `parse_key` allows for by splitting at most twice."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"{KEY_MARKER}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def parse_key(raw: str) -> str | None:
    """The prefix of a well-formed key, or None if `raw` cannot be one of ours."""
    marker, _sep, rest = raw.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if marker != KEY_MARKER or len(prefix) != PREFIX_BYTES * 2 or not secret:
        return None
    if any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


def _validate(*, user: User, name: str, expires_at: dt.datetime | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("Give the key a name, e.g. what it is for."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            _("Use at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    elif ApiKey.objects.filter(user=user, name=name).not_revoked().exists():
        errors.setdefault("name", []).append(
            _("You already have a key named “%(name)s”. Choose another name.") % {"name": name}
        )
    if expires_at is not None and expires_at <= timezone.now():
        errors.setdefault("expires_at", []).append(_("The expiry must be in the future."))
    if not user.is_active:
        errors.setdefault("__all__", []).append(
            _("API keys cannot be created for a deactivated account.")
        )
    if errors:
        raise ValidationError(errors)


def create_api_key(
    *, user: User, name: str, expires_at: dt.datetime | None = None, by: Any = None
) -> tuple[ApiKey, str]:
    """Issue a new key for `user` and return it with its plaintext, which is never seen again.

    `by` is who issued it, for the audit trail: the user on the web page, nobody (None) when an
    operator runs `manage.py create_api_key`.
    """
    name = name.strip()
    _validate(user=user, name=name, expires_at=expires_at)
    for _attempt in range(PREFIX_ATTEMPTS):
        prefix, raw = _new_key()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=hash_key(raw),
                    expires_at=expires_at,
                )
                record_change(
                    key,
                    action="accounts.api_key.created",
                    by=by,
                    data={
                        "name": name,
                        "prefix": prefix,
                        "user": user.email,
                        "expires_at": expires_at.isoformat() if expires_at else None,
                    },
                )
        except IntegrityError as error:
            constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
            if constraint == "api_key_prefix_unique":
                continue
            # Two requests with the same name at once: the second loses the race.
            raise ValidationError(
                {"name": _("You already have a key named “%(name)s”.") % {"name": name}}
            ) from error
        return key, raw
    raise RuntimeError("Could not draw an unused API key prefix.")  # pragma: no cover


def revoke_api_key(*, key: ApiKey, by: Any, reason: str = "") -> ApiKey:
    """Revoke `key` at once: the next request that presents it is refused.

    Its owner or staff may revoke it. Revoking twice is refused with a clear message rather
    than silently moving the revocation time.
    """
    if not (getattr(by, "is_authenticated", False) and (by.pk == key.user_id or by.is_staff)):
        raise PermissionDenied(_("Only the key's owner or staff can revoke an API key."))
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise ValidationError(
                _("The API key “%(name)s” was already revoked.") % {"name": locked.name},
                code="already_revoked",
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_change(
            locked,
            action="accounts.api_key.revoked",
            by=by,
            reason=reason,
            data={"name": locked.name, "prefix": locked.prefix, "user_id": locked.user_id},
        )
    key.revoked_at = locked.revoked_at
    return key


def find_api_key(raw: str) -> ApiKey | None:
    """The key whose secret matches `raw` whatever its status, or None.

    The comparison is constant-time so that response timing does not reveal how much of a
    guessed secret was right. Callers must check `status` before trusting the key; this is
    separate from `authenticate_api_key` so that the API can say *why* a genuine key is refused
    (revoked, expired) without saying anything about a key that is merely guessed.
    """
    prefix = parse_key(raw)
    key = (
        ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if prefix is not None
        else None
    )
    presented = hash_key(raw)
    stored = key.key_hash if key is not None else _NO_MATCH
    if not hmac.compare_digest(presented, stored) or key is None:
        return None
    return key


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The key `raw` stands for if it may be used now (not revoked, not expired, its user
    active), else None."""
    key = find_api_key(raw)
    if key is None or key.status != ApiKeyStatus.ACTIVE or not key.user.is_active:
        return None
    return key


def touch_last_used(key: ApiKey) -> bool:
    """Record that `key` was just used, at most once per `LAST_USED_RESOLUTION`.

    The key was loaded from the database a moment ago, so its in-memory time is checked first
    and most requests cost no query at all; the conditional UPDATE then makes concurrent
    requests write once between them. Returns whether the row was written.
    """
    now = timezone.now()
    cutoff = now - LAST_USED_RESOLUTION
    if key.last_used_at is not None and key.last_used_at > cutoff:
        return False
    written = (
        ApiKey.objects.filter(pk=key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff))
        .update(last_used_at=now)
    )
    if written:
        key.last_used_at = now
    return bool(written)


def supported_language(code: str | None) -> str:
    """The site language closest to `code` (``fr-ca`` → ``fr``), else the default (English)."""
    try:
        return get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def set_preferred_language(*, user: User, language: str) -> User:
    """Store the language the tracker writes `user`'s e-mails in: one of the site's languages."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"language": _("Choose one of the languages offered.")}, code="invalid_choice"
        )
    user.language = language
    user.save(update_fields=["language"])
    return user
