from django.urls import include, path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/status/", views.request_status, name="status"),
    path("<int:pk>/qr.<str:fmt>", views.request_qr, name="qr"),
    path("<int:pk>/targets/<int:target_id>/token/", views.target_token, name="target_token"),
    path("<int:pk>/units/<int:unit_id>/", views.answer_unit, name="answer"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("files/<int:file_id>/", views.submission_file, name="file"),
    path("", include("reporting.urls_exports")),
]
