from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("import/", views.unit_import, name="import"),
    path("export/", views.unit_export, name="export"),
]
