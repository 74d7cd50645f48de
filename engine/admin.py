"""Django admin building blocks shared by the engine's apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
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
