from django.contrib import admin

from .models import Export, Metric, ReportRequest, Submission, Target


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "status", "deadline"]
    list_filter = ["status", "province"]
    inlines = [MetricInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["unit", "request", "status", "submitted_at", "is_late"]
    list_filter = ["status", "is_late"]


admin.site.register(Target)
admin.site.register(Export)
