from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.spec_new, name="spec_new"),
    path("<int:pk>/", views.spec_detail, name="spec"),
    path("<int:pk>/edit/", views.spec_edit, name="spec_edit"),
    path("<int:pk>/image/", views.spec_image, name="spec_image"),
    path("<int:pk>/check/", views.check_now, name="check_now"),
    path("<int:pk>/site/<int:website_pk>/", views.site_history, name="site"),
    path("<int:pk>/site/<int:website_pk>/page/", views.site_page, name="site_page"),
    path("checks/<int:pk>/screenshot.jpg", views.screenshot, name="screenshot"),
]
