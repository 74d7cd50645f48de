"""KOReader's document fingerprint (its "partial MD5"), the id its progress sync names a book by.

KOReader (``frontend/util.lua``, ``util.partialMD5``) hashes at most twelve 1 KiB samples of a
file with MD5, taken at ``lshift(1024, 2*i)`` for ``i = -1 … 10``: LuaJIT's ``bit.lshift`` takes
the shift modulo 32 on 32-bit integers, so ``i = -1`` is ``1024 << 30``, which overflows to 0;
then 1 KiB, 4 KiB, 16 KiB, … 1 GiB. A sample cut short by the end of the file is hashed as far as
it goes, and the first offset at or past the end stops the sampling. The head of the file weighs
most, so a PDF that KOReader appends highlights to keeps its id.

A plain function of an open descriptor like :func:`library.ingestion.hashing.fingerprint`: no
Django, a string as the result, so it runs wherever the other readers run.
"""

import hashlib
import os

SAMPLE = 1024
#: ``lshift(1024, 2*i)`` for ``i = -1 … 10``, with LuaJIT's 32-bit shift.
OFFSETS = tuple(((SAMPLE << ((2 * i) % 32)) & 0xFFFFFFFF) for i in range(-1, 11))
#: Categories KOReader opens as documents (see ``library.ingestion.detect``).
DOCUMENT_CATEGORIES = frozenset({"ebook", "comic"})


def partial_md5(fd):
    """KOReader's partial MD5 (32 lowercase hex digits) of the file open as ``fd``."""
    digest = hashlib.md5(usedforsecurity=False)
    for offset in OFFSETS:
        sample = os.pread(fd, SAMPLE, offset)
        if not sample:
            break
        digest.update(sample)
    return digest.hexdigest()
