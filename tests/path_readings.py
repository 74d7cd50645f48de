"""How a path's text may be read by the layers between a client and the filesystem, decoded with
the standard library, independently of security/paths.py."""

import unicodedata
from urllib.parse import unquote


def readings(text):
    """``text`` percent-decoded up to three times, NFKC-normalised, backslashes as separators."""
    forms, layer = {text}, text
    for _ in range(3):
        layer = unquote(layer, errors="replace")
        forms.add(layer)
    forms |= {unicodedata.normalize("NFKC", form) for form in forms}
    return {form.replace("\\", "/") for form in forms}
