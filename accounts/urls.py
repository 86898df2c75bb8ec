from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.views.decorators.http import require_http_methods

from . import views

urlpatterns = [
    path(
        "login/",
        require_http_methods(["GET", "HEAD", "POST"])(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invites/", views.invite_list, name="invite_list"),
    path("invites/<int:pk>/revoke/", views.invite_revoke, name="invite_revoke"),
    # the token is what invite_create puts in the email (secrets.token_urlsafe)
    path("invite/<str:token>/", views.invite_accept, name="invite_accept"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new-link/", views.calendar_rotate, name="calendar_rotate"),
    path("calendar/off/", views.calendar_disable, name="calendar_disable"),
    # planwatch.lib.tokens: "<user id>.<32 url-safe characters>"
    re_path(r"^calendar/(?P<token>[0-9]{1,12}\.[A-Za-z0-9_-]{32})\.ics$", views.calendar_feed, name="calendar_feed"),
]
