from rest_framework import serializers

from engine.api import StrictSerializer
from library.models import ScanFailure, ScanJob


class ScanJobSerializer(serializers.ModelSerializer):
    folder_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScanJob
        fields = [
            "id", "folder_id", "state", "seen", "added", "updated", "unchanged", "missing", "failed",
            "current_file", "error", "created_at", "started_at", "finished_at",
        ]
        read_only_fields = fields


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
