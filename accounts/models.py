"""People who sign in (e-mail is the login; there is no separate username) and the API keys
they issue to their programs."""

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Django's managers are generic only in the stubs; at run time the class is not subscriptable.
    _UserManagerBase = DjangoUserManager["User"]
else:
    _UserManagerBase = DjangoUserManager


class UserManager(_UserManagerBase):
    """Creates users keyed by e-mail address (normalised to lower case)."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]  # the e-mail is the login: no username argument
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]  # the e-mail is the login: no username
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person using the tracker: stakeholder staff, a secretariat reviewer, an admin."""

    username = None  # type: ignore[assignment]  # no username column: the e-mail is the login
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The language of the e-mails the tracker sends this person (pages follow the URL instead).
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails you receive."),
    )

    # The menu's count of unread notifications, kept by the notifications app's delivery and
    # services, so that no page spends a query on it (the user row is read anyway).
    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"), default=0, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# The form and the service check it first, to say so in words rather than as a database error.
API_KEY_NAME_MAX_LENGTH = 100


class ApiKeyStatus(models.TextChoices):
    """Whether a key still opens the API. Derived from the timestamps, never stored."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    """Reads of API keys. A person only ever sees their own keys outside the admin."""

    def owned_by(self, user: Any) -> "ApiKeyQuerySet":
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def not_revoked(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)

    def active(self, *, now: dt.datetime | None = None) -> "ApiKeyQuerySet":
        now = now or timezone.now()
        return self.not_revoked().filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def expired(self, *, now: dt.datetime | None = None) -> "ApiKeyQuerySet":
        return self.not_revoked().filter(expires_at__lte=now or timezone.now())

    def revoked(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=False)


class ApiKey(models.Model):
    """A credential a person issues to one of their programs (a partner's reporting system, a
    script) so that it can call the REST API as them.

    The full key (`cpt_<prefix>_<secret>`) is shown once, when it is created; only its SHA-256
    digest is stored. A fast hash is enough because the secret is 32 random bytes: there is no
    dictionary to attack, unlike a password. `prefix` is public: it finds the row in one indexed
    lookup and lets people tell their keys apart in lists without revealing anything usable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"),
        max_length=API_KEY_NAME_MAX_LENGTH,
        help_text=_("What the key is for, e.g. “Reporting system”."),
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            # Also the index that `authenticate_api_key` looks keys up by.
            models.UniqueConstraint(fields=["prefix"], name="api_key_prefix_unique"),
            # A revoked key keeps its name in the list, so the name can be reused at once.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_key_name_unique_per_user_while_not_revoked",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="api_key_name_not_blank"),
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="api_key_hash_is_sha256_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("created_at")),
                name="api_key_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="api_key_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def status(self) -> ApiKeyStatus:
        """Revocation wins over expiry: a key revoked before it expired reads as revoked."""
        if self.revoked_at is not None:
            return ApiKeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return ApiKeyStatus.EXPIRED
        return ApiKeyStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == ApiKeyStatus.ACTIVE
