from django.utils import timezone
from rest_framework import serializers

from engine.api import StrictSerializer
from security.models import ApiKey, AuditEntry
from security.roles import Role


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(read_only=True)
    profile_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "label", "role", "profile_id", "prefix", "created_at", "created_by", "last_used_at", "expires_at", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreateSerializer(StrictSerializer):
    label = serializers.CharField(max_length=100, trim_whitespace=True)
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    profile_id = serializers.IntegerField(
        min_value=1, required=False, help_text="The profile the key is for; the Owner when left out."
    )

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Must be in the future.")
        return value


class CreatedApiKeySerializer(ApiKeySerializer):
    """The creation response: the key's fields and, this once, its plaintext."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "action", "actor", "client_address", "target", "at"]
        read_only_fields = fields
