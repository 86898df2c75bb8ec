from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from django.utils import timezone

from directory.models import Unit, UnitGroup, valid_on_q
from planwatch.lib.uploads import MAX_BYTES, UploadRejected, check_upload

from .models import Metric
from .services import MAX_FILES_PER_METRIC, Answer, MetricSpec, RequestData, clean_value


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    description = forms.CharField(label=_("Hướng dẫn cho đơn vị"), required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateTimeField(
        label=_("Hạn báo cáo trực tuyến"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    written_deadline = forms.DateField(label=_("Hạn gửi báo cáo bằng văn bản"), required=False,
                                       input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                       widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    remind_days = forms.IntegerField(label=_("Nhắc trước hạn (ngày)"), min_value=0, max_value=60, initial=3)
    units = forms.ModelMultipleChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 12}))
    groups = forms.ModelMultipleChoiceField(label=_("Nhóm đơn vị"), queryset=UnitGroup.objects.none(), required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, province_id: int, plan_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Units in force on the plan's date (those its assignments name) or today.
        in_force = valid_on_q(timezone.localdate()) | (valid_on_q(plan_date) if plan_date else Q(pk__in=[]))
        self.fields["units"].queryset = Unit.objects.filter(
            Q(province_id=province_id) | Q(province__isnull=True)).filter(in_force).order_by("kind", "name")
        self.fields["groups"].queryset = UnitGroup.objects.filter(
            Q(province_id=province_id) | Q(province__isnull=True)
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("units") and not data.get("groups"):
            raise forms.ValidationError(_("Chọn ít nhất một đơn vị hoặc một nhóm đơn vị."))
        return data

    def request_data(self, metrics: list[MetricSpec] | None) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            title=d["title"], description=d["description"], deadline=d["deadline"],
            written_deadline=d["written_deadline"], remind_days=d["remind_days"],
            unit_ids=[u.pk for u in d["units"]], group_ids=[g.pk for g in d["groups"]], metrics=metrics,
        )


class MetricForm(forms.Form):
    label = forms.CharField(label=_("Chỉ tiêu"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kiểu"), choices=Metric.Kind.choices, initial=Metric.Kind.COUNT)
    help = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False)
    activity = forms.TypedChoiceField(label=_("Hoạt động"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "—")] + [(a.pk, f"{a.ref} {a.title[:70]}") for a in activities]


class BaseMetricFormSet(forms.BaseFormSet):
    def specs(self) -> list[MetricSpec]:
        out = []
        for form in self.forms:
            d = getattr(form, "cleaned_data", None) or {}
            if d.get("label", "").strip():
                out.append(MetricSpec(label=d["label"], kind=d["kind"], help=d.get("help", ""),
                                      required=d.get("required", False), activity_id=d.get("activity")))
        return out


MetricFormSet = forms.formset_factory(MetricForm, formset=BaseMetricFormSet, extra=3, max_num=60, validate_max=True,
                                      absolute_max=60)


class AnswerForm(forms.Form):
    """One field per metric, named "m<pk>"; file metrics take several uploads."""

    def __init__(self, *args, metrics: list[Metric], submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        values = submission.values if submission else {}
        self.attach(submission)
        for m in metrics:
            name, initial = f"m{m.pk}", values.get(m.key)
            common = {"label": m.label, "help_text": m.help, "required": False}
            # Widgets go in as classes, their attributes set after: an instance would be
            # deep-copied by the field, and the deadline rush builds this form per answer.
            if m.kind == Metric.Kind.COUNT:
                field = forms.CharField(initial=initial, widget=forms.NumberInput, **common)
                field.widget.attrs["min"] = 0
            elif m.kind == Metric.Kind.BOOLEAN:
                field = forms.ChoiceField(choices=[("", "—"), ("yes", _("Có")), ("no", _("Không"))],
                                          initial={True: "yes", False: "no"}.get(initial, ""), **common)
            elif m.kind == Metric.Kind.DATE:
                field = forms.CharField(initial=initial, widget=forms.DateInput, **common)
                field.widget.input_type = "date"
            elif m.kind == Metric.Kind.TEXT:
                field = forms.CharField(initial=initial, widget=forms.Textarea, **common)
                field.widget.attrs["rows"] = 3
            elif m.kind == Metric.Kind.URLS:
                field = forms.CharField(initial="\n".join(initial or []), widget=forms.Textarea, **common)
                field.widget.attrs.update(rows=4, placeholder="https://…")
            else:
                field = MultipleFileField(**common)
            field.metric = m
            self.fields[name] = field

    def attach(self, submission) -> None:
        """Show the files already uploaded with `submission` (None: none)."""
        self.existing_files = {}
        if submission is not None:
            for f in submission.files.all():
                self.existing_files.setdefault(str(f.metric_id), []).append(f)

    def clean(self):
        data = super().clean()
        self.values: dict[str, object] = {}
        self.uploads: dict[str, list] = {}
        for m in self.metrics:
            name = f"m{m.pk}"
            if m.kind == Metric.Kind.FILE:
                uploads = [f for f in self.files.getlist(name) if f]
                if len(uploads) > MAX_FILES_PER_METRIC:
                    self.add_error(name, _("Tối đa %(n)d tệp.") % {"n": MAX_FILES_PER_METRIC})
                    continue
                checked = []
                for f in uploads:
                    if f.size > MAX_BYTES:
                        self.add_error(name, _("Tệp %(f)s lớn hơn 20 MB.") % {"f": f.name[:80]})
                        break
                    try:
                        checked.append((f.name, check_upload(f.read())))
                    except UploadRejected as e:
                        self.add_error(name, f"{f.name[:80]}: {e}")
                        break
                if checked:
                    self.uploads[m.key] = checked
                continue
            raw = data.get(name)
            value, error = clean_value(m, raw)
            if error:
                self.add_error(name, error)
            elif value is not None:
                self.values[m.key] = value
        return data

    def remove_ids(self) -> list[int]:
        return _remove_ids(self.data)


def _remove_ids(data) -> list[int]:
    return [int(v) for v in (data.getlist("remove_file") if hasattr(data, "getlist") else []) if str(v).isdigit()]


def answer_from_post(data, metrics: list[Metric]) -> Answer:
    """The answer in a post without uploads, values as posted: what AnswerForm would give
    before clean_value, which submission_save applies itself."""
    return Answer(values={m.key: data.get(f"m{m.pk}") for m in metrics if m.kind != Metric.Kind.FILE},
                  remove_file_ids=_remove_ids(data))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploads in one field (Django's documented recipe); the content checks
    happen in AnswerForm.clean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return super().clean(data, initial)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Duyệt")), ("return", _("Trả lại"))])
    comment = forms.CharField(label=_("Ý kiến"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))
