"""Reminder emails about report requests and assignments. `reminders_send` is the job:
the hourly queue task (reporting.tasks.reminders_send_task) and `manage.py
sendreminders` only call it.

Who is reminded of what:
- an open report request, for each target unit that has not sent its answer (no
  submission, a draft, or one returned for correction): every active reporter of the
  unit who has an email address, from `remind_days` days before the deadline until it
  passes (once), and once after it has passed;
- an assignment that is neither done nor declared not done, of a plan that has no newer
  version: the unit's reporters, from REMINDER_DAYS days before its due date (`due`,
  else the end of its window) until that day (once), and once after it.
Overdue reminders stop OVERDUE_WINDOW_DAYS after the deadline. Each person gets one
email per run, listing everything due for them.

Links: a reporter is sent the request's short link, which they open logged in. The
per-unit token link is never mailed here: it exists for units without accounts, which
have nobody to email and receive it in the officer's reminder letter (with its QR
code); mailing it to account holders would only put a login-free key in more inboxes.

At most once: each (kind, target or assignment, person, due date) is a Reminder row
under a unique constraint. For each person one transaction inserts the rows, sends the
email and commits. An insert that collides means another run has (or is sending) that
reminder, and the item is dropped; the insert waits for the other run's transaction
(its row lock on PostgreSQL, the write lock on SQLite), so it sees the outcome. A
failed send rolls the rows back and the next run tries again. The one gap left is a
crash after the SMTP server accepted the email and before the commit: that email can
go out twice.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import email_message, mail_connection, site_url
from plans.models import Assignment

from .models import Reminder, ReportRequest, Submission, Target

log = logging.getLogger(__name__)

REMINDER_DAYS_DEFAULT = 3
# A reporter added months later, or a fresh deployment, must not be mailed about
# deadlines long past; the officer's reminder letter covers those.
OVERDUE_WINDOW_DAYS = 30

# A refusal of this one email (ValueError: an address Django cannot write in a header);
# any other error means the server is unusable for now, and the run stops rather than
# wait on it once per person.
_ONE_EMAIL_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError)


@dataclass(frozen=True)
class Item:
    """One thing to remind one unit of."""

    kind: str  # Reminder.Kind
    due: dt.date
    unit_id: int
    unit: str
    title: str
    plan: str
    url: str
    target_id: int | None = None
    assignment_id: int | None = None
    deadline: dt.datetime | None = None  # report requests: the exact moment

    @property
    def key(self) -> tuple:
        return (self.kind, self.target_id, self.assignment_id, self.due)


@dataclass
class ReminderResult:
    emails: int = 0  # emails sent (one per person); with dry_run, emails that would be
    reminders: int = 0  # reminders recorded (one per item and person)
    failed: int = 0  # people whose email could not be sent; the next run retries them
    taken: int = 0  # reminders another run recorded first (two consumers at once)
    dry_run: bool = False


def _request_items(now: dt.datetime) -> list[Item]:
    today = timezone.localdate(now)
    sent = Submission.objects.filter(
        request=OuterRef("request"), unit=OuterRef("unit"),
        status__in=[Submission.Status.SUBMITTED, Submission.Status.APPROVED],
    )
    targets = (
        Target.objects.filter(
            request__status=ReportRequest.Status.OPEN,
            request__deadline__gt=now - dt.timedelta(days=OVERDUE_WINDOW_DAYS),
        )
        .exclude(Exists(sent))
        .select_related("request__plan", "unit")
        .order_by("pk")
    )
    items = []
    for target in targets:
        request = target.request
        day = timezone.localdate(request.deadline)
        if request.is_past_deadline(now):
            kind = Reminder.Kind.OVERDUE
        elif today >= day - dt.timedelta(days=request.remind_days):
            kind = Reminder.Kind.BEFORE
        else:
            continue
        items.append(Item(
            kind=kind, due=day, unit_id=target.unit_id, unit=target.unit.display_name, title=request.title,
            plan=str(request.plan), url=site_url(f"/f/{request.slug}/"), target_id=target.pk,
            deadline=request.deadline,
        ))
    return items


def _assignment_items(now: dt.datetime) -> list[Item]:
    today = timezone.localdate(now)
    days = getattr(settings, "REMINDER_DAYS", REMINDER_DAYS_DEFAULT)
    assignments = (
        Assignment.objects.annotate(when=Coalesce("due", "end"))
        .filter(
            when__gte=today - dt.timedelta(days=OVERDUE_WINDOW_DAYS),
            when__lte=today + dt.timedelta(days=days),
            status__in=[Assignment.Status.NOT_STARTED, Assignment.Status.IN_PROGRESS],
            activity__plan__next_versions__isnull=True,
        )
        .select_related("activity__plan", "unit")
        .order_by("pk")
    )
    return [
        Item(
            kind=Reminder.Kind.OVERDUE if a.when < today else Reminder.Kind.BEFORE,
            due=a.when, unit_id=a.unit_id, unit=a.unit.display_name, title=a.activity.title,
            plan=str(a.activity.plan), url=site_url(reverse("plans:assignment", args=[a.pk])),
            assignment_id=a.pk,
        )
        for a in assignments
    ]


def _recipients(unit_ids: set[int]) -> dict[int, list[User]]:
    """unit id → its active reporters who have an email address."""
    links = (
        User.units.through.objects.filter(
            unit_id__in=unit_ids, user__role=User.Role.REPORTER, user__is_active=True, user__is_superuser=False
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    by_unit: dict[int, list[User]] = {}
    for link in links:
        by_unit.setdefault(link.unit_id, []).append(link.user)
    return by_unit


def _already_sent(items: list[Item]) -> set[tuple]:
    """(kind, target_id, assignment_id, due, user_id) of the reminders on record."""
    target_ids = {i.target_id for i in items if i.target_id}
    assignment_ids = {i.assignment_id for i in items if i.assignment_id}
    rows = Reminder.objects.filter(target_id__in=target_ids) | Reminder.objects.filter(assignment_id__in=assignment_ids)
    return set(rows.values_list("kind", "target_id", "assignment_id", "due", "user_id"))


def reminders_due(*, now: dt.datetime | None = None) -> list[tuple[User, list[Item]]]:
    """Who is to be reminded of what at `now`, leaving out what is on record as sent:
    (person, items) pairs in a stable order (by person, then kind, due date and row)."""
    now = now or timezone.now()
    items = _request_items(now) + _assignment_items(now)
    if not items:
        return []
    recipients = _recipients({i.unit_id for i in items})
    sent = _already_sent(items)
    people: dict[int, tuple[User, list[Item]]] = {}
    for item in items:
        for user in recipients.get(item.unit_id, []):
            if (*item.key, user.pk) not in sent:
                people.setdefault(user.pk, (user, []))[1].append(item)
    order = lambda i: (i.kind != Reminder.Kind.OVERDUE, i.due, i.target_id or 0, i.assignment_id or 0)  # noqa: E731
    return [(user, sorted(found, key=order)) for _, (user, found) in sorted(people.items())]


def _claim(item: Item, user: User, now: dt.datetime) -> bool:
    """Record the reminder; False when another run already recorded it."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                kind=item.kind, target_id=item.target_id, assignment_id=item.assignment_id,
                user=user, due=item.due, sent_at=now,
            )
    except IntegrityError:
        return False
    return True


def _message(user: User, items: list[Item], connection):
    overdue = [i for i in items if i.kind == Reminder.Kind.OVERDUE]
    before = [i for i in items if i.kind == Reminder.Kind.BEFORE]
    return email_message(
        template="reporting/email/reminder",
        context={
            "user": user, "overdue": overdue, "before": before, "site_url": settings.SITE_URL,
            "calendar_url": site_url(reverse("calendar")),
        },
        to=[user.email],
        connection=connection,
    )


def reminders_send(*, now: dt.datetime | None = None, dry_run: bool = False) -> ReminderResult:
    """Email every reminder due at `now` (default: the current time) and record it.

    With `dry_run`, counts what would be sent and sends and records nothing. An email
    the server refuses is counted in `failed` and leaves no record; any other mail error
    (server down, disconnected) stops the run and counts everyone left as failed. Safe
    to run twice at once (see the module docstring)."""
    now = now or timezone.now()
    due = reminders_due(now=now)
    result = ReminderResult(dry_run=dry_run)
    if dry_run:
        result.emails = len(due)
        result.reminders = sum(len(items) for _, items in due)
        return result
    if not due:
        return result
    connection = mail_connection()
    try:
        for n, (user, items) in enumerate(due):
            try:
                connection.open()  # connects once, outside any transaction; later calls find it open
                with transaction.atomic():
                    claimed = [item for item in items if _claim(item, user, now)]
                    result.taken += len(items) - len(claimed)
                    if not claimed:
                        continue
                    if _message(user, claimed, connection).send() != 1:
                        raise smtplib.SMTPException("the backend sent nothing")
            except _ONE_EMAIL_ERRORS as exc:
                log.warning("reminders: email to user %s refused: %s", user.pk, exc)
                result.failed += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                log.error("reminders: mail server unusable, %s people left for the next run: %s", len(due) - n, exc)
                result.failed += len(due) - n
                break
            result.emails += 1
            result.reminders += len(claimed)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide the counts
            log.debug("reminders: closing the mail connection failed", exc_info=True)
    return result
