"""Whether a library root may be scanned, and whether it stayed the same folder to the end.

A scan marks the files it did not meet as missing, which is right only if it saw the real
folder the whole time: not an empty mount point (a drive not mounted), not a folder swapped for
a symbolic link, not one that was unmounted or made unreadable half-way.
"""

import os

from library.folders.services import refresh_health
from library.ingestion.walk import RootUnavailable
from library.models import AssetLocation
from security import paths


class RootGuard:
    def __init__(self, root):
        self.root = root
        self.root_bytes = os.fsencode(root.path)
        self._identity = None

    def check_before(self):
        """The root must still be the validated real path, and readable, before anything is touched."""
        real = os.path.realpath(self.root.path)
        if real != self.root.path:
            raise RootUnavailable("The folder's path now leads elsewhere (a symbolic link was put in its place).")
        paths.check_location(real, data_dir=paths.engine_data_dir())
        refresh_health(self.root)
        if not (self.root.accessible and self.root.readable):
            raise RootUnavailable("The folder is not accessible or not readable.")
        self._identity = _identity(self.root_bytes)
        if self._looks_unmounted():
            raise RootUnavailable(
                "The folder is empty but files were found in it before; it looks unmounted, so nothing is marked missing."
            )

    def check_after(self):
        """Files not met in a walk are marked missing only if the root was there the whole time:
        the same device and inode, still readable, at the end means the walk saw the real folder."""
        refresh_health(self.root)
        if _identity(self.root_bytes) != self._identity or not (self.root.accessible and self.root.readable):
            raise RootUnavailable("The folder became unavailable during the scan (unmounted, moved or unreadable); nothing was marked missing.")

    def _looks_unmounted(self):
        """An empty root that had present files is a drive not mounted (the empty mount point
        shows), not a library whose every file was deleted: Sonarr's rule, for the same reason."""
        try:
            with os.scandir(self.root_bytes) as listing:
                if next(listing, None) is not None:
                    return False
        except OSError:
            return False  # unreadable is for the walk to report
        return AssetLocation.objects.filter(root=self.root, missing_since__isnull=True).exists()


def _identity(path):
    """``(device, inode)`` of a directory, or None when it cannot be reached."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino
