"""The SignalR JSON hub protocol as the hub speaks it, including what it does with bad input."""

import json

import pytest

from intercom.consumer import IntercomConsumer
from tests.hub_support import RS, HubSocket, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


@pytest.fixture
def key(make_key):
    return make_key("Consumer")[1]


async def open_socket(key, **kwargs):
    socket = HubSocket(key=key, **kwargs)
    assert await socket.connect() is True
    return socket


@pytest.mark.parametrize("version", [0, 1, 2])
async def test_handshake_versions_zero_to_two_are_accepted(key, version):
    socket = await open_socket(key)
    await socket.handshake(version)
    await socket.disconnect()


async def test_unsupported_version_gets_an_error_handshake_response_and_close(key):
    socket = await open_socket(key)
    await socket.send_text(json.dumps({"protocol": "json", "version": 3}) + RS)
    [response] = await socket.receive_messages()
    assert "version 3" in response["error"]
    assert (await socket.receive())["type"] == "websocket.close"


async def test_messagepack_protocol_is_refused_in_the_handshake(key):
    socket = await open_socket(key)
    await socket.send_text(json.dumps({"protocol": "messagepack", "version": 1}) + RS)
    [response] = await socket.receive_messages()
    assert "not supported" in response["error"]
    assert (await socket.receive())["type"] == "websocket.close"


async def test_garbage_before_the_handshake_closes_the_socket(key):
    socket = await open_socket(key)
    await socket.send_text("GET / HTTP/1.1\r\n\r\n" + RS)
    [response] = await socket.receive_messages()
    assert response["error"]
    assert (await socket.receive())["type"] == "websocket.close"


async def test_handshake_split_over_two_frames_is_understood(key):
    socket = await open_socket(key)
    await socket.send_text('{"protocol":"js')
    assert await socket.nothing_received()
    await socket.send_text('on","version":1}' + RS)
    assert await socket.receive_messages() == [{}]
    await socket.disconnect()


async def test_handshake_and_invocations_in_one_frame_are_all_answered(key):
    socket = await open_socket(key)
    await socket.send_text(
        json.dumps({"protocol": "json", "version": 1}) + RS
        + json.dumps({"type": 1, "invocationId": "1", "target": "Ping", "arguments": []}) + RS
        + json.dumps({"type": 1, "invocationId": "2", "target": "Ping", "arguments": []}) + RS
    )
    assert await socket.receive_messages() == [{}]
    replies = await socket.receive_messages() + await socket.receive_messages()
    assert replies == [
        {"type": 3, "invocationId": "1", "result": "Pong"},
        {"type": 3, "invocationId": "2", "result": "Pong"},
    ]
    await socket.disconnect()


async def test_unknown_hub_method_gets_the_standard_completion_error(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 1, "invocationId": "7", "target": "DeleteEverything", "arguments": []})
    assert await socket.receive_messages() == [
        {"type": 3, "invocationId": "7", "error": "Unknown hub method 'DeleteEverything'"}
    ]
    await socket.disconnect()


async def test_unknown_method_without_invocation_id_is_ignored(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 1, "target": "DeleteEverything", "arguments": []})
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_wrong_number_of_arguments_is_a_completion_error(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 1, "invocationId": "1", "target": "Subscribe", "arguments": []})
    [reply] = await socket.receive_messages()
    assert "expects 1" in reply["error"]
    await socket.disconnect()


async def test_unknown_topic_is_a_completion_error(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 1, "invocationId": "1", "target": "Subscribe", "arguments": [["Nope"]]})
    [reply] = await socket.receive_messages()
    assert reply["error"] == "Unknown topic 'Nope'."
    await socket.disconnect()


async def test_client_pings_are_accepted_silently(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 6})
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_invalid_json_after_the_handshake_closes_with_a_close_message(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_text("{not json" + RS)
    close, code = await socket.expect_closed()
    assert close["error"].startswith("Connection closed with an error.")


async def test_unknown_message_type_closes_the_connection(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 99})
    close, _ = await socket.expect_closed()
    assert "Unknown message type" in close["error"]


async def test_close_message_from_the_client_closes_the_socket(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_messages({"type": 7})
    _, code = await socket.expect_closed()
    assert code == 1000


async def test_ten_megabyte_frame_is_refused_and_the_socket_closed(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_text("x" * (10 * 1024 * 1024))
    _, code = await socket.expect_closed()
    assert code == 1009


async def test_endless_unterminated_message_is_refused_once_it_passes_the_limit(key):
    socket = await open_socket(key)
    await socket.handshake()
    chunk = '{"type":1,"target":"' + "a" * (256 * 1024)
    for _ in range(3):
        await socket.send_text(chunk)
    assert await socket.nothing_received()
    await socket.send_text(chunk + chunk)
    _, code = await socket.expect_closed()
    assert code == 1009


async def test_binary_frame_with_invalid_utf8_closes_the_socket(key):
    socket = await open_socket(key)
    await socket.handshake()
    await socket.send_bytes(b"\xff\xfe" + RS.encode())
    _, code = await socket.expect_closed()
    assert code == 1000


async def test_binary_frame_with_json_is_understood_and_answered_in_text(key):
    socket = await open_socket(key)
    await socket.send_bytes((json.dumps({"protocol": "json", "version": 1}) + RS).encode())
    assert await socket.receive_messages() == [{}]
    await socket.disconnect()


def quick_hub(**timeouts):
    return IntercomConsumer.as_asgi(**timeouts)


async def test_handshake_never_sent_closes_the_socket(key):
    socket = HubSocket(key=key, application=quick_hub(handshake_timeout=0.2))
    assert await socket.connect() is True
    _, code = await socket.expect_closed()
    assert code == 1008


async def test_server_pings_an_idle_client(key):
    socket = HubSocket(key=key, application=quick_hub(ping_interval=0.1))
    assert await socket.connect() is True
    await socket.handshake()
    assert await socket.receive_messages() == [{"type": 6}]
    await socket.disconnect()


async def test_silent_client_is_closed_after_the_client_timeout(key):
    socket = HubSocket(key=key, application=quick_hub(client_timeout=0.3, ping_interval=0.1))
    assert await socket.connect() is True
    await socket.handshake()
    close, _ = await socket.expect_closed()
    assert "timeout" in close["error"]
