"""Per-profile state: what a person starred, rated, played, bookmarked, queued and collected.

Keyed by profile, not by key, so every device of a person (each with its own key) sees the
same state, and another person sees none of it. Written only by the services in
``library/state/``; a profile's rows go with it when it is deleted.
"""

from django.db import models
from django.utils import timezone


class ItemKind(models.TextChoices):
    """What a star or a rating is about: a work, or an album or artist derived from works
    (``library.catalog``), each named by its id as a string."""

    WORK = "work"
    ALBUM = "album"
    ARTIST = "artist"


class Star(models.Model):
    profile = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="stars")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    item_id = models.CharField(max_length=32)
    starred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["profile", "kind", "item_id"], name="one_star_per_item")]

    def __str__(self):
        return f"{self.kind} {self.item_id} starred by {self.profile_id}"


class Rating(models.Model):
    """1 to 5 stars; no row is no rating."""

    profile = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    item_id = models.CharField(max_length=32)
    rating = models.PositiveSmallIntegerField()
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "item_id"], name="one_rating_per_item"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_from_one_to_five"),
        ]

    def __str__(self):
        return f"{self.kind} {self.item_id} rated {self.rating} by {self.profile_id}"


class Play(models.Model):
    """How often a profile played a work, and when last (scrobbles)."""

    profile = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="plays")
    work = models.ForeignKey("library.Work", on_delete=models.CASCADE, related_name="plays")
    play_count = models.PositiveIntegerField(default=0)
    last_played_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_played_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["profile", "work"], name="one_play_record_per_work")]

    def __str__(self):
        return f"{self.work_id} played {self.play_count}× by {self.profile_id}"


class Bookmark(models.Model):
    """A position in a file to come back to (audiobooks, long mixes), with a note."""

    profile = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="bookmarks")
    asset = models.ForeignKey("library.Asset", on_delete=models.CASCADE, related_name="bookmarks")
    position_ms = models.BigIntegerField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["profile", "asset"], name="one_bookmark_per_asset")]

    def __str__(self):
        return f"{self.asset_id} at {self.position_ms} ms for {self.profile_id}"


class PlayQueue(models.Model):
    """What a profile was listening to, saved by one device and picked up by another."""

    profile = models.OneToOneField("security.Profile", on_delete=models.CASCADE, primary_key=True, related_name="play_queue")
    #: The stored ``position`` of the current entry (entries of deleted works leave gaps).
    current_position = models.PositiveIntegerField(null=True, blank=True)
    position_ms = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    #: The client that saved it ("Symfonium", a key's label).
    changed_by = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"play queue of {self.profile_id}"


class PlayQueueEntry(models.Model):
    queue = models.ForeignKey(PlayQueue, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    work = models.ForeignKey("library.Work", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["queue", "position"]
        constraints = [models.UniqueConstraint(fields=["queue", "position"], name="one_queue_entry_per_position")]


class Playlist(models.Model):
    """An ordered list of works owned by a profile; a public one is readable by every profile."""

    owner = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="playlists")
    name = models.CharField(max_length=200)
    comment = models.CharField(max_length=1000, blank=True)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "public"])]

    def __str__(self):
        return self.name


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    work = models.ForeignKey("library.Work", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="one_playlist_entry_per_position")]


class ReadingProgress(models.Model):
    """How far a profile has read a work (a book, a comic, an audiobook), written by the REST API
    and by KOReader's progress sync alike, so every device of a person opens at one place."""

    profile = models.ForeignKey("security.Profile", on_delete=models.CASCADE, related_name="reading_progress")
    work = models.ForeignKey("library.Work", on_delete=models.CASCADE, related_name="+")
    #: How much has been read, from 0 to 1.
    percentage = models.FloatField()
    #: Where, in the reading app's own terms (KOReader: an XPointer or a page number); the engine
    #: keeps it for the next device and never reads it.
    position = models.CharField(max_length=2000, blank=True)
    device = models.CharField(max_length=100, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    #: The document a sync named (KOReader's partial MD5 of the file), blank when the REST API wrote.
    document = models.CharField(max_length=32, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name_plural = "reading progress"
        constraints = [models.UniqueConstraint(fields=["profile", "work"], name="one_reading_progress_per_work")]

    def __str__(self):
        return f"{self.work_id} at {self.percentage:.0%} for {self.profile_id}"
