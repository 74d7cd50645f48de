"""Embedded values of audio files (and of MP4 video when ffprobe is not there), read with mutagen.

Everything here is a plain function of an open file returning plain data (no ORM, no settings),
so it can run in another process.
"""

import re

import mutagen
from mutagen.easyid3 import EasyID3
from mutagen.easymp4 import EasyMP4Tags
from mutagen.id3 import ID3

from library.ingestion import epub, streams

_YEAR = re.compile(r"(\d{4})")
#: mutagen "easy" keys → the engine's field names.
EASY_FIELDS = {
    "title": "title",
    "artist": "artist",
    "album": "album",
    "albumartist": "album_artist",
    "genre": "genre",
    "tracknumber": "track",
    "discnumber": "disc",
    "composer": "composer",
    "description": "description",
    "musicbrainz_trackid": "musicbrainz_recording_id",
    "musicbrainz_albumid": "musicbrainz_release_id",
    "tvshow": "series",
    "tvseason": "season",
    "tvepisode": "episode",
}
#: Fields whose text may carry a total after a slash (``"3/12"``): only the first number counts.
_NUMBER_PAIRS = ("track", "disc")

# iTunes and every MP4 tagger keep the show, season and episode of a TV episode in these atoms,
# which mutagen's easy MP4 interface leaves unnamed. RegisterTextKey is its documented hook.
if "tvshow" not in EasyMP4Tags.Get:
    EasyMP4Tags.RegisterTextKey("tvshow", "tvsh")
    EasyMP4Tags.RegisterIntKey("tvseason", "tvsn")
    EasyMP4Tags.RegisterIntKey("tvepisode", "tves")

#: mutagen's file types → the codec name ffprobe would report, for the one audio stream.
_CODECS = {
    "MP3": "mp3", "EasyMP3": "mp3", "FLAC": "flac", "OggFLAC": "flac", "OggVorbis": "vorbis",
    "OggOpus": "opus", "OggSpeex": "speex", "OggTheora": "theora", "MonkeysAudio": "ape",
    "WavPack": "wavpack", "AAC": "aac", "AC3": "ac3", "TrueAudio": "tta", "Musepack": "musepack",
    "DSF": "dsd_lsbf_planar", "DSDIFF": "dsd_msbf", "OptimFROG": "ofr",
}
_MP4_CODECS = {"mp4a": "aac", "alac": "alac", "ac-3": "ac3", "ec-3": "eac3", "flac": "flac", "opus": "opus", "mp4a.6b": "mp3"}


class TagError(Exception):
    pass


#: The largest ID3 tag read: room for the largest cover kept (16 MiB) and the text beside it.
MAX_TAG_BYTES = 17 * 1024 * 1024


def declared_id3_size(stream):
    """The size an ID3v2 tag at the start of ``stream`` declares in its first ten bytes (a
    synchsafe integer), or None when the file starts with none. The stream is left at its start."""
    stream.seek(0)
    head = stream.read(10)
    stream.seek(0)
    if len(head) < 10 or not head.startswith(b"ID3"):
        return None
    return (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)


def _id3_lookup(tags):
    """A ``get`` for ID3 frames in any container, by the easy key names.

    WAV, AIFF, DSF and DSDIFF keep ID3 in a chunk of their own; mutagen gives them plain
    :class:`~mutagen.id3.ID3` tags, which its easy interface does not wrap (only MP3 gets
    ``EasyID3``). EasyID3's own getters read the frames, so every container reads alike.
    """

    def get(key):
        getter = EasyID3.Get.get(key)
        if getter is None:
            return None
        try:
            return getter(tags, key)
        except (KeyError, ValueError, IndexError):
            return None

    return get


def _lookup(tags):
    if isinstance(tags, ID3):
        return _id3_lookup(tags)

    def get(key):
        try:
            return tags.get(key)
        except (KeyError, ValueError, TypeError):
            return None

    return get


def _text(found):
    if not found:
        return ""
    return str(found[0] if isinstance(found, (list, tuple)) else found).strip()


def _audio_stream(media):
    info = media.info
    name = type(media).__name__
    codec = _CODECS.get(name)
    bits = getattr(info, "bits_per_sample", None)
    if name == "WAVE" and bits:
        codec = f"pcm_s{bits}le" if bits > 8 else "pcm_u8"
    elif name == "AIFF" and bits:
        codec = f"pcm_s{bits}be"
    elif name in ("MP4", "EasyMP4"):
        raw = (getattr(info, "codec", "") or "").lower()
        codec = _MP4_CODECS.get(raw, _MP4_CODECS.get(raw.split(".")[0]))
    return streams.stream(
        streams.AUDIO, 0, codec=codec, channels=getattr(info, "channels", None) or None,
        sample_rate=getattr(info, "sample_rate", None) or None, bit_rate=getattr(info, "bitrate", None) or None,
        default=True,
    )


def read_media_tags(stream, *, with_streams=True):
    """``{"title", "artist", "album", "year", "duration", "streams", ...}`` of an audio/MP4 file.

    Truncated or corrupt files raise :class:`TagError`; the scan still takes the file in,
    named after itself. ``streams`` is one audio stream, from what mutagen tells of it. An ID3
    tag larger than :data:`MAX_TAG_BYTES` is not read at all (mutagen would hold it whole).
    """
    size = declared_id3_size(stream)
    if size is not None and size > MAX_TAG_BYTES:
        raise TagError(f"embedded tags are {size // (1024 * 1024)} MiB, larger than any tags read")
    try:
        media = mutagen.File(stream, easy=True)
    except Exception as error:  # mutagen raises many types for broken input
        raise TagError(f"{error.__class__.__name__}: {error}") from error
    if media is None:
        return {}
    values = {}
    length = getattr(getattr(media, "info", None), "length", None)
    if length:
        values["duration"] = round(float(length), 3)
    if with_streams and getattr(media, "info", None) is not None:
        try:
            values["streams"] = [_audio_stream(media)]
        except (TypeError, ValueError):
            pass
    if media.tags is None:
        return values
    get = _lookup(media.tags)
    for key, field in EASY_FIELDS.items():
        value = _text(get(key))
        if field in _NUMBER_PAIRS:
            value = value.split("/")[0].strip()
        if value:
            values[field] = value
    match = _YEAR.search(_text(get("date")))
    if match:
        values["year"] = int(match.group(1))
    return values


def read_embedded(stream, media_type, *, probe=None):
    """What a file says about itself; ``stream`` is a seekable binary file positioned anywhere.

    ``probe`` reads video containers (``library.ingestion.probe.read_video`` bound to the
    ffprobe to use); without it video is read with mutagen, which knows MP4 but not Matroska.
    """
    stream.seek(0)
    if media_type.category == "video" and probe is not None:
        return probe(stream, media_type)
    if media_type.category in ("audio", "video"):
        # mutagen sees only the audio track of a video: no streams rather than half of them.
        return read_media_tags(stream, with_streams=media_type.category == "audio")
    if media_type.mime_type == "application/epub+zip":
        try:
            return epub.read_opf(stream)
        except epub.EpubError as error:
            raise TagError(f"EPUB metadata unreadable: {error}") from error
    return {}
