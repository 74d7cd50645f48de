import os

from rest_framework import serializers

from library.models import Asset, Work


class AssetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Asset
        fields = ["id", "mime_type", "size", "duration"]
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
        present = [location for location in asset.locations.all() if location.missing_since is None]
        chosen = present or list(asset.locations.all())
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
