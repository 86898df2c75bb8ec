from django.urls import path

from . import views, views_tracking

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
    # tracking (plans.views_tracking)
    path("<int:pk>/matrix/", views_tracking.matrix, name="matrix"),
    path("<int:pk>/progress.svg", views_tracking.progress_chart, name="progress_chart"),
    path("overdue/", views_tracking.overdue, name="overdue"),
    path("my-work/", views_tracking.my_work, name="my_work"),
    path("assignments/<int:pk>/", views_tracking.assignment_detail, name="assignment"),
    *(path(f"assignments/<int:pk>/{name}/", views_tracking.assignment_action, {"action": name},
           name=f"assignment_{name}") for name in views_tracking.ACTIONS),
    path("evidence/<int:pk>/file/", views_tracking.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/remove/", views_tracking.evidence_remove, name="evidence_remove"),
]
