"""Notifications about the secretariat's decisions on submitted practices, delivered like the
pledges' (`notifications.delivery.deliver`): to the person who submitted the practice, in the
tracker and by e-mail after the commit, in their language, by their channel for decisions."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.delivery import Message, Recipient, deliver
from notifications.models import Kind

from .models import Resource, ResourceState


def _subject(resource: Resource) -> str:
    values = {"title": resource.title}
    subjects: dict[str, str] = {
        ResourceState.PUBLISHED: _("Your practice “%(title)s” was published"),
        ResourceState.CHANGES_REQUESTED: _("Changes requested to your practice “%(title)s”"),
        ResourceState.REJECTED: _("Your practice “%(title)s” was rejected"),
        ResourceState.UNPUBLISHED: _("Your practice “%(title)s” was unpublished"),
    }
    return subjects.get(resource.state, _("Your practice “%(title)s” changed")) % values


def _link(resource: Resource) -> tuple[str, str]:
    """The page to act on: the editor when changes are asked, else the practice or the list."""
    if resource.state == ResourceState.CHANGES_REQUESTED:
        path = reverse("resources:practice-edit", args=[resource.public_id])
        return path, _("Edit the practice")
    if resource.state == ResourceState.PUBLISHED:
        return reverse("resources:detail", args=[resource.public_id]), _("Open the practice")
    return reverse("resources:my-practices"), _("Open your practices")


def practice_decision(resource: Resource, *, reason: str) -> None:
    """Tell the submitter of a practice what the secretariat decided, and why."""
    user = resource.submitted_by
    if user is None or not user.is_active:
        return

    def compose() -> Message:
        body = _("Your practice “%(title)s” is now: %(state)s.") % {
            "title": resource.title,
            "state": resource.get_state_display(),
        }
        if reason:
            body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
        path, action = _link(resource)
        return Message(_subject(resource), body, path, action)

    deliver([Recipient(user.email, user.language, user.pk)], kind=Kind.DECISION, compose=compose)
