from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("imports/<uuid:pk>/", views.review, name="review"),
    path("imports/<uuid:pk>/fields/", views.review_fields, name="review_fields"),
    path("imports/<uuid:pk>/mention/", views.review_mention, name="review_mention"),
    path("imports/<uuid:pk>/mention/add/", views.review_mention_add, name="review_mention_add"),
    path("imports/<uuid:pk>/mention/remove/", views.review_mention_remove, name="review_mention_remove"),
    path("imports/<uuid:pk>/confirm/", views.review_confirm, name="confirm"),
    path("imports/<uuid:pk>/discard/", views.review_discard, name="discard"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
]
