from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("planwatch"), {"fields": ("role", "province", "units")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("planwatch"), {"fields": ("role", "province")}),)
    list_display = ("username", "email", "first_name", "last_name", "role", "province", "is_staff")
    list_filter = ("role", "province", "is_staff", "is_superuser")
    filter_horizontal = ("units", "groups", "user_permissions")
