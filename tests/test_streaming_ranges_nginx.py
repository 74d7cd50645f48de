"""Range answers compared with nginx serving the same file: an oracle outside our code.

For every valid single byte range (``a-b``, ``a-``, ``-n``), inside, across or past the end of the
file, the engine's status, ``Content-Range`` and bytes must be nginx's. Where RFC 9110 leaves
room and the engine chose differently (several ranges get the whole file, an invalid header is
ignored: see library/streaming/ranges.py), nginx is not asked.
"""

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.streaming_fixtures import add_file, make_root, mp4
from tests.streaming_servers import NginxServer

pytestmark = pytest.mark.services

CONTENT = mp4(bytes(range(256)) * 40 + b"tail")  # an MP4 by its first bytes, positions distinguishable
SIZE = len(CONTENT)
NAME = "Le Film é.mp4"

positions = st.one_of(st.integers(min_value=0, max_value=SIZE + 10), st.sampled_from([0, 1, SIZE - 1, SIZE, SIZE + 1, 10**15]))
single_ranges = st.one_of(
    st.tuples(positions, positions).map(lambda t: f"bytes={min(t)}-{max(t)}"),
    positions.map(lambda first: f"bytes={first}-"),
    positions.map(lambda suffix: f"bytes=-{suffix}"),
)
EDGES = ["bytes=0-0", "bytes=0-", f"bytes={SIZE - 1}-", f"bytes={SIZE}-", f"bytes=-{SIZE}", f"bytes=-{SIZE + 5}",
         "bytes=-1", "bytes=-0", f"bytes=5-{SIZE * 3}", f"bytes={SIZE}-{SIZE}", "bytes=0-1023"]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    directory = tmp_path_factory.mktemp("nginx-files")
    (directory / NAME).write_bytes(CONTENT)
    with NginxServer.serving_directory(tmp_path_factory.mktemp("nginx"), directory) as server:
        server.file_url = f"{server.url}/files/{NAME}"
        yield server


@pytest.fixture
def stream(db, tmp_path, client_as):
    asset = add_file(make_root(tmp_path / "library"), NAME, CONTENT)
    consumer = client_as("Consumer")
    return lambda header: consumer.get(f"/stream/{asset.pk}", headers={"Range": header})


def answer(response):
    return response.status_code, response.headers.get("content-range"), response.content if response.status_code == 206 else None


def assert_same_as_nginx(nginx, stream, header):
    expected = answer(httpx.get(nginx.file_url, headers={"Range": header}))
    assert expected[0] in (206, 416), (header, expected[0])  # nginx took it as a single valid range
    assert answer(stream(header)) == expected, header


@pytest.mark.parametrize("header", EDGES)
def test_edge_ranges_are_answered_as_nginx_answers_them(nginx, stream, header):
    assert_same_as_nginx(nginx, stream, header)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=single_ranges)
def test_any_single_range_is_answered_as_nginx_answers_it(nginx, stream, header):
    assert_same_as_nginx(nginx, stream, header)
