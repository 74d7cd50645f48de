from rest_framework import serializers

from engine.api import StrictSerializer
from library.ingestion.progress import display
from library.models import ScanFailure, ScanJob


class ScanJobSerializer(serializers.ModelSerializer):
    """A scan job. ``seen = added + updated + unchanged + failed``; ``total`` is what the walk
    counted (null while it counts), ``percent`` how far the scan is (100 only once completed);
    ``paths`` limit an incremental scan (null: the whole folder)."""

    folder_id = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True, allow_null=True, min_value=0, max_value=100)
    paths = serializers.SerializerMethodField()

    class Meta:
        model = ScanJob
        fields = [
            "id", "folder_id", "state", "trigger", "paths", "total", "percent", "seen", "added", "updated",
            "unchanged", "missing", "failed", "current_file", "error", "attempts", "created_at", "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_paths(self, job) -> list[str] | None:
        scope = job.scope
        return None if scope is None else [display(path) for path in scope]


class ScanFailureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanFailure
        fields = ["relative_path", "reason", "at"]
        read_only_fields = fields


class ScanJobDetailSerializer(ScanJobSerializer):
    """One job with the first files it could not take in (the full list is in the Django admin)."""

    failures = serializers.SerializerMethodField()

    class Meta(ScanJobSerializer.Meta):
        fields = [*ScanJobSerializer.Meta.fields, "failures"]
        read_only_fields = fields

    def get_failures(self, job) -> list:
        return ScanFailureSerializer(job.failures.all()[:100], many=True).data


class ScanRequestSerializer(StrictSerializer):
    folder_id = serializers.IntegerField(required=False, min_value=1)
