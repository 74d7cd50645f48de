"""What the fault tests share: a provisioned engine process, media trees, tmpfs mounts, waiting.

The faults are real: a process killed with SIGKILL, a tmpfs unmounted or filled, a lock held by
another process. To break into a scan at a known point, the trees hold one large sparse WAV file
whose hashing takes a second or two; a test waits until the scanning process has that file open
(``/proc/<pid>/fd``) and strikes then, so no timing guess decides what is being tested.
"""

import contextlib
import os
import struct
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.process_memory import descendants
from tests.servers import EngineServer, engine_environment, manage, migrate

#: Large enough that hashing it leaves a comfortable window, small enough to keep the suite fast.
BIG_FILE_SIZE = 512 * 1024 * 1024
WAIT = 60.0


def wav_header(data_size, *, rate=8000):
    """A 44-byte PCM WAV header for ``data_size`` bytes of mono 16-bit samples."""
    return (
        b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data" + struct.pack("<I", data_size)
    )


def write_wav(path, salt, frames=400):
    """A small valid WAV whose content (hence content hash) is unique to ``salt``."""
    samples = (str(salt).encode() * frames)[: frames * 2].ljust(frames * 2, b"\0")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wav_header(len(samples)) + samples)
    return path


def write_big_wav(path, size=BIG_FILE_SIZE, salt=b""):
    """A WAV of ``size`` bytes that is nearly all hole: no disk (or tmpfs) space, real hashing time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(wav_header(size - 44) + salt)
        handle.truncate(size)
    return path


def media_tree(root, *, albums=3, tracks=20, big=None, big_size=BIG_FILE_SIZE):
    """``albums`` folders of ``tracks`` unique WAVs each, plus ``big`` (a name) at the top if given;
    returns the relative paths of every media file."""
    files = []
    for album in range(albums):
        for track in range(tracks):
            relative = f"album-{album:02d}/track-{track:03d}.wav"
            write_wav(root / relative, salt=f"{root.name}-{album}-{track}")
            files.append(relative)
    if big:
        write_big_wav(root / big, size=big_size, salt=root.name.encode())
        files.append(big)
    return sorted(files)


def open_paths(pid):
    """The paths of the files process ``pid`` and its descendants have open now (a scan's files
    are read by its reader processes)."""
    found = set()
    for member in descendants(pid):
        folder = Path(f"/proc/{member}/fd")
        with contextlib.suppress(OSError):
            for entry in folder.iterdir():
                with contextlib.suppress(OSError):
                    found.add(os.readlink(entry))
    return found


def wait_until(predicate, what, timeout=WAIT, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Gave up waiting for {what} after {timeout} s.")


def wait_for_open_file(pid, path):
    """Until process ``pid`` has ``path`` open (it is hashing it)."""
    path = str(path)
    wait_until(lambda: path in open_paths(pid), f"process {pid} to open {path}", interval=0.005)


@contextlib.contextmanager
def tmpfs(directory, size="16m"):
    """A tmpfs of ``size`` mounted on ``directory`` for the block; skips loudly if mounting is impossible."""
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"SKIPPED LOUDLY: cannot mount a tmpfs here ({mounted.stderr.strip()}); this fault needs root and mount.")
    try:
        yield directory
    finally:
        unmount(directory)


def unmount(directory):
    """Lazily unmount ``directory`` if something is mounted there (open files keep the old tree)."""
    if os.path.ismount(directory):
        subprocess.run(["umount", "-l", str(directory)], check=False, capture_output=True)


class Engine:
    """A migrated data directory, an Administrator key and (in a ``with`` block) a serving process."""

    def __init__(self, data_dir, **settings):
        settings.setdefault("RATE_GENERAL", "100000/m")
        settings.setdefault("RATE_STREAM", "100000/m")
        self.env = engine_environment(data_dir, **settings)
        migrate(self.env)
        self.key = manage(self.env, "apikey", "create", "--label", "faults", "--role", "Administrator").stdout.strip()
        self.server = None

    def serve(self, prefix=()):
        """The engine's server process; ``prefix`` is a command it runs under (``setpriv ...``)."""
        self.server = EngineServer(self.env)
        self.server.argv = [*prefix, *self.server.argv]
        return self.server

    @property
    def pid(self):
        return self.server.process.pid

    def request(self, method, path, *, headers=None, **kwargs):
        kwargs.setdefault("timeout", 30)
        headers = {"X-Api-Key": self.key, **(headers or {})}
        return httpx.request(method, f"{self.server.url}{path}", headers=headers, **kwargs)

    def add_folder(self, path):
        response = self.request("POST", "/settings/folders", json={"path": str(path)})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def start_scan(self, folder_id):
        response = self.request("POST", "/ingestion/scan", json={"folder_id": folder_id})
        assert response.status_code == 202, response.text
        return response.json()["id"]

    def job(self, job_id):
        response = self.request("GET", f"/ingestion/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_job(self, job_id, timeout=WAIT):
        return wait_until(
            lambda: (job := self.job(job_id))["state"] in ("completed", "failed") and job, f"job {job_id} to end", timeout, 0.05
        )

    def works(self):
        """Every work in full, as an Administrator sees it (assets with their locations)."""
        ids, url = [], "/library/works?page_size=500"
        while url:
            page = self.request("GET", url)
            assert page.status_code == 200, page.text
            body = page.json()
            ids.extend(work["id"] for work in body["results"])
            url = body["next"] and body["next"].split(self.server.url, 1)[-1]
        return [self.request("GET", f"/library/works/{work_id}").json() for work_id in ids]

    def locations(self):
        """``({path: [asset ids]}, [missing paths], [asset ids])`` over the whole library."""
        present, missing, assets = {}, [], []
        for work in self.works():
            for asset in work["assets"]:
                assets.append(asset["id"])
                for location in asset["locations"]:
                    if location["missing"]:
                        missing.append(location["path"])
                    else:
                        present.setdefault(location["path"], []).append(asset["id"])
        return present, missing, assets
