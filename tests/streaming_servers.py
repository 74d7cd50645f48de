"""A real engine with one large file in its library, and a real nginx in front of it or beside it.

Shared by the streaming tests that need real processes and by ``bench/streaming.py``. No Django
import here: the folder is created and scanned by ``manage.py shell`` against the engine's own
database, through the same services as ``POST /settings/folders`` and ``manage.py scan``.
"""

import hashlib
import os
import re
import textwrap
from pathlib import Path

from tests.servers import EngineServer, LOOPBACK, ServerProcess, engine_environment, free_port, manage, migrate, port_accepts, require_binary

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")
BLOCK = 1024 * 1024
MATROSKA_SIGNATURE = b"\x1a\x45\xdf\xa3"


def write_media_file(path, size):
    """``size`` bytes of incompressible data (a random 1 MiB block repeated; not sparse) that
    begin as a Matroska file does, so a scan takes it in."""
    block = MATROSKA_SIGNATURE + os.urandom(BLOCK - len(MATROSKA_SIGNATURE))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        for offset in range(0, size, BLOCK):
            handle.write(block[: min(BLOCK, size - offset)])
    return path


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(BLOCK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ProvisionedEngine:
    """A migrated data directory with one Consumer key and one asset for ``media_file``."""

    def __init__(self, data_dir, media_file, **settings):
        settings.setdefault("RATE_STREAM", "100000/m")
        self.env = engine_environment(data_dir, **settings)
        migrate(self.env)
        created = manage(self.env, "apikey", "create", "--label", "streaming", "--role", "Consumer")
        self.key = KEY_PATTERN.search(created.stdout + created.stderr).group(0)
        media_file = Path(os.path.realpath(media_file))
        code = textwrap.dedent(
            f"""
            from library.folders.services import create_folder
            from library.ingestion.services import run_job, start_foreground_scan
            from library.models import AssetLocation
            from security.audit import Actor
            root = create_folder(path={str(media_file.parent)!r}, actor=Actor("test setup"))
            run_job(start_foreground_scan(root).pk)
            print("asset", AssetLocation.objects.get(root=root, raw_path={os.fsencode(media_file.name)!r}).asset_id)
            """
        )
        shell = manage(self.env, "shell", "-c", code)
        self.asset_id = int(re.search(r"asset (\d+)", shell.stdout).group(1))

    def server(self):
        return EngineServer(self.env)


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    types {{ video/x-matroska mkv; }}
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen {host}:{port};
        {locations}
    }}
}}
"""

#: What the README documents for MEDIA_ENGINE_STREAM_OFFLOAD=nginx (with the default prefix).
OFFLOAD_LOCATIONS = """
        location /_protected/ {{
            internal;
            alias /;
            disable_symlinks on;
        }}
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
        }}
"""

STATIC_LOCATIONS = """
        location /files/ {{
            alias {directory}/;
        }}
"""


class NginxServer(ServerProcess):
    """Debian's nginx on a random loopback port, as the invoking user, all state in ``work``."""

    def __init__(self, work, locations):
        binary = require_binary("nginx", search=("/usr/sbin",))
        self.port = free_port()
        work = Path(work)
        work.mkdir(parents=True, exist_ok=True)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(work=work, host=LOOPBACK, port=self.port, locations=locations))
        argv = [binary, "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")]
        super().__init__("nginx", argv, ready=lambda: port_accepts(self.port))

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"

    @classmethod
    def offloading_for(cls, work, engine):
        return cls(work, OFFLOAD_LOCATIONS.format(upstream=f"{LOOPBACK}:{engine.port}"))

    @classmethod
    def serving_directory(cls, work, directory):
        return cls(work, STATIC_LOCATIONS.format(directory=os.path.realpath(directory)))
