"""Account screens: the officer's invitations page, the public page where an invited
reporter sets a password, and the personal calendar feed (page and .ics).

Login and logout are Django's own views (accounts/urls.py).
"""
from __future__ import annotations

import smtplib

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import InviteAcceptForm, InviteForm
from .models import Invite, User
from .permissions import visible_units

INVITES_SHOWN = 200


def _add_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """A service's ValidationError onto `form`: keyed messages on their field (renamed
    through `rename`), the rest on the form."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = rename.get(key, key)
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- Invitations (officers) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite_list(request):
    """The invitations and reporters of the officer's province, with the invite form."""
    user = request.user
    if not user.is_officer:
        raise PermissionDenied
    form = InviteForm(request.POST or None, officer=user)
    if request.method == "POST" and form.is_valid():
        try:
            invite, _token = services.invite_create(
                officer=user, email=form.cleaned_data["email"], units=form.cleaned_data["units"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except (smtplib.SMTPException, OSError):
            form.add_error(None, _("Không gửi được thư mời. Kiểm tra địa chỉ thư hoặc thử lại sau."))
        else:
            messages.success(request, _("Đã gửi thư mời tới %(email)s.") % {"email": invite.email})
            return redirect("invite_list")

    units = visible_units(user)
    invites = Invite.objects.select_related("invited_by", "user").prefetch_related("units")
    if user.province_id:
        invites = invites.filter(province_id=user.province_id)
    elif not user.is_superuser:
        invites = invites.none()
    now = timezone.now()
    invites = list(invites[:INVITES_SHOWN])
    for invite in invites:
        invite.state = services.invite_state(invite, now)
    reporters = (
        User.objects.filter(role=User.Role.REPORTER, units__in=units)
        .distinct()
        .order_by("username")
        .prefetch_related(Prefetch("units", queryset=units.order_by("name"), to_attr="shown_units"))
    )
    return render(request, "accounts/invite_list.html", {"form": form, "invites": invites, "reporters": reporters})


@login_required
@require_POST
def invite_revoke(request, pk: int):
    invite = get_object_or_404(Invite, pk=pk)
    if not request.user.can_edit_province(invite.province_id):
        if request.user.can_read_province(invite.province_id):
            raise PermissionDenied
        raise Http404  # another province's invite: not even its existence
    try:
        services.invite_revoke(officer=request.user, invite=invite)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thu hồi lời mời gửi %(email)s.") % {"email": invite.email})
    return redirect("invite_list")


# --- Accepting an invitation (public) -------------------------------------------------------

REFUSALS = {
    # unknown and revoked links read the same: the page must not tell which tokens exist
    "invalid": (404, gettext_lazy("Liên kết mời không hợp lệ hoặc đã bị thu hồi. Đề nghị liên hệ Sở để được mời lại.")),
    "expired": (410, gettext_lazy("Liên kết mời đã hết hạn. Đề nghị liên hệ Sở để được mời lại.")),
    "used": (410, gettext_lazy("Liên kết mời đã được sử dụng. Nếu đã có tài khoản, hãy đăng nhập.")),
}


def _refused(request, reason: str, message: str | None = None):
    status, text = REFUSALS.get(reason, (409, ""))
    return render(request, "accounts/invite_refused.html", {"message": message or text, "reason": reason}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invite_accept(request, token: str):
    """Set a username and password (new reporter), or confirm that the units are added
    to the reporter account the invited address already has."""
    try:
        invite, account = services.invite_check(token=token)
    except services.InviteError as exc:
        return _refused(request, exc.reason)
    except ValidationError as exc:
        return _refused(request, "conflict", " ".join(exc.messages))

    form = InviteAcceptForm(request.POST or None) if account is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                user = services.invite_accept(token=token)
            else:
                user = services.invite_accept(
                    token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
                )
        except services.InviteError as exc:
            return _refused(request, exc.reason)
        except ValidationError as exc:
            if form is None:
                return _refused(request, "conflict", " ".join(exc.messages))
            _add_errors(form, exc, rename={"password": "password1"})
        else:
            if form is None:
                messages.success(request, _("Đã thêm đơn vị vào tài khoản %(username)s. Mời đăng nhập.") % {
                    "username": user.username})
                return redirect("login")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Tài khoản %(username)s đã được tạo.") % {"username": user.username})
            return redirect("home")
    return render(request, "accounts/invite_accept.html", {
        "invite": invite, "account": account, "form": form, "units": invite.units.order_by("name"),
    })


# --- Calendar feed -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def calendar(request):
    """"Lịch của tôi": the private feed address, and the buttons that make a new one or
    turn it off."""
    token = services.calendar_token(request.user)
    url = services.calendar_url(token) if token else None
    webcal = "webcal" + url[url.index(":"):] if url else None
    return render(request, "accounts/calendar.html", {"url": url, "webcal": webcal})


@login_required
@require_POST
def calendar_rotate(request):
    had_link = bool(request.user.calendar_nonce)
    services.calendar_link_rotate(user=request.user)
    messages.success(request, _("Đã tạo liên kết mới; liên kết cũ không còn dùng được.") if had_link
                     else _("Đã bật lịch cá nhân."))
    return redirect("calendar")


@login_required
@require_POST
def calendar_disable(request):
    services.calendar_link_disable(user=request.user)
    messages.success(request, _("Đã tắt lịch cá nhân; liên kết cũ không còn dùng được."))
    return redirect("calendar")


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token: str):
    """The .ics a calendar application polls: no login, the token is the key."""
    user = services.calendar_feed_user(token=token)
    if user is None:
        raise Http404
    response = HttpResponse(services.calendar_feed(user=user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="planwatch.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
