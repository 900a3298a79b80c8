"""What the tracker tells people: the in-app notifications, each person's choice per kind of
notification (e-mail, in the tracker only, off), and the addresses that unsubscribed from a kind
with a one-click link (people without an account: a pledge's contact).

This app sits below the domain apps: it knows users and e-mail addresses, never pledges, so
that `pledges`, `matching`, `partnerships` and the apps above them can all send through it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; people choose a channel per kind. Security mails (e-mail
    confirmation, password reset, log-in codes) are allauth's and never pass through here, so
    they cannot be turned off."""

    DECISION = "decision", _("Review decisions on my pledges and progress updates")
    REVIEW = "review", _("Pledges and progress updates to review")
    INVITATION = "invitation", _("Invitations to co-pledge and their answers")
    MATCH = "match", _("Matches")
    ENTITY = "entity", _("Entity verification and memberships")
    PARTNERSHIP = "partnership", _("Multistakeholder pledges")
    REMINDER = "reminder", _("Reminders of progress reports due")
    DIGEST = "digest", _("Weekly digest of overdue pledges")
    COMMENT = "comment", _("Comments on pledges and progress updates")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail and in the tracker")
    IN_APP = "in_app", _("In the tracker only")
    OFF = "off", _("Off")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: object) -> "NotificationQuerySet":
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing that happened, told to one person in the tracker (the bell in the menu). The
    subject is stored in the language it was written in: the recipient's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    # A site path in the recipient's language (`/fr/pledges/…`), never an outside address.
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Preference(models.Model):
    """A person's channel for one kind of notification; no row means e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["user_id", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class Unsubscription(models.Model):
    """An address that asked, with a one-click link, for no more e-mail of one kind. Used for
    addresses without an account (a pledge's contact); a person with an account gets their
    preference set to "in the tracker only" instead."""

    email = models.EmailField(_("e-mail address"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["email", "kind"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email", "kind"], name="unsubscription_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.kind}"
