"""Export routes, under /reports/exports/ (included by reporting/urls.py, app "reporting")."""
from django.urls import path

from . import views_exports as views

urlpatterns = [
    path("exports/request/<int:pk>/", views.export_list, name="export_list"),
    path("exports/request/<int:pk>/new/", views.export_create, name="export_create"),
    path("exports/plan/<int:pk>/reminder/", views.reminder_draft, name="reminder_draft"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
