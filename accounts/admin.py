from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Invite, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("planwatch"), {"fields": ("role", "province", "units")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("planwatch"), {"fields": ("role", "province")}),)
    list_display = ("username", "email", "first_name", "last_name", "role", "province", "is_staff")
    list_filter = ("role", "province", "is_staff", "is_superuser")
    filter_horizontal = ("units", "groups", "user_permissions")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # tokens are created with `manage.py createtoken`, which shows the secret once
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def has_add_permission(self, request):
        return False


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    # invites are made on the officer's page (accounts.services.invite_create), which
    # emails the one-time link; here they can be looked at and revoked
    list_display = ("email", "province", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("province", "accepted_at", "revoked_at")
    search_fields = ("email",)
    readonly_fields = ("email", "province", "units", "invited_by", "digest", "created_at", "expires_at", "accepted_at", "user")
    fields = (*readonly_fields, "revoked_at")

    def has_add_permission(self, request):
        return False
