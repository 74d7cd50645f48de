"""Real servers for tests: redis-server, engine processes, or any other binary, on loopback.

Each server runs as a child process on a free random loopback port, with a readiness probe, and
is stopped (and its log shown on failure) when the ``with`` block ends. A test that needs a
binary that is not installed skips with a loud reason instead of failing.
"""

import glob
import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
#: The embedded database's file in a data directory (engine/settings.py).
DATABASE_FILE = "engine.sqlite3"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def require_binary(name, *, search=()):
    """The path of ``name`` (also looked up in ``search`` directories), or skip the test."""
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in search if (Path(d) / name).exists()), None
    )
    if found is None:
        pytest.skip(f"SKIPPED LOUDLY: {name} is not installed; this test needs a real {name}.")
    return found


def port_accepts(port, host=LOOPBACK):
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class ServerProcess:
    """A child process that is ready once ``ready()`` says so; a context manager.

    Output goes to a log file (not a pipe, which a chatty server could fill and block on); the
    log is part of the error when the server dies or never becomes ready.
    """

    #: Extra ``subprocess.Popen`` arguments (PostgreSQL runs as its own unprivileged ``user``).
    popen_options = {}

    def __init__(self, name, argv, *, ready, env=None, cwd=None, timeout=30.0):
        self.name, self.argv, self.ready, self.env, self.cwd, self.timeout = name, argv, ready, env, cwd, timeout
        self.process = None
        self.log_path = None

    def start(self):
        handle, self.log_path = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")
        with os.fdopen(handle, "wb") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                **self.popen_options,
            )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            if self.ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready in {self.timeout} s:\n{self.log()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self):
        return Path(self.log_path).read_text(errors="replace")[-4000:] if self.log_path else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


class RedisServer(ServerProcess):
    """``redis-server`` on a random loopback port, nothing persisted to disk."""

    def __init__(self):
        binary = require_binary("redis-server")
        self.port = free_port()
        argv = [binary, "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        super().__init__("redis", argv, ready=lambda: port_accepts(self.port))

    @property
    def url(self):
        return f"redis://{LOOPBACK}:{self.port}/0"


def engine_environment(data_dir, **settings):
    """The environment of an engine process: this one's, minus every ``MEDIA_ENGINE_*`` and
    Django setting inherited from the test run, plus ``settings`` (``REDIS_URL="..."`` becomes
    ``MEDIA_ENGINE_REDIS_URL``)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MEDIA_ENGINE_") and name != "DJANGO_SETTINGS_MODULE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "engine.settings"
    env["MEDIA_ENGINE_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    # Look-ups queued after a scan must not reach the real providers from a test server.
    env["MEDIA_ENGINE_TMDB_URL"] = env["MEDIA_ENGINE_MUSICBRAINZ_URL"] = "http://127.0.0.1:9"
    # Scans start when a test asks for them: the watching tests turn the watcher on themselves.
    env["MEDIA_ENGINE_WATCH"] = "false"
    for name, value in settings.items():
        env[f"MEDIA_ENGINE_{name}"] = str(value)
    return env


_TEMPLATE = {}


def migrate(env):
    """``manage.py migrate`` for ``env``'s data directory, the embedded SQLite database copied from
    a template migrated once per test run (a migration costs a Django start-up and a second of
    SQL; about twenty data directories need one). Other databases are migrated for real."""
    if env.get("MEDIA_ENGINE_DATABASE_URL"):
        manage(env, "migrate", "--no-input")
        return
    target = Path(env["MEDIA_ENGINE_DATA_DIR"]) / DATABASE_FILE
    if target.exists():
        manage(env, "migrate", "--no-input")
        return
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="media-engine-template-"))
        manage(engine_environment(folder), "migrate", "--no-input")
        _TEMPLATE["path"] = folder / DATABASE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):  # the write-ahead log too, should the migration have left one
        source = Path(f"{_TEMPLATE['path']}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")


def migrate_until(env, stops):
    """``manage.py migrate`` for ``env`` with the apps of ``stops`` ({app: migration}) stopped at
    that migration and every other app fully migrated: an engine as an older version left it."""
    script = (
        "from django.db import connection\n"
        "from django.db.migrations.executor import MigrationExecutor\n"
        f"stops = {dict(stops)!r}\n"
        "executor = MigrationExecutor(connection)\n"
        "leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in stops]\n"
        "executor.migrate(leaves + list(stops.items()))\n"
    )
    manage(env, "shell", "-c", script)


def manage(env, *args, input=None, check=True):
    """Run ``manage.py`` with ``env``; returns the completed process (stdout, stderr as text)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, cwd=ROOT, input=input, capture_output=True, text=True, timeout=120,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


class EngineServer(ServerProcess):
    """``manage.py serve`` on a random loopback port, ready once ``/system/status`` answers.

    ``env`` comes from :func:`engine_environment`; run :func:`migrate` first.
    """

    def __init__(self, env, *, timeout=60.0):
        self.port = free_port()
        argv = [sys.executable, str(ROOT / "manage.py"), "serve", "--host", LOOPBACK, "--port", str(self.port)]
        super().__init__("engine", argv, ready=self._answers, env=env, cwd=ROOT, timeout=timeout)

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"

    def _answers(self):
        try:
            return httpx.get(f"{self.url}/system/status", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False


POSTGRES_SEARCH = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
#: The unprivileged account PostgreSQL runs as when the tests run as root (initdb and postgres
#: refuse to run as root): Debian's ``postgres`` when it exists, else one made for the tests.
POSTGRES_ACCOUNTS = ("postgres", "media-engine-pg")


def _postgres_account():
    """``None`` when not root (the cluster runs as the current user), else (user, group) names."""
    if os.geteuid() != 0:
        return None
    for name in POSTGRES_ACCOUNTS:
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
        except KeyError:
            continue
    name = POSTGRES_ACCOUNTS[-1]
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return name, name


class PostgresServer(ServerProcess):
    """A throwaway PostgreSQL cluster: ``initdb`` into a temporary folder, then ``postgres`` on a
    random loopback port with its socket in that folder, fsync off; the folder goes when it stops.

    The superuser ``engine`` has a password generated here, and owns the database ``engine``.
    """

    def __init__(self):
        self.initdb = require_binary("initdb", search=POSTGRES_SEARCH)
        binary = require_binary("postgres", search=POSTGRES_SEARCH)
        self.port = free_port()
        self.password = secrets.token_urlsafe(24)
        self.folder = Path(tempfile.mkdtemp(prefix="media-engine-pg-"))
        self.data = self.folder / "data"
        account = _postgres_account()
        self.popen_options = {} if account is None else {"user": account[0], "group": account[1], "extra_groups": []}
        if account is not None:
            shutil.chown(self.folder, *account)
        argv = [
            binary, "-D", str(self.data), "-k", str(self.folder), "-h", LOOPBACK, "-p", str(self.port),
            "-F", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(self.folder)}
        super().__init__("postgres", argv, ready=self._accepts, env=environment, cwd=self.folder, timeout=60.0)

    def url(self, database="engine"):
        return f"postgres://engine:{self.password}@{LOOPBACK}:{self.port}/{database}"

    def start(self):
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self.popen_options:
            shutil.chown(password_file, self.popen_options["user"], self.popen_options["group"])
        subprocess.run(
            [self.initdb, "-D", str(self.data), "-U", "engine", "--pwfile", str(password_file),
             "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
            env=self.env, cwd=self.folder, capture_output=True, text=True, check=True, **self.popen_options,
        )
        password_file.unlink()
        super().start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE engine")
        return self

    def stop(self):
        # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to leave.
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self):
        """A fresh, empty database in this cluster, so modules can share one cluster (initdb and
        start-up cost seconds) and still not see each other's rows."""
        import psycopg

        name = f"engine_{secrets.token_hex(4)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" OWNER engine')
        return PostgresDatabase(self, name)

    def _accepts(self):
        import psycopg

        try:
            psycopg.connect(self.url("postgres"), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False


class PostgresDatabase:
    """One database of a shared :class:`PostgresServer`, with the server's ``url()``."""

    def __init__(self, server, name):
        self.server, self.name = server, name

    def url(self, database=None):
        return self.server.url(database or self.name)


class TaskWorker(ServerProcess):
    """``manage.py db_worker`` with ``worker_id``, ready once it logs that it started."""

    def __init__(self, env, *, worker_id, timeout=60.0):
        self.worker_id = worker_id
        argv = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--worker-id", worker_id, "--interval", "0.2",
                "--queue-name", "*", "--no-reload"]
        super().__init__("db_worker", argv, ready=self._started, env=env, cwd=ROOT, timeout=timeout)

    def _started(self):
        return "Starting worker" in Path(self.log_path).read_text(errors="replace")
