"""Cover art: found during ingestion, kept once per content hash, served at the sizes asked.

``extract`` finds a file's picture (embedded in its tags, the cover its EPUB names, the first
page of a comic) or its folder's (``cover.jpg``, ``folder.jpg``…) and ``pictures`` decodes it
with Pillow under a pixel limit: plain functions of a path returning plain data, as the other
parsers, so a sandboxed worker can run them. ``store`` keeps the verified bytes under the data
directory, a row per picture; ``renditions`` makes and caches the thumbnails; ``views`` serves
``GET /library/works/{id}/artwork``.
"""
