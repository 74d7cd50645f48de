"""Disk full: a write that finds no room answers 507 ``storage_full`` (never a 500) and leaves the
database whole; once space is freed, writes succeed again without a restart.

A real engine process whose data directory (SQLite database and its WAL) is a small tmpfs that
the test fills to the last byte.
"""

import errno
import sqlite3

import pytest

from tests.fault_support import Engine, tmpfs

pytestmark = pytest.mark.services
MAX_ATTEMPTS = 400


def fill(directory):
    """Write a file until the filesystem has no byte left; returns its path."""
    filler = directory / "filler"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(block)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        try:
            while True:
                handle.write(b"\0")
        except OSError:
            pass
    return filler


def test_writes_on_a_full_disk_answer_507_and_leave_the_database_whole(tmp_path):
    with tmpfs(tmp_path / "data", size="24m") as data:
        engine = Engine(data)
        with engine.serve():
            assert engine.request("GET", "/profiles").status_code == 200
            filler = fill(data)
            created, refused = [], None
            for number in range(MAX_ATTEMPTS):
                name = f"listener-{number:03d}-" + "x" * 30
                response = engine.request("POST", "/profiles", json={"display_name": name, "role": "Consumer"})
                if response.status_code != 201:
                    refused = response
                    break
                created.append(name)
            assert refused is not None, f"{MAX_ATTEMPTS} profiles fitted on a full disk"
            assert refused.status_code == 507, refused.text
            assert refused.json()["code"] == "storage_full"
            # Reads keep working on a full disk.
            assert engine.request("GET", "/library/works").status_code == 200

            filler.unlink()
            after = engine.request("POST", "/profiles", json={"display_name": "after", "role": "Consumer"})
            assert after.status_code == 201, after.text

        with sqlite3.connect(data / "engine.sqlite3") as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = sorted(name for (name,) in connection.execute("SELECT display_name FROM library_profile WHERE is_owner = 0"))
        assert stored == sorted([*created, "after"])
