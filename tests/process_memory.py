"""The memory a process and all its descendants hold, as the kernel reports it (``/proc``)."""

import contextlib
import threading
from pathlib import Path

MIB = 1024 * 1024


def descendants(pid):
    """``pid`` and every process below it, found through ``/proc/<pid>/task/<tid>/children``."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                stack.extend(int(child) for child in (task / "children").read_text().split())
    return found


def rss(pid):
    """Resident set size of ``pid`` in bytes (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid):
    """The summed resident set size of ``pid`` and its descendants, in bytes."""
    return sum(rss(member) for member in descendants(pid))


class PeakMemory:
    """Samples :func:`tree_rss` of ``pid`` every ``interval`` seconds in a thread; ``peak`` is the
    highest seen between ``start`` and ``stop`` (a context manager)."""

    def __init__(self, pid, interval=0.02):
        self.pid, self.interval = pid, interval
        self.baseline = tree_rss(pid)
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, tree_rss(self.pid))

    @property
    def growth(self):
        return self.peak - self.baseline

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False
