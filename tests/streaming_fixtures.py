"""Real library rows over real files for the streaming tests."""

import hashlib
import os

from library.models import Asset, AssetLocation, LibraryRoot, Work


def make_root(directory, enabled=True):
    directory.mkdir(parents=True, exist_ok=True)
    return LibraryRoot.objects.create(path=os.path.realpath(directory), enabled=enabled, accessible=True, readable=True)


def add_file(root, relative, content, mime_type="video/mp4"):
    """Write ``content`` at ``relative`` inside ``root`` and record it as a scan would."""
    path = os.path.join(root.path, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
    status = os.stat(path)
    work = Work.objects.create(title=os.path.basename(relative))
    asset = Asset.objects.create(
        work=work, content_hash=hashlib.sha256(content).hexdigest(), size=len(content), mime_type=mime_type
    )
    AssetLocation.objects.create(
        asset=asset, root=root, raw_path=os.fsencode(relative), relative_path=relative,
        size=status.st_size, mtime_ns=status.st_mtime_ns,
    )
    return asset
