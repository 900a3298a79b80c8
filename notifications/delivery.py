"""Sending a notification: composed once per language among its recipients (inside
`translation.override`, so labels and links follow), recorded in the tracker for the people who
have an account, and e-mailed as text and HTML after the transaction commits (a rolled back
decision must not be announced) to those whose preference for its kind is e-mail.

Every e-mail carries an absolute link to the page to act on, a link to the preferences, and a
signed one-click unsubscribe link for its kind, also as `List-Unsubscribe` and
`List-Unsubscribe-Post` headers (RFC 8058).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Channel, Kind, Notification, Preference, Unsubscription

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Recipient:
    """Whom to tell: an address in a language, and the account behind it when there is one."""

    email: str
    language: str
    user_id: int | None = None


@dataclass(frozen=True)
class Message:
    """What to say, written in the active language. `path` is the page to act on (reversed in
    the active language, so that the link opens the site in the language of the mail)."""

    subject: str
    body: str
    path: str = ""
    action: str = ""  # the link's label, e.g. "Open the pledge"


Compose = Callable[[], Message]


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


def unsubscribe_token(email: str, kind: str) -> str:
    return signing.dumps({"e": email.lower(), "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """(e-mail, kind) of a genuine token; None for a forged or damaged one. No expiry: an
    unsubscribe link in an old mail must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values:
        return None
    email = data.get("e")
    return (email, data["k"]) if isinstance(email, str) and email else None


def _channels(recipients: list[Recipient], kind: str) -> dict[str, str]:
    """Each address's channel for `kind`: the person's preference, else e-mail; an address
    that unsubscribed gets no e-mail of that kind."""
    users = {r.user_id for r in recipients if r.user_id}
    chosen = dict(
        Preference.objects.filter(user_id__in=users, kind=kind).values_list("user_id", "channel")
    )
    gone = set(
        Unsubscription.objects.filter(
            email__in=[r.email.lower() for r in recipients], kind=kind
        ).values_list("email", flat=True)
    )
    channels = {}
    for r in recipients:
        channel = chosen.get(r.user_id, Channel.EMAIL) if r.user_id else Channel.EMAIL
        if channel == Channel.EMAIL and r.email.lower() in gone:
            channel = Channel.IN_APP if r.user_id else Channel.OFF
        channels[r.email] = channel
    return channels


def build_email(recipient: Recipient, kind: str, message: Message) -> EmailMultiAlternatives:
    """The e-mail of one message to one address, in the active language."""
    token = unsubscribe_token(recipient.email, kind)
    unsubscribe = absolute_url(reverse("notifications:unsubscribe", args=[token]))
    context = {
        "message": message,
        "body_paragraphs": [p for p in message.body.split("\n\n") if p.strip()],
        "url": absolute_url(message.path),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe,
        "kind_label": Kind(kind).label,
        "has_account": recipient.user_id is not None,
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string("notifications/email/message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    email.attach_alternative(
        render_to_string("notifications/email/message.html", context), "text/html"
    )
    return email


def send_after_commit(emails: list[EmailMultiAlternatives]) -> None:
    if emails:
        transaction.on_commit(lambda: get_connection(fail_silently=False).send_messages(emails))


def deliver(recipients: Iterable[Recipient], *, kind: str, compose: Compose) -> int:
    """Tell each recipient, in their language, by their preferred channel. Returns how many
    recipients are told (by e-mail after the commit, or in the tracker only)."""
    unique = list({r.email.lower(): r for r in recipients if r.email}.values())
    if not unique:
        return 0
    channels = _channels(unique, kind)
    languages = dict(settings.LANGUAGES)
    by_language: dict[str, list[Recipient]] = defaultdict(list)
    for r in unique:
        if channels[r.email] != Channel.OFF:
            language = r.language if r.language in languages else settings.LANGUAGE_CODE
            by_language[language].append(r)
    emails: list[EmailMultiAlternatives] = []
    notes: list[Notification] = []
    for language, group in sorted(by_language.items()):
        with translation.override(language):
            message = compose()
            for r in sorted(group, key=lambda r: r.email):
                if r.user_id:
                    notes.append(
                        Notification(
                            user_id=r.user_id,
                            kind=kind,
                            subject=message.subject[:300],
                            url=message.path[:500],
                        )
                    )
                if channels[r.email] == Channel.EMAIL:
                    emails.append(build_email(r, kind, message))
    Notification.objects.bulk_create(notes)
    if notes:
        # The menu's count is a cache of the unread rows, raised after the commit in a statement
        # of its own: raised inside the change's transaction it would lock each reviewer's user
        # row until then, so two submissions at once would wait for each other. (Marking read
        # recounts from the rows, which mends a count a crash between the two left behind.)
        users = sorted({n.user_id for n in notes})
        transaction.on_commit(
            lambda: (
                get_user_model()
                .objects.filter(pk__in=users)
                .update(unread_notifications=F("unread_notifications") + 1)
            )
        )
    send_after_commit(emails)
    return sum(len(group) for group in by_language.values())
