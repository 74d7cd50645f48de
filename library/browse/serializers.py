import os

from rest_framework import serializers

from library.ingestion import streams
from library.models import Asset, Work


class StreamSerializer(serializers.Serializer):
    """One track of an asset (``library.ingestion.streams``): every key always present."""

    index = serializers.IntegerField(allow_null=True, help_text="The track's index in its container.")
    type = serializers.ChoiceField(choices=streams.TYPES)
    codec = serializers.CharField(allow_null=True, help_text="ffprobe's codec name: h264, hevc, aac, opus, subrip, ass…")
    profile = serializers.CharField(allow_null=True)
    language = serializers.CharField(allow_null=True, help_text="ISO 639-2/B code (eng, fre, ger); null when unknown.")
    title = serializers.CharField(allow_null=True)
    default = serializers.BooleanField()
    forced = serializers.BooleanField()
    hearing_impaired = serializers.BooleanField()
    external = serializers.BooleanField(help_text="A file of its own (a sidecar subtitle), not a track inside the asset.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    frame_rate = serializers.FloatField(allow_null=True)
    channels = serializers.IntegerField(allow_null=True)
    channel_layout = serializers.CharField(allow_null=True)
    sample_rate = serializers.IntegerField(allow_null=True)
    bit_rate = serializers.IntegerField(allow_null=True)


class AssetSerializer(serializers.ModelSerializer):
    streams = StreamSerializer(many=True, read_only=True)

    class Meta:
        model = Asset
        fields = ["id", "role", "mime_type", "size", "duration", "streams"]
        read_only_fields = fields


class AdministratorAssetSerializer(AssetSerializer):
    """Administrators also see where on the server each copy lies."""

    path = serializers.SerializerMethodField()
    locations = serializers.SerializerMethodField()

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "path", "locations"]
        read_only_fields = fields

    @staticmethod
    def _absolute(location):
        return os.path.join(location.root.path, location.relative_path)

    def get_path(self, asset) -> str | None:
        """The primary location (``AssetLocation.objects.primary_first``, as prefetched)."""
        chosen = asset.locations.all()[:1]
        return self._absolute(chosen[0]) if chosen else None

    def get_locations(self, asset) -> list:
        return [
            {"folder_id": location.root_id, "path": self._absolute(location), "missing": location.missing_since is not None}
            for location in asset.locations.all()
        ]


class WorkSerializer(serializers.ModelSerializer):
    assets = AssetSerializer(many=True, read_only=True)

    class Meta:
        model = Work
        fields = ["id", "title", "kind", "year", "artist", "album", "author", "series", "metadata", "assets", "created_at", "updated_at"]
        read_only_fields = fields


class AdministratorWorkSerializer(WorkSerializer):
    assets = AdministratorAssetSerializer(many=True, read_only=True)
