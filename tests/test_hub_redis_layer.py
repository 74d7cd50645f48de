"""With ``MEDIA_ENGINE_REDIS_URL`` the hub's events and revocations cross processes.

A ``manage.py`` command (another process) publishes an event or revokes a key; the engine
process's hub clients receive it through the Redis channel layer.
"""

import asyncio
import json
import re

import pytest
import websockets

from tests.servers import EngineServer, RedisServer, engine_environment, manage, migrate

pytestmark = pytest.mark.services

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")
RS = "\x1e"


@pytest.fixture(scope="module")
def scaled_engine(tmp_path_factory):
    with RedisServer() as redis:
        env = engine_environment(tmp_path_factory.mktemp("hub-redis"), REDIS_URL=redis.url, LOCALHOST_BYPASS="false")
        migrate(env)
        with EngineServer(env) as server:
            server.env = env
            yield server


def create_key(env, role):
    created = manage(env, "apikey", "create", "--label", f"{role} hub", "--role", role)
    key_id = re.search(r"Created key (\d+)", created.stderr).group(1)
    return key_id, KEY_PATTERN.search(created.stdout).group(0)


async def open_hub(server, key):
    socket = await websockets.connect(
        server.url.replace("http", "ws") + "/hubs/intercom", additional_headers={"X-Api-Key": key}
    )
    await socket.send(json.dumps({"protocol": "json", "version": 1}) + RS)
    assert await socket.recv() == "{}" + RS
    return socket


async def next_message(socket):
    while True:
        for record in (await asyncio.wait_for(socket.recv(), 10)).split(RS)[:-1]:
            message = json.loads(record)
            if message["type"] != 6:
                return message


def received_after_publishing(server, key, payload, idle=0.0):
    """What a hub client of ``server`` receives when another process publishes ``MediaAdded`` with
    ``payload``, ``idle`` seconds after the client connected."""

    async def scenario():
        socket = await open_hub(server, key)
        await asyncio.sleep(idle)
        code = f"from intercom.events import publish; publish('MediaAdded', {payload!r})"
        await asyncio.to_thread(manage, server.env, "shell", "-c", code)
        message = await next_message(socket)
        await socket.close()
        return message

    return asyncio.run(scenario())


def test_event_published_by_another_process_reaches_hub_clients(scaled_engine):
    _, key = create_key(scaled_engine.env, "Consumer")
    message = received_after_publishing(scaled_engine, key, {"workId": 42, "title": "Kind of Blue"})
    assert message == {"type": 1, "target": "MediaAdded", "arguments": [{"workId": 42, "title": "Kind of Blue"}]}


def test_a_connection_left_idle_stays_open_and_receives_later_events(scaled_engine):
    # redis-py 8 reads with a 5 s socket timeout by default; the layer's blocking receive waits
    # longer than that whenever nothing happens, which must not tear the connection down.
    _, key = create_key(scaled_engine.env, "Consumer")
    message = received_after_publishing(scaled_engine, key, {"workId": 7, "title": "Later"}, idle=8)
    assert message == {"type": 1, "target": "MediaAdded", "arguments": [{"workId": 7, "title": "Later"}]}


def test_revocation_by_the_command_line_closes_the_servers_sockets(scaled_engine):
    key_id, key = create_key(scaled_engine.env, "Curator")

    async def scenario():
        socket = await open_hub(scaled_engine, key)
        await asyncio.to_thread(manage, scaled_engine.env, "apikey", "revoke", key_id)
        message = await next_message(socket)
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 10)
        return message

    assert asyncio.run(scenario()) == {"type": 7, "error": "The API key was revoked."}
