"""Account services: API tokens, invitations of unit reporters, personal calendar feeds,
and the one helper that builds the project's emails (used by reporting.reminders)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.models import Unit
from planwatch.lib import tokens

from .models import ApiToken, Invite, User
from .permissions import visible_units


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def site_url(path: str) -> str:
    """The absolute address of `path` ("/accounts/…") on SITE_URL."""
    return settings.SITE_URL.rstrip("/") + path


# --- API tokens ---------------------------------------------------------------------------


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text (shown once, never stored)."""
    token = "pw_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name[:100] or "api", digest=_digest(token), prefix=token[3:11])
    return row, token


def api_token_user(*, token: str) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, or inactive user)."""
    if not token or len(token) > 200:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def api_token_revoke(*, token_row: ApiToken) -> None:
    ApiToken.objects.filter(pk=token_row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Mail -------------------------------------------------------------------------------

# Mail is sent inside the transaction that records it. Without a timeout a hung mail
# server would hold that transaction (on SQLite, the write lock) for as long as the TCP
# stack waits; below SQLite's busy timeout (10 s), the send fails before other writers
# give up waiting.
DEFAULT_EMAIL_TIMEOUT = 8


def mail_connection():
    """A connection of the configured email backend, with a timeout."""
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT)


def email_message(*, template: str, context: dict, to: list[str], connection=None) -> EmailMultiAlternatives:
    """A plain-text email with an HTML alternative, from `<template>_subject.txt`,
    `<template>.txt` and `<template>.html`, rendered in the site's language (mail is
    sent outside any request, often by the queue consumer)."""
    with translation.override(settings.LANGUAGE_CODE):
        # a header is one line: whatever a unit name or title holds, never a new header
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, connection=connection)
    message.attach_alternative(html, "text/html")
    return message


# --- Invitations ----------------------------------------------------------------------------

INVITE_DAYS_DEFAULT = 7
INVITE_TOKEN_MAX = 100  # longer strings are not ours; they are refused before hashing
USERNAME_MAX = 150
PASSWORD_MAX = 256  # Argon2 hashes anything, but a megabyte password only costs us time


class InviteError(Exception):
    """An invite link that cannot be used. `reason` is "invalid" (unknown or revoked: the
    holder cannot tell the two apart), "expired" or "used"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invite_url(token: str) -> str:
    return site_url(reverse("invite_accept", args=[token]))


def invite_state(invite: Invite, now: dt.datetime | None = None) -> str:
    """"accepted", "revoked", "expired" or "pending"."""
    if invite.accepted_at:
        return "accepted"
    if invite.revoked_at:
        return "revoked"
    if (now or timezone.now()) >= invite.expires_at:
        return "expired"
    return "pending"


def _clean_email(email: str) -> str:
    """The address, trimmed and with its domain in lower case; ValidationError when it is
    not one address (a line break would let it smuggle headers such as Bcc)."""
    email = (email or "").strip()
    if not email or len(email) > 254 or any(ord(c) < 32 or ord(c) == 127 for c in email):
        raise ValidationError({"email": [_("Địa chỉ thư điện tử không hợp lệ.")]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Địa chỉ thư điện tử không hợp lệ.")]}) from None
    return User.objects.normalize_email(email)


def _account_for(email: str) -> User | None:
    """The reporter who already owns `email`, or None when no account has it.
    ValidationError when the address belongs to someone an invite must not change: an
    officer, a leader, a superuser, a locked account, or several accounts."""
    users = list(User.objects.filter(email__iexact=email)[:2])
    if not users:
        return None
    if len(users) > 1:
        raise ValidationError(_("Địa chỉ thư này thuộc nhiều tài khoản; đề nghị liên hệ quản trị hệ thống."))
    user = users[0]
    if not user.is_reporter:
        raise ValidationError(_("Địa chỉ thư này thuộc tài khoản cán bộ Sở hoặc lãnh đạo, không thể mời làm cán bộ đơn vị."))
    if not user.is_active:
        raise ValidationError(_("Tài khoản của địa chỉ thư này đã bị khóa; đề nghị liên hệ Sở."))
    return user


def invite_create(*, officer: User, email: str, units: Iterable[Unit]) -> tuple[Invite, str]:
    """Invite `email` to report for `units`, and email the one-time link.

    Returns the invite and the token of its link (only the token's SHA-256 is stored).
    Raises PermissionDenied when `officer` is not an officer or a unit is outside the
    units they see (their province's, and units with no province); ValidationError for
    a bad address, no unit, or an address that belongs to an officer, leader or locked
    account. The row is written and the mail sent in one transaction: when the mail
    cannot be sent (smtplib.SMTPException or OSError propagate), no invite remains.
    """
    if not officer.is_authenticated or not officer.is_officer:
        raise PermissionDenied
    email = _clean_email(email)
    units = list(units)
    if not units:
        raise ValidationError({"units": [_("Chọn ít nhất một đơn vị.")]})
    ids = {u.pk for u in units}
    if visible_units(officer).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied
    province_id = officer.province_id
    if province_id is None:  # a superuser without a province: the units' own province
        provinces = {u.province_id for u in units} - {None}
        if len(provinces) != 1:
            raise ValidationError({"units": [_("Các đơn vị phải thuộc cùng một tỉnh.")]})
        province_id = provinces.pop()
    _account_for(email)

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    days = getattr(settings, "INVITE_DAYS", INVITE_DAYS_DEFAULT)
    with transaction.atomic():
        invite = Invite.objects.create(
            email=email, province_id=province_id, invited_by=officer, digest=_digest(token),
            expires_at=now + dt.timedelta(days=days),
        )
        invite.units.set(units)
        message = email_message(
            template="accounts/email/invite",
            context={
                "invite": invite, "officer": officer, "units": sorted(units, key=lambda u: u.name),
                "url": invite_url(token), "days": days, "site_url": settings.SITE_URL,
            },
            to=[email],
            connection=mail_connection(),
        )
        message.send()
    return invite, token


def _invite_usable(invite: Invite | None, now: dt.datetime) -> Invite:
    state = invite_state(invite, now) if invite is not None else "revoked"
    if state == "revoked":
        raise InviteError("invalid")
    if state == "accepted":
        raise InviteError("used")
    if state == "expired":
        raise InviteError("expired")
    return invite


def invite_check(*, token: str) -> tuple[Invite, User | None]:
    """The invite a link carries and, when its address already has a reporter account,
    that account (accepting then adds the units to it). Raises InviteError when the link
    cannot be used, and ValidationError when the address belongs to an account an
    invite must not change."""
    if not token or len(token) > INVITE_TOKEN_MAX:
        raise InviteError("invalid")
    invite = Invite.objects.select_related("province").filter(digest=_digest(token)).first()
    invite = _invite_usable(invite, timezone.now())
    return invite, _account_for(invite.email)


def _new_reporter(*, invite: Invite, username: str, password: str) -> User:
    username = (username or "").strip()
    password = password or ""
    errors: dict[str, list] = {}
    if not username:
        errors["username"] = [_("Nhập tên đăng nhập.")]
    elif len(username) > USERNAME_MAX:
        errors["username"] = [_("Tên đăng nhập dài quá %(n)s ký tự.") % {"n": USERNAME_MAX}]
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            errors["username"] = [_("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _.")]
        else:
            # case-insensitive: "NguyenVanA" and "nguyenvana" would be one person to a human
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = [_("Tên đăng nhập này đã có người dùng; hãy chọn tên khác.")]
    if len(password) > PASSWORD_MAX:
        errors["password"] = [_("Mật khẩu dài quá %(n)s ký tự.") % {"n": PASSWORD_MAX}]
    else:
        try:
            validate_password(password, user=User(username=username, email=invite.email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username, email=invite.email, password=password,
                role=User.Role.REPORTER, province_id=invite.province_id,
            )
    except IntegrityError:  # taken between the check and the insert
        raise ValidationError({"username": [_("Tên đăng nhập này đã có người dùng; hãy chọn tên khác.")]}) from None


def invite_accept(*, token: str, username: str = "", password: str = "") -> User:
    """Accept the invite whose link carries `token` and return the reporter.

    When the invited address has no account, creates a reporter `username` with
    `password` (checked by Django's password validators), the invite's province and its
    units. When it already belongs to a reporter, adds the units to that person
    (`username` and `password` are then not used). Marks the invite accepted; all in
    one transaction. Raises InviteError when the link cannot be used, ValidationError
    (keyed by field where there is one) for a taken or malformed username, a weak
    password, or an address that belongs to an account an invite must not change.
    """
    if not token or len(token) > INVITE_TOKEN_MAX:
        raise InviteError("invalid")
    now = timezone.now()
    with transaction.atomic():
        # the row lock makes a second, concurrent acceptance wait and then see "used"
        invite = Invite.objects.select_for_update().filter(digest=_digest(token)).first()
        invite = _invite_usable(invite, now)
        user = _account_for(invite.email)
        if user is None:
            user = _new_reporter(invite=invite, username=username, password=password)
        elif user.province_id is None:
            user.province_id = invite.province_id
            user.save(update_fields=["province"])
        user.units.add(*invite.units.all())
        invite.accepted_at = now
        invite.user = user
        invite.save(update_fields=["accepted_at", "user"])
    return user


def invite_revoke(*, officer: User, invite: Invite) -> None:
    """Make a pending invite's link unusable. Raises PermissionDenied unless `officer`
    edits the invite's province, ValidationError when it was already accepted."""
    if not officer.is_authenticated or not officer.can_edit_province(invite.province_id):
        raise PermissionDenied
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.accepted_at:
            raise ValidationError(_("Lời mời đã được chấp nhận, không thể thu hồi."))
        if invite.revoked_at is None:
            invite.revoked_at = timezone.now()
            invite.save(update_fields=["revoked_at"])


# --- Calendar feeds ---------------------------------------------------------------------------

CALENDAR_PURPOSE = "calendar"
# A feed holds deadlines from this many days back to this many days ahead: enough to
# plan with, and a bounded answer for a client that polls every hour.
CALENDAR_PAST_DAYS = 92
CALENDAR_FUTURE_DAYS = 366
CALENDAR_MAX_EVENTS = 2000


def calendar_token(user: User) -> str | None:
    """The user's current feed token, or None while the feed is off."""
    return tokens.make(CALENDAR_PURPOSE, user.pk, user.calendar_nonce) if user.calendar_nonce else None


def calendar_url(token: str) -> str:
    return site_url(reverse("calendar_feed", args=[token]))


def calendar_link_rotate(*, user: User) -> str:
    """Turn the feed on with a new link (the previous one stops working); returns the token."""
    user.calendar_nonce = tokens.new_nonce()
    user.save(update_fields=["calendar_nonce"])
    return calendar_token(user)


def calendar_link_disable(*, user: User) -> None:
    user.calendar_nonce = ""
    user.save(update_fields=["calendar_nonce"])


def calendar_feed_user(*, token: str) -> User | None:
    """The active user whose current feed token is `token`, or None."""
    pk = tokens.split(token or "")
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not tokens.check(CALENDAR_PURPOSE, token, user.pk, user.calendar_nonce):
        return None
    return user


def _event(*, uid: str, day: dt.date, summary: str, description: str, url: str, stamp: dt.datetime):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date: an all-day event
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a deadline does not make the person busy
    return event


def _short(text: str, limit: int = 150) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _assignment_events(user: User, lo: dt.date, hi: dt.date, host: str) -> list:
    from plans.models import Assignment

    rows = (
        Assignment.objects.filter(unit__in=user.units.all())
        .filter(Q(due__range=(lo, hi)) | Q(due__isnull=True, end__range=(lo, hi)))
        .select_related("activity__plan", "unit")
        .order_by("due", "end", "pk")[:CALENDAR_MAX_EVENTS]
    )
    events = []
    for a in rows:
        url = site_url(reverse("plans:assignment", args=[a.pk]))
        events.append(_event(
            uid=f"assignment-{a.pk}@{host}",
            day=a.due or a.end,
            summary=(_("Đã xong: %(activity)s (%(unit)s)") if a.is_closed else _("Hạn: %(activity)s (%(unit)s)"))
            % {"activity": _short(a.activity.title), "unit": a.unit.display_name},
            description="\n".join([
                _("Kế hoạch: %(plan)s") % {"plan": _short(str(a.activity.plan), 300)},
                _("Đơn vị: %(unit)s (%(role)s)") % {"unit": a.unit.name, "role": a.get_role_display()},
                _("Trạng thái: %(status)s") % {"status": a.get_status_display()},
                url,
            ]),
            url=url,
            stamp=a.updated_at,
        ))
    return events


def _request_events(requests, lo: dt.date, hi: dt.date, host: str) -> list:
    from reporting.models import ReportRequest

    events = []
    rows = (
        requests.filter(status__in=[ReportRequest.Status.OPEN, ReportRequest.Status.CLOSED])
        .filter(Q(deadline__date__range=(lo, hi)) | Q(written_deadline__range=(lo, hi)))
        .select_related("plan")
        .distinct()
        .order_by("deadline", "pk")[:CALENDAR_MAX_EVENTS]
    )
    for r in rows:
        # the short link: it leads each person (and token holders) to their own form
        url = site_url(f"/f/{r.slug}/")
        plan = _("Kế hoạch: %(plan)s") % {"plan": _short(str(r.plan), 300)}
        deadline = timezone.localtime(r.deadline)
        if lo <= deadline.date() <= hi:
            events.append(_event(
                uid=f"request-{r.pk}-online@{host}",
                day=deadline.date(),
                summary=_("Hạn báo cáo trực tuyến %(time)s: %(title)s")
                % {"time": deadline.strftime("%H:%M"), "title": _short(r.title)},
                description="\n".join([plan, url]),
                url=url,
                stamp=r.created_at,
            ))
        if r.written_deadline and lo <= r.written_deadline <= hi:
            events.append(_event(
                uid=f"request-{r.pk}-written@{host}",
                day=r.written_deadline,
                summary=_("Hạn gửi báo cáo bằng văn bản: %(title)s") % {"title": _short(r.title)},
                description="\n".join([plan, url]),
                url=url,
                stamp=r.created_at,
            ))
    return events


def calendar_feed(*, user: User, today: dt.date | None = None) -> bytes:
    """The user's deadlines as an iCalendar document (all-day events, stable UIDs), from
    CALENDAR_PAST_DAYS ago to CALENDAR_FUTURE_DAYS ahead of `today`.

    A reporter gets their units' assignments and the report requests addressed to their
    units; an officer or leader (or a superuser with a province) the report requests of
    their province: the online deadline and the written report's deadline.
    """
    from reporting.models import ReportRequest

    today = today or timezone.localdate()
    lo, hi = today - dt.timedelta(days=CALENDAR_PAST_DAYS), today + dt.timedelta(days=CALENDAR_FUTURE_DAYS)
    host = urlsplit(settings.SITE_URL).hostname or "planwatch"
    with translation.override(settings.LANGUAGE_CODE):  # the calendar client sends no useful language
        cal = icalendar.Calendar()
        cal.add("prodid", "-//planwatch//lich-han//VI")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("Hạn công việc – %(name)s") % {"name": user.get_full_name() or user.username})
        cal.add("x-published-ttl", "PT1H")
        if user.is_reporter:
            events = _assignment_events(user, lo, hi, host)
            requests = ReportRequest.objects.filter(targets__unit__in=user.units.all())
            events += _request_events(requests, lo, hi, host)
        elif user.role in (User.Role.OFFICER, User.Role.LEADER) or user.is_superuser:
            requests = ReportRequest.objects.filter(province_id=user.province_id) if user.province_id else ReportRequest.objects.none()
            events = _request_events(requests, lo, hi, host)
        else:
            events = []
        for event in events:
            cal.add_component(event)
    return cal.to_ical()
