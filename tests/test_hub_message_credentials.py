"""A key inside a hub message is not a credential: the connection is judged by its request.

signalrcore and pysignalr copy their HTTP headers into the ``headers`` of every invocation;
pysignalr's token factory puts the key there only after the socket opened, so its request
carried none. tests/test_hub_third_party_clients.py shows both clients against a real server.
"""

import pytest
from asgiref.sync import sync_to_async

from intercom.events import ADMINISTRATORS, publish
from tests.conftest import LOOPBACK, EngineClient
from tests.hub_support import HubSocket, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]

PING = {"type": 1, "invocationId": "1", "target": "Ping", "arguments": []}


@pytest.fixture
def consumer(make_key):
    return make_key("Consumer")[1]


async def opened(**options):
    socket = HubSocket(**options)
    assert await socket.connect() is True
    await socket.handshake()
    return socket


def ping_with(headers):
    return {**PING, "headers": headers}


async def assert_closed_for_a_late_key(socket):
    close, code = await socket.expect_closed()
    assert code == 1000
    assert "A key inside a hub message is not read" in close["error"]
    assert "X-Api-Key" in close["error"] and "access_token" in close["error"]


async def test_local_connection_without_a_key_is_closed_when_a_message_names_one(consumer):
    socket = await opened(peer=LOOPBACK, host="localhost:8000")
    await socket.send_messages(ping_with({"Authorization": f"Bearer {consumer}"}))
    await assert_closed_for_a_late_key(socket)
    await sync_to_async(publish)("WatchFolderActive", {"folderId": 1, "path": "/srv/media"}, audience=ADMINISTRATORS)
    assert await socket.nothing_received()


@pytest.mark.parametrize("header", ["X-Api-Key", "x-api-key"])
async def test_a_wrong_key_in_a_message_closes_the_local_connection(header):
    socket = await opened(peer=LOOPBACK, host="localhost:8000")
    await socket.send_messages(ping_with({header: "mek_000000000000_" + "0" * 43}))
    await assert_closed_for_a_late_key(socket)


async def test_another_key_in_a_message_closes_a_key_connection(consumer, make_key):
    _, other = await sync_to_async(make_key)("Administrator")
    socket = await opened(key=consumer)
    await socket.send_messages(ping_with({"X-Api-Key": other}))
    await assert_closed_for_a_late_key(socket)


async def test_an_authorization_header_of_another_scheme_in_a_message_closes_the_connection(consumer):
    socket = await opened(peer=LOOPBACK, host="localhost:8000")
    await socket.send_messages(ping_with({"Authorization": "Basic dXNlcjprZXk="}))
    await assert_closed_for_a_late_key(socket)


@pytest.mark.parametrize("headers", [
    lambda key: {"X-Api-Key": key, "Content-Type": "application/json"},
    lambda key: {"Authorization": f"Bearer {key}"},
])
async def test_the_key_the_connection_was_opened_with_may_be_repeated_in_messages(consumer, headers):
    socket = await opened(bearer=consumer)
    await socket.send_messages(ping_with(headers(consumer)))
    assert await socket.receive_skipping_pings() == [{"type": 3, "invocationId": "1", "result": "Pong"}]
    await socket.disconnect()


async def test_headers_without_a_credential_are_fine():
    socket = await opened(peer=LOOPBACK, host="localhost:8000")
    await socket.send_messages(ping_with({"X-Client": "media-player"}))
    assert await socket.receive_skipping_pings() == [{"type": 3, "invocationId": "1", "result": "Pong"}]
    await socket.disconnect()


async def test_connection_token_of_a_key_does_not_become_the_local_administrator(consumer):
    """A client that sends its key on negotiate only (a browser cannot set WebSocket headers)."""
    negotiated = await sync_to_async(EngineClient(peer=LOOPBACK, host="localhost:8000", key=consumer).post)(
        "/hubs/intercom/negotiate?negotiateVersion=1"
    )
    token = negotiated.json()["connectionToken"]
    refused = await HubSocket(peer=LOOPBACK, host="localhost:8000", query={"id": token}).connect()
    assert refused.status == 404
