"""Case- and accent-insensitive search: the folded text works are found by, and the one selector
that finds them (``?q=``, the Django admin, and whatever lists works next).

A work matches when its folded text holds every word of the query, each anywhere (``"ngerous"``
finds "Dangerously in Love", as ``LIKE '%term%'`` did). The database index answers that
(``library.search_index``): on SQLite an FTS5 trigram query for each word of three characters or
more, on PostgreSQL the same ``LIKE`` answered by a pg_trgm GIN index. Shorter words have no
trigram and are matched by ``LIKE`` among what the longer ones selected.
"""

import unicodedata

from django.db import connections
from django.db.models.expressions import RawSQL

from library import search_index

#: FTS5's trigram tokenizer matches words of at least three characters.
MIN_INDEXED = 3


def fold(text):
    """``"Beyoncé"`` → ``"beyonce"``: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def search_text(work):
    """The folded title, artist/author and album/series a work is found by."""
    parts = (work.title, work.artist, work.author, work.album, work.series)
    return " ".join(fold(part) for part in parts if part)


def words(q):
    """The folded words of a query; control characters are no part of any title."""
    text = "".join(char for char in fold(q) if not unicodedata.category(char).startswith("C") or char.isspace())
    return text.split()


def _fts_phrase(word):
    """A word as an FTS5 string: quoted, so ``AND``, ``NEAR``, ``*``, ``-`` or ``^`` are text."""
    return '"' + word.replace('"', '""') + '"'


def search_works(queryset, q):
    """``queryset`` (works) narrowed to those matching every word of ``q``."""
    terms = words(q)
    if not terms:
        return queryset
    connection = connections[queryset.db]
    if connection.vendor == "sqlite" and search_index.sqlite_index_ready(connection):
        indexed = [term for term in terms if len(term) >= MIN_INDEXED]
        if indexed:
            match = " ".join(_fts_phrase(term) for term in indexed)
            queryset = queryset.filter(
                pk__in=RawSQL(f"SELECT rowid FROM {search_index.TABLE} WHERE {search_index.TABLE} MATCH %s", [match])
            )
        terms = [term for term in terms if len(term) < MIN_INDEXED]
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset
