"""{% banner_compliance assignment %}: the unit's banner status and last evidence for
the banner specs of the assignment's plan (used on the assignment page). The page has
already checked that the user may see the assignment, and this shows its unit only.

{{ url|http_link }}: `url` when it is an absolute http(s) URL, else "" — what a
template may put in an href (an address a checked site wrote, such as a
"javascript:" Location, is shown as text only)."""
from __future__ import annotations

from django import template

from monitoring.models import SiteState
from planwatch.lib.http import http_url

register = template.Library()


@register.inclusion_tag("monitoring/_compliance.html")
def banner_compliance(assignment) -> dict:
    states = (SiteState.objects.filter(spec__plan_id=assignment.activity.plan_id, unit_id=assignment.unit_id)
              .select_related("spec", "website", "last_check").order_by("spec__name", "website__url"))
    return {"states": list(states)}


@register.filter
def http_link(url) -> str:
    url = str(url or "").strip()
    return url if http_url(url) else ""
