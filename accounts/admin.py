"""Admin for people who sign in and their API keys. Django's UserAdmin assumes a username; ours
logs in by e-mail. API keys are listed and revoked here, never added: a key's secret must be shown
once to the person who will use it, which the "API keys" page and `manage.py create_api_key` do.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiKey, ApiKeyStatus, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        # The manager lower-cases addresses; do the same here so that an address typed with
        # capitals in the admin cannot create a second account for the same person.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with that e-mail address already exists."))
        return email


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A user with that e-mail address already exists."))
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


class ApiKeyStatusFilter(admin.SimpleListFilter):
    """Filter by the derived status (active, expired, revoked), which is not a column."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, "StrOrPromise"]]:
        return list(ApiKeyStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        keys: Any = queryset
        if self.value() == ApiKeyStatus.ACTIVE:
            return keys.active()
        if self.value() == ApiKeyStatus.EXPIRED:
            return keys.expired()
        if self.value() == ApiKeyStatus.REVOKED:
            return keys.revoked()
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    # key_hash is left out everywhere: it is useless to a person and only helps an attacker.
    list_display = (
        "name",
        "owner",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "status_display",
    )
    list_filter = (ApiKeyStatusFilter, "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name", "name", "prefix")
    ordering = ("-created_at", "-pk")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        # Read-only: a key changes only by being revoked, through the action below.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apikey")

    @admin.display(description=_("user"), ordering="user__email")
    def owner(self, obj: ApiKey) -> str:
        # The e-mail address, not the display name: it is what people search for and unique.
        return obj.user.email

    @admin.display(description=_("status"))
    def status_display(self, obj: ApiKey) -> str:
        return str(obj.status.label)

    @admin.action(description=_("Revoke selected keys"), permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        """Revoke through the service (audit, row lock); already revoked keys are reported."""
        count = 0
        for key in queryset.select_related("user"):
            try:
                services.revoke_api_key(key=key, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(getattr(error, "messages", None) or [str(error)])
                messages.warning(request, f"{key}: {text}")
            else:
                count += 1
        if count:
            messages.success(request, _("%(count)d API keys revoked.") % {"count": count})
