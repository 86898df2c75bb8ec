"""The audit log: the events the user may see (accounts.permissions.visible_audit_events),
newest first, filtered by object type, unit, date and object."""
from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from django.views.decorators.http import require_GET

from accounts.permissions import visible_audit_events, visible_units
from plans.templatetags.tracking_tags import object_type

EVENTS_PER_PAGE = 50
# The page of an object named in the log, by object type; types not listed get no link.
OBJECT_URLS = {"assignment": "plans:assignment", "submission": "reporting:submission",
               "reportrequest": "reporting:detail", "bannerspec": "monitoring:spec"}


class EventFilterForm(forms.Form):
    type = forms.ChoiceField(label=pgettext_lazy("audit object", "Đối tượng"), required=False)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, types=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Tất cả"))] + [(t, object_type(t)) for t in types]
        self.fields["unit"].choices = [("", _("Tất cả"))] + [(u.pk, u.name) for u in units]


def _object_url(event) -> str | None:
    name = OBJECT_URLS.get(event.object_type)
    if not name:
        return None
    try:
        return reverse(name, args=[event.object_id])
    except NoReverseMatch:
        return None


@require_GET
@login_required
def event_list(request):
    user = request.user
    events = visible_audit_events(user)
    types = sorted(events.order_by().values_list("object_type", flat=True).distinct())
    units = visible_units(user).filter(pk__in=events.order_by().values("unit_id")).order_by("name").only("id", "name")
    form = EventFilterForm(request.GET, types=types, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = events.select_related("unit", "actor").order_by("-at", "-id")
    if f.get("type"):
        qs = qs.filter(object_type=f["type"])
    if f.get("id"):
        qs = qs.filter(object_id=f["id"])
    if f.get("unit"):
        qs = qs.filter(unit_id=f["unit"])
    if f.get("since"):
        qs = qs.filter(at__date__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(at__date__lte=f["until"])
    page = Paginator(qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for e in page:
        e.url = _object_url(e)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})
