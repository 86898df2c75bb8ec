"""Forms of the banner screens: input checks only; services do the work."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LINES_HELP = _("Mỗi dòng một mục.")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SpecForm(forms.Form):
    name = forms.CharField(label=_("Tên"), max_length=200)
    plan = forms.TypedChoiceField(label=_("Kế hoạch"), required=False, coerce=int, empty_value=None)
    targets = forms.CharField(label=_("Địa chỉ đích (URL hoặc tiền tố)"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=LINES_HELP)
    keywords = forms.CharField(label=_("Từ khóa trong alt/title"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), help_text=LINES_HELP)
    interval_minutes = forms.IntegerField(label=_("Chu kỳ kiểm tra (phút)"), min_value=5, max_value=60 * 24 * 30)
    peak_interval_minutes = forms.IntegerField(label=_("Chu kỳ trong đợt cao điểm (phút)"), min_value=5,
                                               max_value=60 * 24 * 30)
    obey_robots = forms.BooleanField(label=_("Tuân theo robots.txt"), required=False)
    render_js = forms.BooleanField(label=_("Dựng trang bằng trình duyệt khi HTML tĩnh trống"), required=False)
    active = forms.BooleanField(label=_("Đang theo dõi"), required=False)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "—")] + [(p.pk, f"{p.number} {p.title[:80]}".strip()) for p in plans]

    def clean_targets(self) -> list[str]:
        targets = _lines(self.cleaned_data["targets"])
        if not targets:
            raise forms.ValidationError(_("Cần ít nhất một địa chỉ đích."))
        return targets

    def clean_keywords(self) -> list[str]:
        return _lines(self.cleaned_data["keywords"])


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Ảnh banner mẫu"))


class SitePageForm(forms.Form):
    """Which page of one website a spec checks; services.site_spec_save validates the URL."""

    page_url = forms.CharField(label=_("Trang cần kiểm tra"), max_length=500, required=False,
                               widget=forms.URLInput(attrs={"size": 70, "placeholder": "https://"}),
                               help_text=_("Để trống để kiểm tra trang chủ."))
    enabled = forms.BooleanField(label=_("Kiểm tra trang web này"), required=False)
