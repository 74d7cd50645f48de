"""Recognising media files by name and by content.

The extension says what a file claims to be; the first bytes say what it is. A file is taken in
when its content matches a media signature (an ``.mp3`` that is really a text file is refused);
a file whose extension is unknown is sniffed, so ``track`` without an extension is still found.
"""

import os
import re
from dataclasses import dataclass

AUDIO, VIDEO, EBOOK, COMIC, SUBTITLE = "audio", "video", "ebook", "comic", "subtitle"

#: extension → (category, MIME type)
EXTENSIONS = {
    ".mp3": (AUDIO, "audio/mpeg"),
    ".flac": (AUDIO, "audio/flac"),
    ".ogg": (AUDIO, "audio/ogg"),
    ".oga": (AUDIO, "audio/ogg"),
    ".opus": (AUDIO, "audio/ogg"),
    ".m4a": (AUDIO, "audio/mp4"),
    ".m4b": (AUDIO, "audio/mp4"),
    ".aac": (AUDIO, "audio/aac"),
    ".wav": (AUDIO, "audio/wav"),
    ".aif": (AUDIO, "audio/aiff"),
    ".aiff": (AUDIO, "audio/aiff"),
    ".wma": (AUDIO, "audio/x-ms-wma"),
    ".ape": (AUDIO, "audio/ape"),
    ".wv": (AUDIO, "audio/wavpack"),
    ".dsf": (AUDIO, "audio/dsf"),
    ".dff": (AUDIO, "audio/x-dff"),
    ".mp4": (VIDEO, "video/mp4"),
    ".m4v": (VIDEO, "video/mp4"),
    ".mov": (VIDEO, "video/quicktime"),
    ".mkv": (VIDEO, "video/x-matroska"),
    ".webm": (VIDEO, "video/webm"),
    ".avi": (VIDEO, "video/x-msvideo"),
    ".wmv": (VIDEO, "video/x-ms-wmv"),
    ".ts": (VIDEO, "video/mp2t"),
    ".mpg": (VIDEO, "video/mpeg"),
    ".mpeg": (VIDEO, "video/mpeg"),
    ".epub": (EBOOK, "application/epub+zip"),
    ".pdf": (EBOOK, "application/pdf"),
    ".mobi": (EBOOK, "application/x-mobipocket-ebook"),
    ".azw3": (EBOOK, "application/vnd.amazon.ebook"),
    ".cbz": (COMIC, "application/vnd.comicbook+zip"),
    ".cbr": (COMIC, "application/vnd.comicbook-rar"),
    ".cb7": (COMIC, "application/x-cb7"),
    # Sidecar subtitles: taken in only beside a video of the same name (library.ingestion.sidecars).
    # The MIME types are the ones players ask for (ExoPlayer, browsers' <track>).
    ".srt": (SUBTITLE, "application/x-subrip"),
    ".vtt": (SUBTITLE, "text/vtt"),
    ".ass": (SUBTITLE, "text/x-ssa"),
    ".ssa": (SUBTITLE, "text/x-ssa"),
}

#: Files that are never media and not worth a read (artwork, sidecars, playlists, system files).
IGNORED_EXTENSIONS = frozenset(
    ".jpg .jpeg .png .gif .webp .bmp .tif .tiff .svg .ico .txt .nfo .cue .log .m3u .m3u8 .pls .xml "
    ".json .db .ini .sfv .md5 .sha256 .sub .idx .lrc .html .htm .css .js .py "
    ".ds_store .part .tmp .torrent .url .lnk .zip .rar .7z .tar .gz .iso".split()
)

#: How many leading bytes :func:`sniff` needs.
SNIFF_BYTES = 64


@dataclass(frozen=True)
class MediaType:
    category: str
    mime_type: str


def _mp3_frame(head):
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0


def sniff(head):
    """The media type the first bytes of a file show, or None. ``head`` is at most 64 bytes."""
    if head.startswith(b"ID3") or _mp3_frame(head):
        return MediaType(AUDIO, "audio/mpeg")
    if head.startswith(b"fLaC"):
        return MediaType(AUDIO, "audio/flac")
    if head.startswith(b"OggS"):
        return MediaType(AUDIO, "audio/ogg")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return MediaType(AUDIO, "audio/wav")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return MediaType(VIDEO, "video/x-msvideo")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return MediaType(AUDIO, "audio/aiff")
    if head[:4] == b"DSD " and head[28:32] == b"fmt ":
        return MediaType(AUDIO, "audio/dsf")
    if head[:4] == b"FRM8" and head[12:16] == b"DSD ":
        return MediaType(AUDIO, "audio/x-dff")
    if head[:4] == b"MAC ":
        return MediaType(AUDIO, "audio/ape")
    if head[:4] == b"wvpk":
        return MediaType(AUDIO, "audio/wavpack")
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return MediaType(VIDEO, "video/x-ms-asf")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return MediaType(AUDIO, "audio/mp4")
        if brand in (b"qt  ",):
            return MediaType(VIDEO, "video/quicktime")
        return MediaType(VIDEO, "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaType(VIDEO, "video/webm" if b"webm" in head else "video/x-matroska")
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return MediaType(VIDEO, "video/mpeg")
    if head.startswith(b"%PDF-"):
        return MediaType(EBOOK, "application/pdf")
    if head.startswith(b"PK\x03\x04"):
        if head[30:58] == b"mimetypeapplication/epub+zip":
            return MediaType(EBOOK, "application/epub+zip")
        return MediaType(COMIC, "application/vnd.comicbook+zip")  # a zip: a comic only if named so
    if head.startswith(b"Rar!\x1a\x07"):
        return MediaType(COMIC, "application/vnd.comicbook-rar")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return MediaType(COMIC, "application/x-cb7")
    if head[60:64] == b"BOOK" or head[60:68] == b"BOOKMOBI":
        return MediaType(EBOOK, "application/x-mobipocket-ebook")
    return None


_BOM = b"\xef\xbb\xbf"
_SRT_CUE = re.compile(rb"\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def looks_like_subtitle(head, mime_type):
    """Whether the first bytes are those of a subtitle file of ``mime_type`` (text formats have
    no magic number: WebVTT's header line, ASS/SSA's ``[Script Info]``, SubRip's first cue)."""
    text = head[len(_BOM):] if head.startswith(_BOM) else head
    if mime_type == "text/vtt":
        return text.startswith(b"WEBVTT")
    if mime_type == "text/x-ssa":
        return text.lstrip().lower().startswith(b"[script info]")
    if mime_type == "application/x-subrip":
        return _SRT_CUE.match(text) is not None
    return False


def by_extension(name):
    """``(category, mime)`` for a file name (str or bytes), None when unknown; ``False`` when ignored."""
    extension = os.path.splitext(os.fsdecode(name))[1].lower()
    if extension in EXTENSIONS:
        category, mime = EXTENSIONS[extension]
        return MediaType(category, mime)
    if extension in IGNORED_EXTENSIONS:
        return False
    return None


#: Categories whose content signatures are too generic to claim an unnamed file (a .zip is not a comic).
_WEAK_SIGNATURES = {"application/vnd.comicbook+zip", "application/vnd.comicbook-rar", "application/x-cb7"}


def identify(name, head):
    """The media type of a file from its name and first bytes, or None when it is not media.

    A known extension must be confirmed by the content's category (an ``.mkv`` may hold
    WebM, an ``.m4b`` is ``audio/mp4``); MPEG transport streams and MOBI variants have no
    reliable signature and are trusted by name.
    """
    claimed = by_extension(name)
    if claimed is False:
        return None
    if claimed and claimed.category == SUBTITLE:
        return claimed if looks_like_subtitle(head, claimed.mime_type) else None
    found = sniff(head)
    if claimed:
        if claimed.mime_type in ("video/mp2t", "application/vnd.amazon.ebook"):
            return claimed
        if found is None:
            return None
        if found.category == claimed.category or (claimed.category == COMIC and found.mime_type in _WEAK_SIGNATURES):
            return claimed
        if claimed.category == VIDEO and found.category == AUDIO and found.mime_type == "audio/mp4":
            return claimed  # an .mp4 with an M4A brand is still playable as video/mp4
        if claimed.category == AUDIO and found.category == VIDEO and found.mime_type in ("video/mp4", "video/x-ms-asf"):
            return claimed  # .m4a with a generic isom brand, .wma in ASF
        return None
    if found is None or found.mime_type in _WEAK_SIGNATURES:
        return None
    return found
