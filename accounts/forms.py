"""Forms of the account screens: they check input only; accounts.services does the work."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import valid_on_q

from .permissions import visible_units
from .services import PASSWORD_MAX, USERNAME_MAX


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Thư điện tử của người được mời"), max_length=254)
    units = forms.ModelMultipleChoiceField(
        label=_("Báo cáo cho đơn vị"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Giữ phím Ctrl để chọn nhiều đơn vị."),
    )

    def __init__(self, *args, officer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            visible_units(officer).filter(valid_on_q(timezone.localdate())).order_by("province_id", "name")
        )


class InviteAcceptForm(forms.Form):
    """A new account: username and password twice (the service runs the validators)."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=USERNAME_MAX)
    password1 = forms.CharField(label=_("Mật khẩu"), max_length=PASSWORD_MAX, strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), max_length=PASSWORD_MAX, strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        return cleaned
