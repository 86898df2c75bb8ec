"""The short public link and the per-unit token link, at the site root because they are
printed in letters and typed by hand."""
from django.urls import path

from . import views

urlpatterns = [
    path("f/<str:slug>/", views.short_link, name="report_short"),
    path("t/<str:token>/", views.answer_token, name="report_token"),
    path("t/<str:token>/files/<int:file_id>/", views.token_file, name="report_token_file"),
]
