from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from guanxi.accounts.models import ApiToken, Team, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline]
    list_display = ("username", "display_name", "email", "team", "is_active")
    list_filter = ("team", "user_roles__role", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Guanxi", {"fields": ("display_name", "team", "language", "phone")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "path")
    list_filter = ("kind",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "scope", "key_prefix", "expires_at", "revoked_at")
    readonly_fields = ("key_prefix", "key_hash", "last_used_at")
