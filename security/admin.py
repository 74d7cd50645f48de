"""Django admin for API keys: create (the key is shown once, on the page that follows), list, revoke;
and read-only lists of profiles and the audit trail (profile changes go through the REST API,
whose services keep the Owner an Administrator).

The plaintext is rendered into that one response, marked ``no-store``; it is never put in a
message (Django's cookie message storage would carry it in a cookie) or in the change history.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from engine.admin import EngineAdmin, ReadOnlyAdmin
from security import services
from security.audit import Actor
from security.models import ApiKey, AuditEntry
from security.profiles.models import Profile

VIEW_FIELDS = ["label", "role", "profile", "prefix", "created_at", "created_by", "last_used_at", "expires_at", "revoked_at"]
ADD_FIELDS = ["label", "role", "profile", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(EngineAdmin):
    list_display = ["label", "role", "profile", "prefix", "created_at", "last_used_at", "expires_at", "state"]
    list_filter = ["role", "profile", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["profile"]
    search_fields = ["label", "key_id"]
    actions = ["revoke_selected"]
    readonly_fields = ["prefix"]

    @admin.display(description="state")
    def state(self, obj):
        if obj.revoked_at:
            return "revoked"
        return "active" if obj.is_active() else "expired"

    def get_changeform_initial_data(self, request):
        # The form names the profile; the Owner is where keys go when nobody else is meant.
        return {"profile": Profile.objects.owner().pk, **super().get_changeform_initial_data(request)}

    def get_fields(self, request, obj=None):
        return ADD_FIELDS if obj is None else VIEW_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else VIEW_FIELDS

    def has_change_permission(self, request, obj=None):
        # Keys are immutable once made; the only change is revocation, which is an action.
        return False

    def has_delete_permission(self, request, obj=None):
        # Revocation is a soft, audited state; deleting would erase the history.
        return False

    def save_model(self, request, obj, form, change):
        created, plaintext = services.create_key(
            label=obj.label, role=obj.role, profile=obj.profile, expires_at=obj.expires_at, actor=Actor.from_request(request)
        )
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        request._revealed_key = plaintext

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "plaintext": request._revealed_key,
            "title": "Copy the new API key",
        }
        response = TemplateResponse(request, "admin/security/apikey/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_revoke_permission(self, request):
        # Revoking is the one change a key can undergo: a user who may only view keys may not.
        return self.holds_model_permission(request, "change")

    @admin.action(description="Revoke selected API keys", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        actor = Actor.from_request(request)
        revoked = sum(services.revoke_key(api_key, actor=actor) for api_key in queryset)
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target", "client_address"]
    list_filter = ["action"]
    search_fields = ["actor", "target"]


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "role", "is_owner", "avatar_color", "created_at"]
    list_filter = ["role"]
