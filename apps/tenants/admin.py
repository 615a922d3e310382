from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from apps.core.admin import ServiceValidationAdminMixin
from apps.tenants.models import ApiKey, RateLimit, Tenant
from apps.tenants.services import (
    api_key_create,
    api_key_revoke,
    api_key_save,
    rate_limit_delete,
    rate_limit_save,
    tenant_delete,
    tenant_save,
)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    show_change_link = True
    fields = (
        "prefix",
        "name",
        "is_operator",
        "is_platform_admin",
        "is_auditor",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    list_display = ("name", "display_name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "display_name")
    inlines = [ApiKeyInline]

    def save_model(self, request: HttpRequest, obj: Tenant, form, change: bool) -> None:
        tenant_save(tenant=obj)

    def delete_model(self, request: HttpRequest, obj: Tenant) -> None:
        tenant_delete(tenant=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        for tenant in queryset:
            tenant_delete(tenant=tenant)


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    list_display = (
        "prefix",
        "tenant",
        "name",
        "is_operator",
        "is_platform_admin",
        "is_auditor",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = (
        "is_operator",
        "is_platform_admin",
        "is_auditor",
        ("revoked_at", admin.EmptyFieldListFilter),
        "tenant",
    )
    search_fields = ("prefix", "name", "tenant__name")
    readonly_fields = ("prefix", "created_at", "revoked_at", "last_used_at")
    actions = ["revoke_keys"]

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return (
                "tenant",
                "name",
                "is_operator",
                "is_platform_admin",
                "is_auditor",
                "expires_at",
            )
        return (
            "tenant",
            "name",
            "prefix",
            "is_operator",
            "is_platform_admin",
            "is_auditor",
            "expires_at",
            "created_at",
            "revoked_at",
            "last_used_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # Only a superuser makes (or unmakes) a platform administrator key.
        privileged = () if request.user.is_superuser else ("is_platform_admin",)
        if obj is None:
            return privileged
        return (*self.readonly_fields, "tenant", *privileged)

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            api_key_save(api_key=obj)
            return
        created = api_key_create(
            tenant=obj.tenant,
            name=obj.name,
            is_operator=obj.is_operator,
            is_platform_admin=obj.is_platform_admin,
            is_auditor=obj.is_auditor,
            expires_at=obj.expires_at,
        )
        # The admin goes on to log and redirect with ``obj``: point it at the saved key.
        obj.pk = created.api_key.pk
        obj.prefix = created.api_key.prefix
        obj.secret_hash = created.api_key.secret_hash
        obj.created_at = created.api_key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            f"New API key (shown once, copy it now): {created.plaintext}",
        )

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key)
            count += 1
        self.message_user(
            request,
            ngettext("Revoked %d key.", "Revoked %d keys.", count) % count,
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: a deleted key loses its history


@admin.register(RateLimit)
class RateLimitAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    list_display = ("scope", "tenant", "api_key", "requests_per_minute", "enabled", "updated_at")
    list_filter = ("scope", "enabled", "tenant")
    list_editable = ("requests_per_minute", "enabled")
    autocomplete_fields = ("tenant", "api_key")
    search_fields = ("tenant__name", "api_key__prefix")

    def save_model(self, request: HttpRequest, obj: RateLimit, form, change: bool) -> None:
        rate_limit_save(rule=obj)

    def delete_model(self, request: HttpRequest, obj: RateLimit) -> None:
        rate_limit_delete(rule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RateLimit]) -> None:
        for rule in queryset:
            rate_limit_delete(rule=rule)
