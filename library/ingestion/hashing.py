"""Streaming SHA-256 of a file, in one pass that also keeps the first bytes for sniffing."""

import hashlib
import os

CHUNK = 1024 * 1024


def fingerprint(fd, *, head_bytes=64):
    """``(sha256 hex, size read, first bytes)`` of an open file descriptor, read once from the start.

    A 1 MiB reused buffer keeps memory flat on 50 GB files and lets ``readinto`` skip a copy.
    """
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    head = b""
    size = 0
    with os.fdopen(os.dup(fd), "rb", buffering=0) as stream:
        stream.seek(0)
        while True:
            count = stream.readinto(buffer)
            if not count:
                break
            if size == 0:
                head = bytes(view[:head_bytes])
            digest.update(view[:count])
            size += count
    return digest.hexdigest(), size, head
