"""Hub tickets: short-lived, single-use credentials for browsers, never a key in a URL."""

import pytest
from asgiref.sync import sync_to_async

from security import keys, services
from security.audit import Actor
from tests.conftest import LOOPBACK, EngineClient
from tests.hub_support import HubSocket, Refused, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


async def ticket_for(client):
    response = await sync_to_async(client.post)("/hubs/intercom/ticket")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def consumer(make_key):
    return make_key("Consumer")


async def test_any_role_gets_a_ticket_that_is_not_shaped_like_a_key(consumer):
    body = await ticket_for(EngineClient(key=consumer[1]))
    assert set(body) == {"ticket", "expires_at"}
    assert body["ticket"].startswith("mht_")
    with pytest.raises(keys.MalformedKey):
        keys.parse(body["ticket"])


async def test_ticket_opens_the_hub_once(consumer):
    ticket = (await ticket_for(EngineClient(key=consumer[1])))["ticket"]
    socket = HubSocket(access_token=ticket)
    assert await socket.connect() is True
    await socket.handshake()
    await socket.disconnect()
    refused = await HubSocket(access_token=ticket).connect()
    assert isinstance(refused, Refused) and refused.status == 401


async def test_ticket_connection_has_the_issuing_keys_role(make_key):
    from intercom.events import ADMINISTRATORS, publish

    _, curator = await sync_to_async(make_key)("Curator")
    socket = HubSocket(access_token=(await ticket_for(EngineClient(key=curator)))["ticket"])
    assert await socket.connect() is True
    await socket.handshake()
    await sync_to_async(publish)("WatchFolderActive", {"folderId": 1}, audience=ADMINISTRATORS)
    assert await socket.nothing_received()
    await socket.disconnect()


async def test_unknown_ticket_is_refused():
    refused = await HubSocket(access_token="mht_" + "A" * 43).connect()
    assert refused.status == 401


async def test_ticket_of_a_key_revoked_since_is_refused(consumer):
    ticket = (await ticket_for(EngineClient(key=consumer[1])))["ticket"]
    await sync_to_async(services.revoke_key)(consumer[0], actor=Actor("test"))
    refused = await HubSocket(access_token=ticket).connect()
    assert refused.status == 401


async def test_ticket_is_not_an_api_key_outside_the_hub(consumer):
    ticket = (await ticket_for(EngineClient(key=consumer[1])))["ticket"]
    response = await sync_to_async(EngineClient(key=ticket).get)("/library/works")
    assert response.status_code == 401


async def test_ticket_cannot_be_exchanged_for_another_ticket(consumer):
    ticket = (await ticket_for(EngineClient(key=consumer[1])))["ticket"]
    response = await sync_to_async(EngineClient().post)(
        "/hubs/intercom/ticket", headers={"Authorization": f"Bearer {ticket}"}
    )
    assert response.status_code == 403


async def test_anonymous_caller_gets_no_ticket():
    response = await sync_to_async(EngineClient().post)("/hubs/intercom/ticket")
    assert response.status_code == 401


async def test_localhost_ticket_is_worthless_from_another_machine():
    local = EngineClient(peer=LOOPBACK, host="localhost:8000")
    ticket = (await ticket_for(local))["ticket"]
    refused = await HubSocket(access_token=ticket).connect()
    assert refused.status == 401


async def test_localhost_ticket_opens_the_hub_from_this_machine():
    local = EngineClient(peer=LOOPBACK, host="localhost:8000")
    ticket = (await ticket_for(local))["ticket"]
    socket = HubSocket(access_token=ticket, peer=LOOPBACK, host="localhost:8000")
    assert await socket.connect() is True
    await socket.disconnect()


async def test_ticket_used_by_a_foreign_origin_is_refused_and_not_spent(consumer):
    ticket = (await ticket_for(EngineClient(key=consumer[1])))["ticket"]
    refused = await HubSocket(access_token=ticket, origin="https://evil.example").connect()
    assert refused.status == 403
    socket = HubSocket(access_token=ticket)
    assert await socket.connect() is True
    await socket.disconnect()
