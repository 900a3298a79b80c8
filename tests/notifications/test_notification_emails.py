"""Every notification: a subject saying what happened to what, an absolute link to act on, text
and HTML, the recipient's language, a one-click unsubscribe; and the in-app list."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Channel, Kind, Notification, Preference, Unsubscription
from notifications.services import set_preferences
from pledges.models import ReviewState
from pledges.services import transition_pledge
from tests.factories import MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(member_a: Any) -> Any:
    entity = member_a.memberships.get().entity
    return PledgeFactory(
        entity=entity, review_state=ReviewState.SUBMITTED, geography_scope="global"
    )


def _publish(pledge: Any, by: Any, capture: Any) -> None:
    with capture(execute=True):
        transition_pledge(pledge=pledge, action="publish", by=by)


def test_publish_mail_names_the_pledge_links_to_it_and_comes_as_text_and_html_when_sent(
    submitted: Any, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _publish(submitted, secretariat, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == f"Your pledge {submitted.reference} was published"
    link = f"http://localhost:8000/pledges/{submitted.reference}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    unsubscribe = re.search(
        r"<(http://localhost:8000/unsubscribe/[^>]+/)>", message.extra_headers["List-Unsubscribe"]
    )
    assert unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # And in the tracker, unread, with the same subject and link.
    note = Notification.objects.get(user=member_a)
    assert (note.subject, note.url, note.read_at) == (
        message.subject,
        f"/pledges/{submitted.reference}/",
        None,
    )


def test_mail_and_its_link_follow_the_recipients_language_when_it_is_french(
    submitted: Any, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member_a.language = "fr"
    member_a.save(update_fields=["language"])
    with translation.override("es"):  # the reviewer's page language must not leak
        _publish(submitted, secretariat, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    with translation.override("fr"):
        subject = _("Your pledge %(ref)s was published") % {"ref": submitted.reference}
        state = _("Published")
    assert message.subject == subject
    assert f"http://localhost:8000/fr/pledges/{submitted.reference}/" in message.body
    assert state in message.body
    assert state != "Published"
    assert message.extra_headers["Content-Language"] == "fr"


def test_no_mail_but_a_notification_when_the_member_chose_in_app_only(
    submitted: Any, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_preferences(user=member_a, channels={Kind.DECISION: Channel.IN_APP})
    colleague = MembershipFactory(entity=submitted.entity).user
    set_preferences(user=colleague, channels={Kind.DECISION: Channel.OFF})

    _publish(submitted, secretariat, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert list(Notification.objects.values_list("user__email", flat=True)) == [member_a.email]


def test_one_click_unsubscribe_works_without_login_or_csrf_token_when_posted(
    submitted: Any, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _publish(submitted, secretariat, django_capture_on_commit_callbacks)
    url = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("http://localhost:8000")
    )
    client = Client(enforce_csrf_checks=True)

    assert client.get(url).status_code == 200  # a confirmation page: scanners change nothing
    assert not Preference.objects.exists()
    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Preference.objects.get(user=member_a, kind=Kind.DECISION).channel == Channel.IN_APP
    assert Unsubscription.objects.filter(email=member_a.email, kind=Kind.DECISION).exists()
    assert client.post(url).status_code == 200  # twice is fine
    assert client.post(url[:-3] + "xx/").status_code == 400  # a forged token changes nothing


def test_unsubscribed_contact_without_account_gets_no_more_mail_of_that_kind(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from notifications.delivery import Message, Recipient, deliver

    Unsubscription.objects.create(email="contact@example.org", kind=Kind.REMINDER)
    with django_capture_on_commit_callbacks(execute=True):
        told = deliver(
            [Recipient("contact@example.org", "en")],
            kind=Kind.REMINDER,
            compose=lambda: Message("Subject", "Body"),
        )
        deliver(
            [Recipient("contact@example.org", "en")],
            kind=Kind.COMMENT,
            compose=lambda: Message("Other kind", "Body"),
        )
    assert told == 0
    assert [m.subject for m in mail.outbox] == ["Other kind"]


def test_list_shows_unread_count_in_menu_and_marks_read_when_opened(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from notifications.delivery import Message, Recipient, deliver

    user = UserFactory(email="reader@example.org")
    other = UserFactory(email="other@example.org")
    for to, subject, path in (
        (user, "First", "/my/"),
        (user, "Second", "/"),
        (other, "Not yours", ""),
    ):
        with django_capture_on_commit_callbacks(execute=True):  # the menu's count follows
            deliver(
                [Recipient(to.email, "en", to.pk)],
                kind=Kind.COMMENT,
                compose=lambda s=subject, p=path: Message(s, "Body", p),
            )
    first = Notification.objects.get(subject="First")
    foreign = Notification.objects.get(subject="Not yours")
    client.force_login(user)

    page = client.get(reverse("notifications:list")).content.decode()
    assert "First" in page
    assert "Second" in page
    assert "Not yours" not in page
    assert re.search(r'class="badge">2<', page)

    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert client.post(reverse("notifications:read", args=[foreign.pk])).status_code == 404
    client.post(reverse("notifications:read-all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=foreign.pk).read_at is None
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.unread_notifications, other.unread_notifications) == (0, 1)


def test_preferences_page_saves_a_channel_per_kind_and_refuses_unknown_ones(client: Client) -> None:
    user = UserFactory(email="prefs@example.org")
    client.force_login(user)
    url = reverse("notifications:preferences")
    choices = {kind: Channel.EMAIL for kind in Kind.values} | {Kind.MATCH: Channel.OFF}

    assert client.post(url, choices | {Kind.COMMENT: "sms"}).status_code == 400
    assert not Preference.objects.exists()
    assert client.post(url, choices).status_code == 302
    assert list(Preference.objects.values_list("kind", "channel")) == [(Kind.MATCH, Channel.OFF)]
