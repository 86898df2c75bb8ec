from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Alias, Province, Succession, Unit, UnitGroup, Website


class UnitAliasInline(admin.TabularInline):
    model = Alias
    fk_name = "unit"
    fields = ("text",)
    extra = 1


class GroupAliasInline(admin.TabularInline):
    model = Alias
    fk_name = "group"
    fields = ("text",)
    extra = 1


# A typed address without a scheme is taken as https, as Django 6 will.
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class WebsiteInline(admin.TabularInline):
    model = Website
    fields = ("url", "kind", "note", "is_demo")
    formfield_overrides = URL_HTTPS
    extra = 0


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    fields = ("successor", "kind", "effective", "note", "is_demo")
    autocomplete_fields = ("successor",)
    extra = 0
    verbose_name = _("chuyển giao cho đơn vị kế thừa")
    verbose_name_plural = _("chuyển giao cho đơn vị kế thừa")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "valid_from", "valid_to", "successor", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "province", "valid_from", "valid_to", "is_demo")
    list_filter = ("kind", "province", "is_demo")
    list_select_related = ("province",)
    search_fields = ("name", "short_name", "search_key", "aliases__text")
    autocomplete_fields = ("parent",)
    inlines = [UnitAliasInline, WebsiteInline, SuccessionInline]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "is_demo")
    list_filter = ("province", "is_demo")
    search_fields = ("name", "aliases__text")
    autocomplete_fields = ("members",)
    inlines = [GroupAliasInline]


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ("text", "unit", "group")
    search_fields = ("text", "key")
    autocomplete_fields = ("unit", "group")
    readonly_fields = ("key",)


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "kind", "successor", "effective", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("predecessor__name", "successor__name", "note")
    autocomplete_fields = ("predecessor", "successor")


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    list_display = ("url", "unit", "kind", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("url", "unit__name")
    autocomplete_fields = ("unit",)
    formfield_overrides = URL_HTTPS
