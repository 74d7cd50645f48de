"""Django admin building blocks shared by the engine's apps."""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied


class EngineAdmin(admin.ModelAdmin):
    """Every admin action declares the permission it needs (``@admin.action(permissions=[...])``).

    Django leaves an action the user may not run out of the menu, but answers a POST of it with
    the list page again (200) or a redirect and "No action selected", which a script reads as
    success: here it is a 403 and nothing runs.
    """

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            allowed = self.get_actions(request)
            declared = {name for _, name, _ in self._get_base_actions()}
            if any(name in declared and name not in allowed for name in request.POST.getlist("action")):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def holds_model_permission(self, request, action):
        """Whether the user holds Django's ``action`` (``change``…) permission on the model.

        For actions of admins whose forms are read-only: the form refuses every change, the
        action still needs the permission a change would.
        """
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename(action, self.opts)}")


class ReadOnlyAdmin(EngineAdmin):
    """For records written only by services (audit, scans, works): the admin shows, never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False
