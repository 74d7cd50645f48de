"""One spelling for a language, whoever names it: ISO 639-2/B, as Matroska and Jellyfin write it.

Matroska tracks say ``fre``, MP4 tracks ``fra`` (the /T form), sidecar files ``fr``, ``fr-CA`` or
``French``; a client choosing a subtitle or an audio track by language must see one code.
"""

from babelfish import Error, Language

#: "Undetermined", "no linguistic content", "uncoded": no language at all.
_NONE = frozenset({"und", "zxx", "mis", "mul", "qaa"})
_PARSERS = (Language.fromietf, Language.fromalpha3b, lambda text: Language.fromname(text.title()))


def language_code(text):
    """``"fr"``, ``"fra"``, ``"fre"``, ``"fr-CA"``, ``"French"`` → ``"fre"``; None when unknown."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    # A region or script the table does not know (``es-419``) still names its language.
    for candidate in dict.fromkeys((text, text.replace("_", "-").split("-")[0])):
        for parse in _PARSERS:
            try:
                language = parse(candidate)
            except (Error, ValueError, KeyError):
                continue
            code = getattr(language, "alpha3b", None) or language.alpha3
            return None if code in _NONE else code
    return None
