from rest_framework import serializers

from engine.api import StrictSerializer
from library.models.state import Bookmark, Play, Playlist, Rating, Star
from library.state import bookmarks, play_queue, playlists, reading, selectors


class StarSerializer(serializers.ModelSerializer):
    class Meta:
        model = Star
        fields = ["kind", "item_id", "starred_at"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["kind", "item_id", "rating", "rated_at"]
        read_only_fields = fields


class RatingWriteSerializer(StrictSerializer):
    rating = serializers.IntegerField(min_value=0, max_value=5, help_text="1 to 5; 0 removes the rating.")


class PlaySerializer(serializers.ModelSerializer):
    work_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Play
        fields = ["work_id", "play_count", "last_played_at"]
        read_only_fields = fields


class ScrobbleSerializer(StrictSerializer):
    work_id = serializers.IntegerField(min_value=1)
    played_at = serializers.DateTimeField(required=False, help_text="When it was played; now when left out.")


class BookmarkSerializer(serializers.ModelSerializer):
    asset_id = serializers.IntegerField(read_only=True)
    work_id = serializers.IntegerField(source="asset.work_id", read_only=True)

    class Meta:
        model = Bookmark
        fields = ["asset_id", "work_id", "position_ms", "comment", "created_at", "changed_at"]
        read_only_fields = fields


class BookmarkWriteSerializer(StrictSerializer):
    position_ms = serializers.IntegerField(min_value=0, max_value=bookmarks.MAX_POSITION_MS)
    comment = serializers.CharField(max_length=bookmarks.MAX_COMMENT, allow_blank=True, required=False)


class PlayQueueSerializer(serializers.Serializer):
    entries = serializers.ListField(child=serializers.IntegerField(), help_text="Work ids, in order.")
    current_index = serializers.IntegerField(allow_null=True)
    position_ms = serializers.IntegerField()
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_by = serializers.CharField()


class PlayQueueWriteSerializer(StrictSerializer):
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=play_queue.MAX_ENTRIES, help_text="Work ids, in order; empty clears the queue."
    )
    current_index = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    position_ms = serializers.IntegerField(min_value=0, required=False)
    client = serializers.CharField(
        max_length=play_queue.MAX_CLIENT_NAME, required=False, help_text="Who saved it; the key's label when left out."
    )


class PlaylistOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class PlaylistSerializer(serializers.ModelSerializer):
    owner = PlaylistOwnerSerializer(read_only=True)
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Playlist
        fields = ["id", "name", "comment", "public", "owner", "entry_count", "created_at", "changed_at"]
        read_only_fields = fields


class PlaylistDetailSerializer(PlaylistSerializer):
    entries = serializers.SerializerMethodField(help_text="Work ids, in order.")

    class Meta(PlaylistSerializer.Meta):
        fields = [*PlaylistSerializer.Meta.fields, "entries"]
        read_only_fields = fields


    def get_entries(self, playlist) -> list[int]:
        return selectors.playlist_entries(playlist)


class PlaylistWriteSerializer(StrictSerializer):
    """POST and PUT need ``name``; PATCH (``partial=True``) takes any subset."""

    name = serializers.CharField(max_length=playlists.MAX_NAME)
    comment = serializers.CharField(max_length=playlists.MAX_COMMENT, allow_blank=True, required=False)
    public = serializers.BooleanField(required=False)
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=playlists.MAX_ENTRIES, required=False, help_text="Work ids, in order."
    )



class ReadingProgressSerializer(serializers.Serializer):
    work_id = serializers.IntegerField()
    percentage = serializers.FloatField(allow_null=True, help_text="From 0 to 1; null before any progress was saved.")
    position = serializers.CharField(help_text="Where, in the reading app's own terms (KOReader: an XPointer or page).")
    device = serializers.CharField()
    device_id = serializers.CharField()
    changed_at = serializers.DateTimeField(allow_null=True)


class NumberField(serializers.FloatField):
    """A JSON number: ``true`` is not 1."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReadingProgressWriteSerializer(StrictSerializer):
    percentage = NumberField(min_value=0, max_value=1)
    position = serializers.CharField(max_length=reading.MAX_POSITION, allow_blank=True, required=False, trim_whitespace=False)
    device = serializers.CharField(max_length=reading.MAX_DEVICE, allow_blank=True, required=False, help_text="The key's label when left out.")
    device_id = serializers.CharField(max_length=reading.MAX_DEVICE, allow_blank=True, required=False)
