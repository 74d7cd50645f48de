"""Real library rows over real files for the streaming tests, made by the real scanner.

``add_file`` writes a file and scans its folder, so each asset, work and location is what a scan
of that file records. The scanner takes in media only: :func:`mp4`, :func:`matroska` and
:func:`flac` give test bytes the signature their name claims.
"""

import os

from library.folders.services import create_folder
from library.ingestion.services import run_job, start_foreground_scan
from library.models import AssetLocation
from security.audit import Actor

#: The first bytes each container is recognised by (``library.ingestion.detect.sniff``).
MP4_SIGNATURE = b"\x00\x00\x00\x18ftypisom"
MATROSKA_SIGNATURE = b"\x1a\x45\xdf\xa3"
FLAC_SIGNATURE = b"fLaC"


def mp4(body=b""):
    return MP4_SIGNATURE + body


def matroska(body=b""):
    return MATROSKA_SIGNATURE + body


def flac(body=b""):
    return FLAC_SIGNATURE + body


def make_root(directory, enabled=True):
    """A library folder, created as ``POST /settings/folders`` creates one."""
    directory.mkdir(parents=True, exist_ok=True)
    return create_folder(path=str(directory), enabled=enabled, actor=Actor("test setup"))


def scan(root):
    """Scan ``root`` in the foreground, as ``manage.py scan`` does."""
    return run_job(start_foreground_scan(root).pk)


def add_file(root, relative, content):
    """Write ``content`` at ``relative`` inside ``root``, scan the folder, return the file's asset."""
    path = os.path.join(root.path, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
    scan(root)
    return AssetLocation.objects.select_related("asset").get(root=root, raw_path=os.fsencode(relative)).asset
