"""The one validator for every filesystem path a client sends (folders, test-path).

The original engine compared the raw string against a deny-list, which ``//etc``, ``/./etc``,
``/music/../etc``, encoded dots and symlinks all slipped through; Django's ``safe_join`` would not
have helped either, because it uses ``abspath`` and never follows symlinks. Here a path passes two
gates, in this order:

1. :func:`check_syntax` refuses the *text*: relative paths, ``..`` segments in every form a server,
   a browser or the OS might decode (percent-encoded once or twice, overlong UTF-8, backslashes,
   Unicode that NFKC-normalises to ``.``, ``/`` or ``\\``), control characters, Windows drive,
   UNC and device paths, and over-long paths or names.
2. :func:`check_location` refuses the *place*: the resolved real path (every symlink followed)
   may not equal, lie inside or contain a system directory or the engine's data directory, and
   may not be ``/home`` or ``/tmp`` themselves.

:func:`validate_path` runs both and returns the resolved path; :class:`PathRefused` carries a
machine ``code`` the API puts in its JSON error. The functions are pure apart from reading the
filesystem to resolve symlinks, so they can be tested on their own.
"""

import os
import re
import unicodedata
from urllib.parse import unquote_to_bytes

from django.conf import settings

from engine.errors import BadInput

#: Linux's PATH_MAX and NAME_MAX, in bytes of the UTF-8 encoding.
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
#: How many layers of percent-encoding are peeled off looking for a hidden ``..``.
DECODE_LAYERS = 3

#: A root may be neither these, nor inside them, nor contain them (compared case-insensitively,
#: since macOS volumes usually are, and only here). ``/`` is special-cased: everything lies inside it.
SYSTEM_DIRECTORIES = (
    "/etc", "/usr", "/bin", "/sbin", "/boot", "/root", "/proc", "/sys", "/dev", "/run",
    "/var/lib", "/var/log",
    # macOS
    "/System", "/Library", "/private",
)
#: Every top-level ``/lib*`` (lib, lib32, lib64, libx32, libexec…).
SYSTEM_PREFIX_PATTERN = re.compile(r"^/lib[^/]*(/|$)", re.IGNORECASE)
#: Windows system folders as a Linux host sees them through WSL or a mounted disk (/mnt/c/Windows).
WINDOWS_SYSTEM_NAMES = ("windows", "program files", "program files (x86)", "programdata")
MOUNTED_DRIVE_PATTERN = re.compile(r"^/mnt/[a-z]/([^/]+)(/|$)", re.IGNORECASE)
#: Shared parents: a root below them is fine, the directory itself (or anything containing it) is not.
SHARED_PARENTS = ("/home", "/tmp", "/Users", "/private/tmp", "/private/var/folders")
#: Exceptions to ``/private`` on macOS, where /tmp and per-user temp directories really live.
PRIVATE_EXCEPTIONS = ("/private/tmp", "/private/var/folders")

WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
#: Names Windows opens as a device whatever follows the first dot, and with trailing dots and
#: spaces dropped: ``NUL.mp3``, ``aux.``, ``COM¹``, the console's ``CONIN$``.
WINDOWS_DEVICE_NAMES = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)(\..*)?$", re.IGNORECASE)
#: NTFS alternate data streams: ``name::$DATA``, ``name:stream:$DATA``, ``file.ext:stream``.
#: ``Artist: Live`` and ``Ratio 2:1`` are ordinary names.
ALTERNATE_DATA_STREAM = re.compile(r"::|:\$[A-Za-z_]+$|^[^:]+\.[A-Za-z0-9]{1,8}:[^:\s]+$")
#: Unicode's bidirectional formatting characters, which make a name display as another
#: (``evil\u202egalf.mp3`` shows as ``evilpm3.flag``).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class PathRefused(BadInput):
    """A path the engine will not accept; ``code`` names the rule it breaks."""


# --- gate 1: the text ---------------------------------------------------------------------------


def _overlong_decode(data):
    """Decode bytes as UTF-8, but also accept overlong forms (``C0 AE`` for ``.``).

    Strict decoders refuse them; lenient ones (old IIS, some Java and PHP stacks) turn them into
    the short character, which is exactly how ``%c0%ae%c0%ae/`` became ``../``.
    """
    out = []
    i = 0
    while i < len(data):
        byte = data[i]
        if byte in (0xC0, 0xC1) and i + 1 < len(data):
            out.append(chr(((byte & 0x1F) << 6) | (data[i + 1] & 0x3F)))
            i += 2
        elif byte == 0xE0 and i + 2 < len(data) and data[i + 1] < 0xA0:
            out.append(chr(((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)))
            i += 3
        elif byte == 0xF0 and i + 3 < len(data) and data[i + 1] < 0x90:
            out.append(chr(((data[i + 2] & 0x3F) << 6) | (data[i + 3] & 0x3F)))
            i += 4
        else:
            out.append(data[i : i + 1].decode("latin-1") if byte < 0x80 else chr(0xFFFD))
            i += 1
    return "".join(out)


def decoded_forms(raw):
    """Every reading of ``raw`` some layer might act on: itself, NFKC, percent-decoded (1–3×),
    overlong-UTF-8-decoded, and the NFKC of each."""
    forms = [raw]
    layer = raw
    for _ in range(DECODE_LAYERS):
        data = unquote_to_bytes(layer)
        decoded = data.decode("utf-8", errors="replace")
        forms.extend([decoded, _overlong_decode(data)])
        if decoded == layer:
            break
        layer = decoded
    forms.extend([unicodedata.normalize("NFKC", form) for form in forms])
    return forms


def _has_dot_dot_segment(text):
    return any(segment == ".." for segment in re.split(r"[/\\]", text))


def check_syntax(raw):
    """Refuse a path by its text alone; return it unchanged when it passes."""
    if not isinstance(raw, str) or not raw:
        raise PathRefused("A path is required.", "path_required")
    try:
        encoded = raw.encode("utf-8")
    except UnicodeEncodeError:
        raise PathRefused("The path is not valid Unicode text.", "invalid_encoding") from None
    if any(unicodedata.category(char) == "Cc" for char in raw) or "\u2028" in raw or "\u2029" in raw:
        raise PathRefused("The path contains NUL or control characters.", "control_character")
    _check_hidden_characters(decoded_forms(raw))
    if len(encoded) > MAX_PATH_BYTES:
        raise PathRefused(f"The path is longer than {MAX_PATH_BYTES} bytes.", "path_too_long")
    if raw.startswith(("\\\\", "//", "\\/", "/\\")):
        raise PathRefused("UNC and device paths (\\\\server\\share, \\\\?\\, //host) are not accepted.", "unc_path")
    if WINDOWS_DRIVE.match(raw):
        raise PathRefused("Windows drive paths (C:\\...) are not accepted; use the server's absolute path.", "windows_drive")
    if "\\" in raw:
        raise PathRefused("The path contains a backslash, which some systems read as a separator.", "backslash")
    if not raw.startswith("/"):
        raise PathRefused("The path must be absolute (start with /).", "relative_path")
    for form in decoded_forms(raw):
        if _has_dot_dot_segment(form):
            raise PathRefused("The path contains a '..' segment (possibly encoded).", "traversal")
    normalised = unicodedata.normalize("NFKC", raw)
    for separator in ("/", "\\"):
        if normalised.count(separator) != raw.count(separator):
            raise PathRefused("The path contains a character that normalises to a separator.", "lookalike_separator")
    for name in raw.split("/"):
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            raise PathRefused(f"A name in the path is longer than {MAX_NAME_BYTES} bytes.", "name_too_long")
    _check_windows_names(decoded_forms(raw))
    return raw


def _invisible(char):
    return unicodedata.category(char) in ("Cc", "Cf")


def _check_hidden_characters(forms):
    """Characters that hide what a name is, in every reading of it (an encoded one included)."""
    for form in forms:
        if any(char in BIDI_CONTROLS for char in form):
            raise PathRefused("The path contains a Unicode bidirectional control, which makes a name display as another.", "bidi_control")
    for form in forms:
        for segment in re.split(r"[/\\]", form):
            visible = "".join(char for char in segment if not _invisible(char))
            if visible in (".", "..") and visible != segment:
                raise PathRefused("The path has dots separated only by invisible or control characters.", "disguised_dot_segment")
    for form in forms:
        if any(unicodedata.category(char) == "Cc" for char in form):
            raise PathRefused("The path contains NUL or control characters (percent-encoded).", "control_character")


def _check_windows_names(forms):
    """Names that mean something else to Windows, refused on every system: a library is often a
    share that Windows clients, Samba or WSL open too."""
    for form in forms:
        for name in form.split("/"):
            if WINDOWS_DEVICE_NAMES.match(name.rstrip(" .")):
                raise PathRefused("Windows device names (CON, NUL.mp3, COM1, CONIN$…) are not accepted.", "windows_device_name")
            if ALTERNATE_DATA_STREAM.search(name):
                raise PathRefused("NTFS alternate data streams (name::$DATA, file.ext:stream) are not accepted.", "alternate_data_stream")


# --- gate 2: the place --------------------------------------------------------------------------


def _exact(path):
    return os.fsencode(path).rstrip(b"/") or b"/"


def is_within(path, parent):
    """Whether ``path`` is ``parent`` or lies below it (both absolute and normalised, text or
    bytes), compared exactly: the one containment rule of the scanner and the stream.

    On a case-sensitive filesystem ``/srv/Music`` is another directory than ``/srv/music``;
    folding case here once let a symlink into it be scanned as part of the library.
    """
    path, parent = _exact(path), _exact(parent)
    return parent == b"/" or path == parent or path.startswith(parent + b"/")


def overlaps(first, second):
    """Whether one path equals or contains the other: two library roots may not."""
    return is_within(first, second) or is_within(second, first)


def _fold(path):
    return path.rstrip("/").casefold() or "/"


def _within_folded(path, parent):
    """:func:`is_within` ignoring case, for the protected directories alone: on a volume that
    ignores case (macOS's usually do) ``/ETC`` is ``/etc``, and refusing a little more is safe."""
    path, parent = _fold(path), _fold(parent)
    return parent == "/" or path == parent or path.startswith(parent + "/")


def _overlaps_folded(first, second):
    return _within_folded(first, second) or _within_folded(second, first)


def _protected(real, data_dir):
    """The protected directory ``real`` collides with, or None."""
    if _fold(real) == "/":
        return "/"
    for directory in SYSTEM_DIRECTORIES:
        if directory == "/private" and any(_within_folded(real, allowed) and _fold(real) != _fold(allowed) for allowed in PRIVATE_EXCEPTIONS):
            continue
        if _overlaps_folded(real, directory):
            return directory
    if SYSTEM_PREFIX_PATTERN.match(real):
        return "/" + real.split("/")[1]
    mounted = MOUNTED_DRIVE_PATTERN.match(real)
    if mounted and mounted.group(1).casefold() in WINDOWS_SYSTEM_NAMES:
        return real[: mounted.end(1)]
    for parent in SHARED_PARENTS:
        if _within_folded(parent, real):
            return parent
    if data_dir:
        data_real = os.path.realpath(str(data_dir))
        if _overlaps_folded(real, data_real):
            return "the engine's data directory"
    return None


def resolve(raw):
    """The real path: ``..`` and ``.`` removed and every existing symlink followed."""
    return os.path.realpath(raw)


def check_location(real, *, data_dir=None):
    """Refuse a resolved path that collides with a system directory or the data directory."""
    if len(real.encode("utf-8", errors="surrogateescape")) > MAX_PATH_BYTES:
        raise PathRefused(f"The resolved path is longer than {MAX_PATH_BYTES} bytes.", "path_too_long")
    collision = _protected(real, data_dir)
    if collision is not None:
        raise PathRefused(
            f"The path resolves to or overlaps a protected location ({collision}); choose a folder of your own.",
            "protected_path",
        )
    return real


def validate_path(raw, *, data_dir=None):
    """Both gates; returns the resolved real path a library root is stored under.

    The place is checked as spelled (``/proc/self/cwd`` is refused although it resolves to
    wherever the engine runs) and as resolved (a symlink to ``/etc`` is refused wherever it is).
    """
    check_syntax(raw)
    check_location(os.path.normpath(raw), data_dir=data_dir)
    return check_location(resolve(raw), data_dir=data_dir)


def engine_data_dir():
    """The configured data directory, read at call time so tests can override it."""
    return settings.MEDIA_ENGINE["DATA_DIR"]


def validate_client_path(raw):
    """:func:`validate_path` against this engine's own data directory: what views and services call."""
    return validate_path(raw, data_dir=engine_data_dir())
