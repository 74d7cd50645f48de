"""Django admin for the library: read-mostly views of folders, works, assets and scans.

Changes go through the REST API, whose services validate paths and write the audit trail; the admin's only write is "Scan now", which calls the same service.
"""

from django.contrib import admin, messages

from engine.errors import Conflict
from engine.admin import ReadOnlyAdmin, ReadOnlyInline
from library.ingestion import services as ingestion
from library.models import Asset, AssetLocation, LibraryRoot, ScanFailure, ScanJob, Work
from library.search import search_works
from security.audit import Actor


@admin.register(LibraryRoot)
class LibraryRootAdmin(ReadOnlyAdmin):
    list_display = ["path", "media_kind", "enabled", "accessible", "readable", "checked_at"]
    list_filter = ["media_kind", "enabled"]
    actions = ["scan_now"]

    def has_scan_permission(self, request):
        # Starting scans changes the library: it needs the change permission on folders.
        return self.holds_model_permission(request, "change")

    @admin.action(description="Scan the selected folders now", permissions=["scan"])
    def scan_now(self, request, queryset):
        for folder in queryset:
            try:
                job = ingestion.queue_scan(folder, actor=Actor.from_request(request))
            except Conflict as refused:
                self.message_user(request, f"{folder.path}: {refused.detail}", messages.WARNING)
            else:
                self.message_user(request, f"{folder.path}: scan {job.pk} queued.")


class AssetInline(ReadOnlyInline):
    model = Asset
    fields = ["role", "content_hash", "mime_type", "size", "duration"]
    show_change_link = True


@admin.register(Work)
class WorkAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "year", "artist", "album", "author", "series", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["search_text"]  # shows the search box; the search itself is the API's
    inlines = [AssetInline]

    def get_search_results(self, request, queryset, search_term):
        return search_works(queryset, search_term), False


class LocationInline(ReadOnlyInline):
    model = AssetLocation
    fields = ["root", "relative_path", "size", "mtime_ns", "missing_since", "seen_at"]


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ["content_hash", "role", "mime_type", "size", "duration", "work"]
    list_filter = ["role", "mime_type"]
    search_fields = ["content_hash"]
    inlines = [LocationInline]


class FailureInline(ReadOnlyInline):
    model = ScanFailure
    fields = ["relative_path", "reason", "at"]


@admin.register(ScanJob)
class ScanJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "folder", "state", "trigger", "total", "seen", "added", "updated", "unchanged", "missing", "failed", "attempts", "started_at", "finished_at"]
    list_filter = ["state", "trigger"]
    inlines = [FailureInline]
