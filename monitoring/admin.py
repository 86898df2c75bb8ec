from django.contrib import admin

from .models import BannerEvent, BannerSpec, Check, ReferenceImage, SiteSpec, SiteState


class ReferenceImageInline(admin.TabularInline):
    model = ReferenceImage
    extra = 0
    readonly_fields = ["phash", "sha256"]


@admin.register(BannerSpec)
class BannerSpecAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "plan", "interval_minutes", "peak_interval_minutes", "active", "last_round_at"]
    list_filter = ["active", "province"]
    inlines = [ReferenceImageInline]


@admin.register(SiteSpec)
class SiteSpecAdmin(admin.ModelAdmin):
    list_display = ["spec", "website", "page_url", "enabled"]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["checked_at", "spec", "unit", "website", "verdict", "reason", "http_status", "method"]
    list_filter = ["verdict", "reason", "method"]
    raw_id_fields = ["spec", "website", "unit", "round"]


@admin.register(SiteState)
class SiteStateAdmin(admin.ModelAdmin):
    list_display = ["spec", "unit", "website", "banner", "since", "status", "last_checked_at"]
    raw_id_fields = ["last_check", "round"]


@admin.register(BannerEvent)
class BannerEventAdmin(admin.ModelAdmin):
    list_display = ["at", "spec", "unit", "website", "kind"]
    raw_id_fields = ["check_row"]
