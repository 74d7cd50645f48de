from rest_framework import serializers

from engine.api import StrictSerializer
from library.models import LibraryRoot, MediaKind


class FolderSerializer(serializers.ModelSerializer):
    health = serializers.SerializerMethodField()

    class Meta:
        model = LibraryRoot
        fields = ["id", "path", "media_kind", "enabled", "health"]
        read_only_fields = fields

    def get_health(self, folder) -> dict:
        return {"accessible": folder.accessible, "readable": folder.readable, "checked_at": folder.checked_at}


def _path_field(**kwargs):
    # Whitespace is part of a name; the path validator, not the serializer, decides what is allowed.
    return serializers.CharField(trim_whitespace=False, max_length=65536, **kwargs)


class FolderCreateSerializer(StrictSerializer):
    path = _path_field()
    media_kind = serializers.ChoiceField(choices=MediaKind.choices, default=MediaKind.MIXED)
    enabled = serializers.BooleanField(default=True)


class FolderUpdateSerializer(StrictSerializer):
    path = _path_field(required=False)
    media_kind = serializers.ChoiceField(choices=MediaKind.choices, required=False)
    enabled = serializers.BooleanField(required=False)


class TestPathSerializer(StrictSerializer):
    path = _path_field()


class TestPathResultSerializer(serializers.Serializer):
    path = serializers.CharField()
    exists = serializers.BooleanField()
    is_dir = serializers.BooleanField()
    readable = serializers.BooleanField()
    writable = serializers.BooleanField()
