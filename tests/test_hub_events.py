"""Events published by the engine reach the connected clients they are meant for, and no others."""

import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from intercom.events import ADMINISTRATORS, publish
from tests.hub_support import HubSocket, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


@pytest.fixture
def keys(make_key):
    return {role: make_key(role)[1] for role in ("Administrator", "Curator", "Consumer")}


async def connected(key):
    socket = HubSocket(key=key)
    assert await socket.connect() is True
    await socket.handshake()
    return socket


async def test_event_for_everyone_reaches_every_role_as_a_camel_case_invocation(keys):
    sockets = [await connected(key) for key in keys.values()]
    await sync_to_async(publish)("MediaAdded", {"workId": 7, "title": "Blue Train", "mediaKind": "music"})
    for socket in sockets:
        assert await socket.receive_messages() == [
            {"type": 1, "target": "MediaAdded", "arguments": [{"workId": 7, "title": "Blue Train", "mediaKind": "music"}]}
        ]
        await socket.disconnect()


async def test_administrator_only_event_never_reaches_curators_or_consumers(keys):
    admin, curator, consumer = [await connected(keys[role]) for role in ("Administrator", "Curator", "Consumer")]
    await sync_to_async(publish)("WatchFolderActive", {"folderId": 1, "path": "/srv/media"}, audience=ADMINISTRATORS)
    [event] = await admin.receive_messages()
    assert event["arguments"] == [{"folderId": 1, "path": "/srv/media"}]
    assert await curator.nothing_received()
    assert await consumer.nothing_received()
    for socket in (admin, curator, consumer):
        await socket.disconnect()


async def test_localhost_administrator_receives_administrator_events():
    socket = HubSocket(peer="127.0.0.1", host="localhost:8000")
    assert await socket.connect() is True
    await socket.handshake()
    await sync_to_async(publish)("FolderHealthChanged", {"folderId": 1, "accessible": False}, audience=ADMINISTRATORS)
    [event] = await socket.receive_messages()
    assert event["target"] == "FolderHealthChanged"
    await socket.disconnect()


async def test_event_is_sent_only_when_the_transaction_commits(keys):
    socket = await connected(keys["Consumer"])

    def publish_then_roll_back():
        try:
            with transaction.atomic():
                publish("MediaAdded", {"workId": 1})
                raise RuntimeError("scan failed")
        except RuntimeError:
            pass
        with transaction.atomic():
            publish("MediaAdded", {"workId": 2})

    await sync_to_async(publish_then_roll_back)()
    [event] = await socket.receive_messages()
    assert event["arguments"] == [{"workId": 2}]
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_event_published_from_a_worker_thread_reaches_the_client(keys):
    socket = await connected(keys["Consumer"])
    worker = threading.Thread(target=publish, args=("IngestionProgress", {"jobId": 3, "seen": 10}))
    worker.start()
    await sync_to_async(worker.join)()
    [event] = await socket.receive_messages()
    assert event["target"] == "IngestionProgress"
    await socket.disconnect()


async def test_publishing_never_raises_into_the_caller(keys):
    socket = await connected(keys["Consumer"])
    await sync_to_async(publish)("NoSuchEvent", {"x": 1})
    await sync_to_async(publish)("MediaAdded", {"unserialisable": object()})
    await sync_to_async(publish)("MediaAdded", {"workId": 1}, audience="nobody")
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_dates_in_payloads_arrive_as_iso_strings(keys):
    from datetime import datetime, timezone

    socket = await connected(keys["Consumer"])
    await sync_to_async(publish)("IngestionCompleted", {"jobId": 1, "finishedAt": datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)})
    [event] = await socket.receive_messages()
    assert event["arguments"] == [{"jobId": 1, "finishedAt": "2025-01-02T03:04:05Z"}]
    await socket.disconnect()


async def test_unsubscribed_topics_are_not_delivered_and_resubscribing_restores_them(keys):
    socket = await connected(keys["Consumer"])
    await socket.send_messages({"type": 1, "invocationId": "1", "target": "Unsubscribe", "arguments": [["IngestionProgress"]]})
    [reply] = await socket.receive_messages()
    assert "IngestionProgress" not in reply["result"]
    await sync_to_async(publish)("IngestionProgress", {"jobId": 1})
    assert await socket.nothing_received()
    await socket.send_messages({"type": 1, "invocationId": "2", "target": "Subscribe", "arguments": [["IngestionProgress"]]})
    await socket.receive_messages()
    await sync_to_async(publish)("IngestionProgress", {"jobId": 1})
    [event] = await socket.receive_messages()
    assert event["target"] == "IngestionProgress"
    await socket.disconnect()


async def test_no_event_reaches_a_socket_before_its_handshake(keys):
    socket = HubSocket(key=keys["Consumer"])
    assert await socket.connect() is True
    await sync_to_async(publish)("MediaAdded", {"workId": 1})
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_folder_lifecycle_announces_watch_folder_active_to_administrators_only(keys, tmp_path):
    from library.folders import services as folders
    from security.audit import Actor

    admin, consumer = await connected(keys["Administrator"]), await connected(keys["Consumer"])
    actor = Actor("test")
    folder = await sync_to_async(folders.create_folder)(path=str(tmp_path), actor=actor)
    await sync_to_async(folders.update_folder)(folder, actor=actor, enabled=False)
    received = []
    while len(received) < 2:
        received += [m for m in await admin.receive_skipping_pings() if m.get("target") == "WatchFolderActive"]
    assert [event["arguments"][0]["active"] for event in received] == [True, False]
    assert received[0]["arguments"][0]["folderId"] == folder.pk
    assert await consumer.nothing_received()
    for socket in (admin, consumer):
        await socket.disconnect()


async def test_profile_event_reaches_every_connection_of_that_profile_and_no_other(make_key, make_profile):
    from intercom.events import profile

    kid, other = await sync_to_async(make_profile)("Kid"), await sync_to_async(make_profile)("Other")
    phone = await connected((await sync_to_async(make_key)("Consumer", profile=kid))[1])
    tablet = await connected((await sync_to_async(make_key)("Curator", profile=kid))[1])
    stranger = await connected((await sync_to_async(make_key)("Administrator", profile=other))[1])
    await sync_to_async(publish)("MediaAdded", {"workId": 5}, audience=profile(kid.pk))
    for socket in (phone, tablet):
        [event] = await socket.receive_messages()
        assert event["arguments"] == [{"workId": 5}]
    assert await stranger.nothing_received()
    for socket in (phone, tablet, stranger):
        await socket.disconnect()


async def test_the_localhost_administrators_connection_is_the_owners():
    from intercom.events import profile
    from security.profiles.models import Profile

    owner = await sync_to_async(Profile.objects.owner)()
    socket = HubSocket(peer="127.0.0.1", host="localhost:8000")
    assert await socket.connect() is True
    await socket.handshake()
    await sync_to_async(publish)("MediaAdded", {"workId": 6}, audience=profile(owner.pk))
    [event] = await socket.receive_messages()
    assert event["arguments"] == [{"workId": 6}]
    await socket.disconnect()
