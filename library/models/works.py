from django.db import models
from django.utils import timezone


class WorkKind(models.TextChoices):
    MUSIC = "music"
    FILM = "film"
    SHOW = "show"
    AUDIOBOOK = "audiobook"
    BOOK = "book"
    COMIC = "comic"
    OTHER = "other"


class Work(models.Model):
    """What a user browses: a track, a film, an episode, a book.

    The named columns and ``metadata`` hold the *canonical* values, which metadata resolution
    derives from the work's claims; nothing else writes them.
    """

    kind = models.CharField(max_length=16, choices=WorkKind.choices, default=WorkKind.OTHER)
    title = models.CharField(max_length=500, blank=True)
    year = models.IntegerField(null=True, blank=True)
    artist = models.CharField(max_length=500, blank=True)
    album = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=500, blank=True)
    series = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    #: Case- and accent-folded title, artist/author and album/series, for ``?q=`` search.
    search_text = models.TextField(blank=True, editable=False)
    #: The ids of the artist and album the work belongs to (``library.catalog``); blank for
    #: kinds without them. Derived, like ``search_text``, whenever resolution writes the work.
    artist_key = models.CharField(max_length=19, blank=True, db_index=True, editable=False)
    album_key = models.CharField(max_length=19, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        # The first page of a list (by title, or one kind by title) is read from an index, not
        # sorted from the whole table.
        indexes = [
            models.Index(fields=["title", "id"], name="work_title_id"),
            models.Index(fields=["kind", "title", "id"], name="work_kind_title_id"),
        ]

    def __str__(self):
        return self.title or f"work {self.pk}"


class WorkCount(models.Model):
    """How many works of each kind the library holds.

    Kept by database triggers on ``library_work`` (``library.work_counts``), in the transaction of every
    insert, delete or change of kind, whatever code makes it: a page of ``/library/works``
    reports its total from here instead of counting a table that grows with the library.
    """

    kind = models.CharField(max_length=16, primary_key=True)
    works = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.works} {self.kind}"
class AssetRole(models.TextChoices):
    #: The work itself: the track, the film, the book.
    MEDIA = "media"
    #: A subtitle file beside a video (``Film.en.srt``), for players to load with it.
    SUBTITLE = "subtitle"


class Asset(models.Model):
    """One piece of content, identified by its SHA-256; it may lie in several places on disk."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="assets")
    role = models.CharField(max_length=16, choices=AssetRole.choices, default=AssetRole.MEDIA)
    content_hash = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=100)
    duration = models.FloatField(null=True, blank=True)
    #: The video, audio and subtitle tracks the file holds (``library.ingestion.streams``).
    streams = models.JSONField(default=list, blank=True)
    #: The cover art found when the file was taken in (its own picture, else its folder's).
    artwork = models.ForeignKey("library.Artwork", on_delete=models.SET_NULL, null=True, blank=True, related_name="assets")
    #: Why a picture that was found is not the asset's artwork (too large, not an image…).
    artwork_problem = models.CharField(max_length=300, blank=True)
    #: KOReader's partial MD5 of the file (``library.ingestion.koreader``), by which its progress
    #: sync names the document; blank for what KOReader does not open (audio, video).
    koreader_digest = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.content_hash[:12]} ({self.mime_type})"


class AssetLocationQuerySet(models.QuerySet):
    def primary_first(self):
        """Present copies first; among them regular files before symbolic links, and names that
        are valid UTF-8 before those that are not (a client shows and saves the name it is
        given), then the oldest. The first is the asset's *primary* location."""
        return self.order_by(models.F("missing_since").asc(nulls_first=True), "symlink", "-utf8_path", "id")


class AssetLocation(models.Model):
    """A file inside a library root that holds an asset's content.

    ``raw_path`` is the exact bytes of the path relative to the root (file names need not be
    UTF-8); ``relative_path`` is its readable form for people and never used to open a file.
    ``device`` and ``inode`` are the identity of the file the scan took in (with ``size`` and
    ``mtime_ns``): a stream serves the file only while it is still that one.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="locations")
    root = models.ForeignKey("library.LibraryRoot", on_delete=models.CASCADE, related_name="locations")
    raw_path = models.BinaryField()
    relative_path = models.TextField()
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()
    device = models.BigIntegerField(null=True, blank=True)
    inode = models.BigIntegerField(null=True, blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)
    #: The scan met a symbolic link here (to a file inside the root), not the file itself.
    symlink = models.BooleanField(default=False)
    #: ``raw_path`` is valid UTF-8, so ``relative_path`` is the name exactly.
    utf8_path = models.BooleanField(default=True)

    objects = AssetLocationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["root", "raw_path"], name="unique_location_per_root")]

    def __str__(self):
        return self.relative_path

    @property
    def missing(self):
        return self.missing_since is not None

    def is_file(self, info):
        """Whether ``info`` (``os.fstat`` of an open file) is the file the scan took in.

        A row from before identities were recorded has none; its size and time still decide,
        and the next scan records the rest.
        """
        if (info.st_size, info.st_mtime_ns) != (self.size, self.mtime_ns):
            return False
        return self.inode is None or file_identity(info) == {"device": self.device, "inode": self.inode}


def file_identity(info):
    """Which file ``info`` describes: its device and inode.

    Not the status-change time, though a rewrite cannot set it back: ``chmod -R`` on a library
    moves it for every file, and every stream would wait for a rescan that hashes them all.
    """
    return identity(info.st_dev, info.st_ino)


def identity(device, inode):
    """:func:`file_identity` from the two numbers, as a reader process reports them."""
    return {"device": _signed(device), "inode": _signed(inode)}


def _signed(number):
    """An unsigned 64-bit number (overlayfs and NFS use the high bit of inodes) as the signed
    64-bit one a database column holds."""
    return number - 2**64 if number >= 2**63 else number
