from rest_framework import serializers

from engine.api import StrictSerializer
from security.profiles.models import Profile
from security.roles import Role


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["id", "display_name", "role", "avatar_color", "is_owner", "created_at"]
        read_only_fields = fields


class ProfileWriteSerializer(StrictSerializer):
    """POST and PUT need ``display_name``; PATCH (``partial=True``) takes any subset."""

    display_name = serializers.CharField(min_length=1, max_length=50)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    avatar_color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False, error_messages={"invalid": "Use a colour like #3b82f6."})


class CallerKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class CallerSerializer(serializers.Serializer):
    """``GET /me``: the caller's role (its key's), its profile, and the key it came with (null
    on the localhost bypass)."""

    role = serializers.ChoiceField(choices=Role.choices)
    profile = ProfileSerializer()
    key = CallerKeySerializer(allow_null=True)
