"""Case- and accent-insensitive search text, shared by whoever writes works and by ``?q=``."""

import unicodedata


def fold(text):
    """``"Beyoncé"`` → ``"beyonce"``: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def search_text(work):
    """The folded title, artist/author and album/series a work is found by."""
    parts = (work.title, work.artist, work.author, work.album, work.series)
    return " ".join(fold(part) for part in parts if part)
