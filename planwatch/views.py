from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("plans:list")


@require_GET
@login_required
def search(request):
    """Plans, activities and units matching `q`, ignoring diacritics."""
    from plans.services import search_all

    q = request.GET.get("q", "").strip()[:200]  # a search phrase, not a document
    results = search_all(user=request.user, query=q) if q else None
    return render(request, "search.html", {"q": q, "results": results})
