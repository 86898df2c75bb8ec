from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("imports/<uuid:pk>/", views.review, name="review"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
]
