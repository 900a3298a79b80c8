"""Reminders that a pledge's next progress report is due, and the secretariat's weekly digest.

When a report is due follows the overdue rule, read through `Pledge.objects.overdue` (the one
place that says which pledge is late): a pledge is reminded
- `REMINDER_DAYS_BEFORE_DUE` days before it becomes overdue (it is overdue on that later day,
  not today),
- on the day it becomes overdue,
- every `REMINDER_REPEAT_MONTHS` months while it stays overdue,
each at most once per pledge and cycle: the reminder's row is inserted first, and the unique
constraint (pledge, kind, cycle) refuses a second one, whether the job runs twice or two workers
run it at once. The e-mail goes out after the row commits. The weekly digest claims its week the
same way (`Digest`, unique per week).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import record_change
from notifications.delivery import Message, Recipient, deliver
from notifications.models import Kind
from pledges.models import Pledge, ReviewState, report_interval
from pledges.notifications import secretariat_recipients
from reports.selectors import reminder_contact, with_reminder_contact

from .models import Digest, Reminder, ReminderKind


class NotSent(Exception):
    """Nobody gets it (the contact opted out, no reviewer wants the digest): roll the claim
    back, nothing to record."""


@dataclass(frozen=True)
class Due:
    """A reminder to send: which pledge, which kind, for which cycle."""

    pledge: Pledge
    kind: str
    cycle_on: dt.date
    due_on: dt.date


def due_on(pledge: Any) -> dt.date:
    """The day the pledge's next report falls due (`last_report` annotated by the overdue
    rule's queryset): the last report plus the interval of the overdue rule."""
    last: dt.date = pledge.last_report
    return last + report_interval()


def _months_between(start: dt.date, end: dt.date) -> int:
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def due_reminders(*, on: dt.date) -> list[Due]:
    """The reminders the rule asks for on `on` (sent or not: the claim decides)."""
    found: list[Due] = []
    ahead = on + dt.timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE)
    late_today = Pledge.objects.overdue(on=on)
    if settings.REMINDER_DAYS_BEFORE_DUE > 0:
        soon = with_reminder_contact(
            Pledge.objects.overdue(on=ahead).exclude(pk__in=late_today.values("pk"))
        )
        found += [Due(p, ReminderKind.BEFORE_DUE, due_on(p), due_on(p)) for p in soon]
    repeat = settings.REMINDER_REPEAT_MONTHS
    for pledge in with_reminder_contact(late_today):
        due = due_on(pledge)
        months = _months_between(due, on)
        if repeat > 0 and months >= repeat:
            step = due + relativedelta(months=months - months % repeat)
            found.append(Due(pledge, ReminderKind.STILL_OVERDUE, step, due))
        else:
            found.append(Due(pledge, ReminderKind.OVERDUE, due, due))
    return found


def recipient_for(email: str) -> Recipient:
    """The contact's address, in the language of the account behind it (else the site's)."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return Recipient(email, settings.LANGUAGE_CODE, None)
    return Recipient(email, user.language, user.pk)


def compose_reminder(pledge: Pledge, *, kind: str, due: dt.date, name: str) -> Message:
    """The reminder in the active language."""
    values = {
        "ref": pledge.reference,
        "title": pledge.title,
        "entity": pledge.entity.name,
        "date": due.isoformat(),
        "months": settings.REPORTING_CYCLE_MONTHS,
    }
    subjects = {
        ReminderKind.BEFORE_DUE: _("Progress report on your pledge %(ref)s due by %(date)s"),
        ReminderKind.OVERDUE: _("The progress report on your pledge %(ref)s is overdue"),
        ReminderKind.STILL_OVERDUE: _(
            "Reminder: the progress report on your pledge %(ref)s is overdue since %(date)s"
        ),
        ReminderKind.MANUAL: _("The secretariat asks for a progress report on your pledge %(ref)s"),
    }
    greeting = _("Dear %(name)s,") % {"name": name} if name else _("Hello,")
    body = "\n\n".join(
        [
            greeting,
            _(
                "The pledge “%(title)s” (%(ref)s) of %(entity)s is due to report its progress "
                "by %(date)s. Published pledges report at least once every two reporting cycles "
                "of %(months)s months."
            )
            % values,
            _(
                "Reporting takes a few minutes: open the form, say where the pledge stands "
                "and save."
            ),
        ]
    )
    path = reverse("pledges:update-create", args=[pledge.reference])
    return Message(subjects[ReminderKind(kind)] % values, body, path, _("Report progress"))


def _send(item: Due, *, by: Any = None) -> Reminder | None:
    """Claim the reminder and send it; None when it was already sent or nobody gets it."""
    pledge = item.pledge
    contact = reminder_contact(pledge)
    if not contact.email:
        return None
    recipient = recipient_for(contact.email)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                pledge=pledge,
                kind=item.kind,
                cycle_on=item.cycle_on,
                due_on=item.due_on,
                sent_to=contact.email,
                sent_by=by,
            )
            sent = deliver(
                [recipient],
                kind=Kind.REMINDER,
                compose=lambda: compose_reminder(
                    pledge, kind=item.kind, due=item.due_on, name=contact.name
                ),
            )
            if not sent:
                raise NotSent
            # On the pledge's history (insiders only: `_public_audit` leaves reminders out).
            record_change(
                pledge,
                action=f"reminders.reminder.{item.kind}",
                by=by,
                reason=contact.email,
                data={"cycle": item.cycle_on.isoformat(), "to": contact.email},
            )
    except (IntegrityError, NotSent):
        return None
    return reminder


def send_due_reminders(*, on: dt.date | None = None) -> int:
    """Send every reminder due on `on` (today) not sent yet; returns how many went out."""
    on = on or timezone.localdate()
    due = due_reminders(on=on)
    # One read of the reminders already sent, so that a daily run over many overdue pledges
    # does not try (and fail) an insert for each; the unique constraint still decides.
    sent = set(
        Reminder.objects.filter(cycle_on__in={item.cycle_on for item in due}).values_list(
            "pledge_id", "kind", "cycle_on"
        )
    )
    return sum(
        _send(item) is not None
        for item in due
        if (item.pledge.pk, item.kind, item.cycle_on) not in sent
    )


def preview_reminder(pledge: Pledge) -> tuple[Recipient | None, Message | None]:
    """What "send a reminder now" would send, in the recipient's language."""
    found = with_reminder_contact(Pledge.objects.with_last_report().filter(pk=pledge.pk)).first()
    contact = reminder_contact(found) if found else None
    if found is None or contact is None or not contact.email:
        return None, None
    recipient = recipient_for(contact.email)
    with translation.override(recipient.language):
        message = compose_reminder(
            found, kind=ReminderKind.MANUAL, due=due_on(found), name=contact.name
        )
    return recipient, message


def send_reminder_now(*, pledge: Pledge, by: Any) -> Reminder:
    """The secretariat's "send a reminder now" (at most one a day per pledge)."""
    if pledge.review_state != ReviewState.PUBLISHED:
        raise ValidationError(_("Only published pledges are reminded to report."))
    found = with_reminder_contact(Pledge.objects.with_last_report().filter(pk=pledge.pk)).first()
    if found is None or not reminder_contact(found).email:
        raise ValidationError(_("Nobody can be reached for this pledge: it has no contact e-mail."))
    item = Due(found, ReminderKind.MANUAL, timezone.localdate(), due_on(found))
    reminder = _send(item, by=by)
    if reminder is None:
        raise ValidationError(
            _("A reminder was already sent today, or the contact opted out of reminders.")
        )
    return reminder


def overdue_by_entity(*, on: dt.date) -> list[tuple[str, int]]:
    """(entity name, overdue pledges) for every entity with one, most first."""
    rows = (
        Pledge.objects.overdue(on=on)
        .values("entity__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "entity__name")
    )
    return [(row["entity__name"], row["n"]) for row in rows]


def send_overdue_digest(*, on: dt.date | None = None) -> int:
    """The secretariat's weekly digest of overdue pledges by entity; returns e-mails sent."""
    on = on or timezone.localdate()
    rows = overdue_by_entity(on=on)
    if not rows:
        return 0
    total = sum(n for _name, n in rows)
    shown: Iterable[tuple[str, int]] = rows[:50]

    def compose() -> Message:
        subject = ngettext(
            "Weekly digest: %(n)d overdue pledge", "Weekly digest: %(n)d overdue pledges", total
        ) % {"n": total}
        lines = "\n".join(f"- {name}: {n}" for name, n in shown)
        body = _("Overdue pledges by entity on %(date)s:") % {"date": on.isoformat()}
        body += "\n\n" + lines
        if len(rows) > 50:
            more = len(rows) - 50
            body += "\n\n" + ngettext(
                "…and %(n)d more entity.", "…and %(n)d more entities.", more
            ) % {"n": more}
        path = reverse("reports:overdue-list")
        return Message(subject, body, path, _("Open the overdue list"))

    # Claim the week first (its Monday): a second run, or a concurrent one, hits the unique
    # week and sends nothing. Nobody to send to rolls the claim back.
    try:
        with transaction.atomic():
            claim = Digest.objects.create(
                week_of=on - dt.timedelta(days=on.weekday()), overdue=total, recipients=0
            )
            sent = deliver(secretariat_recipients(), kind=Kind.DIGEST, compose=compose)
            if not sent:
                raise NotSent
            claim.recipients = sent
            claim.save(update_fields=["recipients"])
    except (IntegrityError, NotSent):
        return 0
    return sent
