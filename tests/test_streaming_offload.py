"""``MEDIA_ENGINE_STREAM_OFFLOAD=nginx``: the engine checks caller and file, nginx sends the bytes."""

import pytest

import httpx

from tests.streaming_servers import NginxServer, ProvisionedEngine, write_media_file

pytestmark = pytest.mark.services

FILE_SIZE = 3 * 1024 * 1024 + 17


def test_range_through_nginx_with_offload_returns_the_right_bytes(tmp_path):
    media = write_media_file(tmp_path / "library" / "Mon film é.mkv", FILE_SIZE)
    content = media.read_bytes()
    engine = ProvisionedEngine(tmp_path / "data", media, STREAM_OFFLOAD="nginx")
    with engine.server() as server, NginxServer.offloading_for(tmp_path / "nginx", server) as nginx:
        url = f"{nginx.url}/stream/{engine.asset_id}"
        ranged = httpx.get(url, headers={"X-Api-Key": engine.key, "Range": "bytes=1048576-1048675"})
        whole = httpx.get(url, headers={"X-Api-Key": engine.key})
        anonymous = httpx.get(url)
        direct = httpx.get(f"{server.url}/stream/{engine.asset_id}", headers={"X-Api-Key": engine.key})
        internal = httpx.get(f"{nginx.url}/_protected{media}")
    assert ranged.status_code == 206, nginx.log()
    assert ranged.content == content[1048576:1048676]
    assert ranged.headers["content-range"] == f"bytes 1048576-1048675/{FILE_SIZE}"
    assert whole.status_code == 200
    assert whole.content == content
    assert "x-accel-redirect" not in whole.headers
    assert whole.headers["content-disposition"].startswith("inline;")
    assert anonymous.status_code == 401
    # Without nginx the engine answers with the redirect header only, never the bytes.
    assert direct.status_code == 200 and direct.content == b""
    assert direct.headers["x-accel-redirect"].startswith("/_protected/")
    assert internal.status_code == 404
