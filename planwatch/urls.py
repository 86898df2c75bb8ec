from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views
from .api import api

urlpatterns = [
    # first: a deadline brings every unit's answer to these at once (bench/rush.py)
    path("", include("reporting.urls_public")),
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("accounts/", include("accounts.urls")),
    path("directory/", include("directory.urls")),
    path("plans/", include("plans.urls")),
    path("reports/", include("reporting.urls")),
    path("audit/", include("audit.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
