from django.contrib import admin

from .models import Export, Metric, ReportRequest, Submission, Target


class MetricInline(admin.TabularInline):
    """Editable only while the request is a draft, as in request_update: answers refer
    to the metrics."""

    model = Metric
    extra = 0

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == ReportRequest.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "status", "deadline"]
    list_filter = ["status", "province"]
    inlines = [MetricInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from .services import metrics_changed

        metrics_changed(form.instance)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["unit", "request", "status", "submitted_at", "is_late"]
    list_filter = ["status", "is_late"]


admin.site.register(Target)
admin.site.register(Export)
