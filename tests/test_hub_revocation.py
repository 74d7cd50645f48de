"""Revoking or expiring a key closes the hub connections made with it, and only those."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from intercom.consumer import IntercomConsumer
from security import services
from security.audit import Actor
from security.models import ApiKey
from tests.hub_support import HubSocket, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


async def connected(key, **kwargs):
    socket = HubSocket(key=key, **kwargs)
    assert await socket.connect() is True
    await socket.handshake()
    return socket


async def test_revoking_a_key_closes_its_live_socket_with_a_close_message(make_key):
    row, plaintext = await sync_to_async(make_key)("Curator")
    socket = await connected(plaintext)
    await sync_to_async(services.revoke_key)(row, actor=Actor("test"))
    close, code = await socket.expect_closed(timeout=1)
    assert close == {"type": 7, "error": "The API key was revoked."}
    assert code == 1000


async def test_revoking_one_key_leaves_other_keys_connected(make_key):
    revoked_row, revoked = await sync_to_async(make_key)("Curator")
    _, kept = await sync_to_async(make_key)("Curator")
    doomed, survivor = await connected(revoked), await connected(kept)
    await sync_to_async(services.revoke_key)(revoked_row, actor=Actor("test"))
    await doomed.expect_closed(timeout=1)
    assert await survivor.nothing_received()
    await survivor.disconnect()


async def test_revoke_all_closes_every_key_connection(make_key):
    sockets = [await connected((await sync_to_async(make_key)(role))[1]) for role in ("Administrator", "Consumer")]
    await sync_to_async(services.revoke_all)(actor=Actor("test"))
    for socket in sockets:
        await socket.expect_closed(timeout=1)


async def test_socket_made_with_a_ticket_is_closed_when_the_issuing_key_is_revoked(make_key):
    from security import tickets
    from security.principal import Principal

    row, _ = await sync_to_async(make_key)("Consumer")
    issued = tickets.issue(Principal(role=row.role, key=row))
    socket = HubSocket(access_token=issued.ticket)
    assert await socket.connect() is True
    await socket.handshake()
    await sync_to_async(services.revoke_key)(row, actor=Actor("test"))
    await socket.expect_closed(timeout=1)


async def test_key_expiring_while_connected_closes_the_socket(make_key):
    _, plaintext = await sync_to_async(make_key)("Consumer", expires_at=timezone.now() + timedelta(seconds=1))
    socket = await connected(plaintext)
    close, _ = await socket.expect_closed(timeout=5)
    assert close["error"] == "The API key was revoked or has expired."


async def test_periodic_key_check_closes_a_socket_whose_revocation_message_was_missed(make_key):
    row, plaintext = await sync_to_async(make_key)("Consumer")
    socket = await connected(plaintext, application=IntercomConsumer.as_asgi(key_check_interval=0.2))
    # Revoked behind the service's back: no signal, so only the backstop can notice.
    await sync_to_async(ApiKey.objects.filter(pk=row.pk).update)(revoked_at=timezone.now())
    close, _ = await socket.expect_closed(timeout=5)
    assert close["error"] == "The API key was revoked or has expired."
