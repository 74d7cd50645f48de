"""Spend the calling user's inotify watches (``fs.inotify.max_user_watches``), then hold them.

Run as ``python -m tests.inotify_exhaust DIRECTORY`` by a dedicated account: the limit counts per
user, so this reaches it for that account alone. Prints ``exhausted N`` once no watch is left,
then sleeps until it is killed. Inotify counts one watch per instance and inode, so a few
thousand files watched from a hundred instances are enough.
"""

import ctypes
import errno
import os
import sys
import time
from pathlib import Path

IN_ATTRIB = 0x00000004
INSTANCES = 100


def main(directory):
    libc = ctypes.CDLL(None, use_errno=True)
    limit = int(Path("/proc/sys/fs/inotify/max_user_watches").read_text())
    files = Path(directory)
    files.mkdir(parents=True, exist_ok=True)
    count = limit // INSTANCES + 1
    names = []
    for number in range(count):
        path = files / f"{number:06}"
        path.touch()
        names.append(os.fsencode(path))
    instances, added = [], 0
    for _ in range(INSTANCES):
        instance = libc.inotify_init1(os.O_CLOEXEC)
        if instance < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        instances.append(instance)
        for name in names:
            if libc.inotify_add_watch(instance, name, IN_ATTRIB) < 0:
                if ctypes.get_errno() == errno.ENOSPC:
                    print(f"exhausted {added}", flush=True)
                    while True:
                        time.sleep(3600)
                raise OSError(ctypes.get_errno(), "inotify_add_watch")
            added += 1
    raise SystemExit(f"the limit ({limit}) was not reached with {added} watches")


if __name__ == "__main__":
    main(sys.argv[1])
