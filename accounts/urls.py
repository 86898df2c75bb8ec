from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.http import require_http_methods

urlpatterns = [
    path(
        "login/",
        require_http_methods(["GET", "HEAD", "POST"])(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
