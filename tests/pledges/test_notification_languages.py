"""Notification e-mails are written in each recipient's preferred language: two members of the
same entity told of the same decision read it in their own language."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from pledges import notifications
from pledges.models import Membership, Pledge, PledgeParticipant
from pledges.roles import ensure_secretariat_group
from pledges.services import transition_pledge
from pledges.workflow import PLEDGE_TRANSITIONS, UPDATE_TRANSITIONS
from tests.factories import MembershipFactory, PledgeUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db


def _by_recipient() -> dict[str, Any]:
    return {message.to[0]: message for message in mail.outbox}


def _decision_texts(pledge: Pledge, language: str, reason: str) -> tuple[str, str]:
    """The subject and body a member should get, written with the catalog of `language`."""
    with translation.override(language):
        subject = _("Changes requested to your pledge %(ref)s") % {"ref": pledge.reference}
        body = _("Your pledge “%(title)s” (%(ref)s) is now: %(state)s.") % {
            "title": pledge.title,
            "ref": pledge.reference,
            "state": pledge.get_review_state_display(),
        }
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
    return subject, body


def test_each_member_reads_the_decision_in_their_language_when_changes_are_requested(
    draft: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member_a.language = "fr"
    member_a.save(update_fields=["language"])
    colleague = MembershipFactory(
        user=UserFactory(email="colleague@example.org", language="en"), entity=draft.entity
    ).user
    transition_pledge(pledge=draft, action="submit", by=member_a)
    mail.outbox.clear()

    # The secretariat works in Spanish: its own page language must not leak into the mails.
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        pledge = transition_pledge(
            pledge=draft, action="request_changes", by=secretariat, reason="Ajoutez une cible."
        )

    sent = _by_recipient()
    assert set(sent) == {member_a.email, colleague.email}
    french = _decision_texts(pledge, "fr", "Ajoutez une cible.")
    english = _decision_texts(pledge, "en", "Ajoutez une cible.")
    assert french != english  # the French catalog has these messages: no English left in it
    for to, (subject, body) in ((member_a.email, french), (colleague.email, english)):
        assert sent[to].subject == subject
        assert sent[to].body.startswith(body)  # then the link to act on, and the footer


def test_secretariat_reads_a_new_submission_in_its_language_when_a_member_submits(
    draft: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    secretariat.language = "fr"
    secretariat.save(update_fields=["language"])
    english_reviewer = UserFactory(email="reviewer@example.org", is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        pledge = transition_pledge(pledge=draft, action="submit", by=member_a)

    sent = _by_recipient()
    with translation.override("fr"):
        french = _("Pledge %(ref)s of %(entity)s was submitted for review") % {
            "ref": pledge.reference,
            "entity": pledge.entity.name,
        }
    english = f"Pledge {pledge.reference} of {pledge.entity.name} was submitted for review"
    assert sent[secretariat.email].subject == french
    assert french != english
    assert sent[english_reviewer.email].subject == english
    assert sent[english_reviewer.email].body.startswith(
        f"{pledge.entity.name} submitted “{pledge.title}” ({pledge.reference}) for review.\n"
    )


def test_mail_waits_for_the_commit_and_is_then_written_in_arabic(
    draft: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member_a.language = "ar"
    member_a.save(update_fields=["language"])
    transition_pledge(pledge=draft, action="submit", by=member_a)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition_pledge(pledge=draft, action="request_changes", by=secretariat, reason="x")

    assert mail.outbox == []  # sent only once the transaction commits
    for callback in callbacks:
        callback()
    with translation.override("ar"):
        reason_label = _("Reason given by the secretariat:")
    assert reason_label in _by_recipient()[member_a.email].body


def _notifications(draft: Pledge, member: Any) -> dict[str, Callable[[], None]]:
    """Every notification the tracker sends, about objects of the member's entity."""
    entity = draft.entity
    entity.decline_reason = "Nom incomplet."
    update = PledgeUpdateFactory(pledge=draft)
    membership = member.memberships.get()
    return {
        "review_decision": lambda: notifications.review_decision(
            draft, transition=PLEDGE_TRANSITIONS["publish"], reason="Merci."
        ),
        "new_submission": lambda: notifications.new_submission(draft),
        "new_update": lambda: notifications.new_update(update),
        "update_decision": lambda: notifications.update_decision(
            update, transition=UPDATE_TRANSITIONS["return"], reason="Chiffres ?"
        ),
        "invitation": lambda: notifications.invitation(
            PledgeParticipant(pledge=draft, entity=entity)
        ),
        "entity_registered": lambda: notifications.entity_registered(entity),
        "entity_verified": lambda: notifications.entity_verified(entity),
        "entity_declined": lambda: notifications.entity_declined(entity),
        "membership_requested": lambda: notifications.membership_requested(membership),
        # Read again: the mail goes to the membership's user as stored now.
        "membership_decision": lambda: notifications.membership_decision(
            Membership.objects.get(pk=membership.pk)
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "review_decision",
        "new_submission",
        "new_update",
        "update_decision",
        "invitation",
        "entity_registered",
        "entity_verified",
        "entity_declined",
        "membership_requested",
        "membership_decision",
    ],
)
def test_no_english_is_left_in_a_notification_when_its_reader_prefers_french(
    name: str, draft: Pledge, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Readers of both kinds: member A for the entity's mails, a reviewer for the secretariat's.
    reviewer = UserFactory(email="reviewer@example.org")
    reviewer.groups.add(ensure_secretariat_group()[0])
    send = _notifications(draft, member_a)[name]

    def sent_in(language: str) -> dict[str, Any]:
        get_user_model().objects.update(language=language)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send()
        return _by_recipient()

    english, french = sent_in("en"), sent_in("fr")

    assert french
    assert set(french) == set(english)
    for to, message in french.items():
        assert message.subject != english[to].subject, to
        assert message.body != english[to].body, to
