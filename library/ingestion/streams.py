"""The shape of one stream of an asset (a video, audio or subtitle track), as the API shows it.

Modelled on what Jellyfin's ``MediaStreams`` tell a player: the codec, the language (ISO 639-2/B),
the default/forced/hearing-impaired flags, whether the track is a file of its own (``external``),
and per type the picture size and frame rate or the channels and sample rate. Every stream has
every key (None or False when unknown), so a client never tests for presence.
"""

VIDEO, AUDIO, SUBTITLE = "video", "audio", "subtitle"
TYPES = (VIDEO, AUDIO, SUBTITLE)

#: key → the type its value must have (None always allowed), in the order the API lists them.
FIELDS = {
    "index": int,
    "type": str,
    "codec": str,
    "profile": str,
    "language": str,
    "title": str,
    "default": bool,
    "forced": bool,
    "hearing_impaired": bool,
    "external": bool,
    "width": int,
    "height": int,
    "frame_rate": float,
    "channels": int,
    "channel_layout": str,
    "sample_rate": int,
    "bit_rate": int,
}
FLAGS = ("default", "forced", "hearing_impaired", "external")
#: Text from a file is cut to this many characters (a track title is a line, not a document).
MAX_TEXT = 200


def stream(type, index, **values):
    """One stream as stored and shown: every key of :data:`FIELDS`, values of the right type."""
    if type not in TYPES:
        raise ValueError(f"unknown stream type {type!r}")
    shaped = {}
    for key, kind in FIELDS.items():
        value = {"type": type, "index": index, **values}.get(key)
        if key in FLAGS:
            shaped[key] = bool(value)
        elif value is None or value == "":
            shaped[key] = None
        elif kind is str:
            shaped[key] = str(value).strip()[:MAX_TEXT] or None
        elif kind is float:
            shaped[key] = round(float(value), 3)
        else:
            shaped[key] = int(value)
    return shaped
