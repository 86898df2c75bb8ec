from django.contrib import admin

from .models import Activity, Assignment, Mention, Plan, PlanImport, PlanPeriod


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    # imports are created by the upload page and the importplan command, never by hand
    list_display = ("filename", "province", "status", "uploaded_by", "created_at", "plan")
    list_filter = ("status", "province")
    search_fields = ("filename", "sha256")
    readonly_fields = ("sha256", "size", "parsed", "review", "created_at")
    raw_id_fields = ("plan", "uploaded_by")

    def has_add_permission(self, request):
        return False


class PlanPeriodInline(admin.TabularInline):
    model = PlanPeriod
    extra = 0


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("position", "ref", "title", "start", "end", "deadline")
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "province", "date", "version", "is_demo")
    list_filter = ("province", "kind", "is_demo")
    search_fields = ("number", "title", "issuer")
    date_hierarchy = "date"
    raw_id_fields = ("previous", "issuer_unit", "created_by")
    readonly_fields = ("sha256", "created_at")
    inlines = [PlanPeriodInline, ActivityInline]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    fields = ("role", "text", "status", "unit", "group", "method")
    raw_id_fields = ("unit", "group")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("unit", "role", "start", "end", "due", "status", "via_group")
    raw_id_fields = ("unit", "via_group", "mention")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "plan", "start", "end", "deadline")
    list_filter = ("plan__province",)
    search_fields = ("ref", "title", "plan__number")
    raw_id_fields = ("plan",)
    inlines = [MentionInline, AssignmentInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("text", "role", "status", "unit", "group", "method", "activity")
    list_filter = ("status", "role", "method")
    search_fields = ("text",)
    raw_id_fields = ("activity", "unit", "group")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "role", "activity", "start", "end", "due", "status")
    list_filter = ("status", "role", "activity__plan__province", "unit__kind", "due")
    search_fields = ("unit__name", "activity__title", "activity__ref", "activity__plan__number")
    date_hierarchy = "due"
    raw_id_fields = ("activity", "unit", "via_group", "mention")
    list_select_related = ("unit", "activity")
