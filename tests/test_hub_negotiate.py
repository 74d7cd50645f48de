"""Negotiate: what SignalR clients ask before opening the socket, and the tokens it hands out."""

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import EngineClient
from tests.hub_support import HubSocket, Refused, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


@pytest.fixture
def curator(make_key):
    return make_key("Curator")[1]


async def negotiate(client, query="?negotiateVersion=1", **kwargs):
    return await sync_to_async(client.post)(f"/hubs/intercom/negotiate{query}", **kwargs)


async def test_negotiate_version_1_offers_only_websockets_in_text(curator):
    response = await negotiate(EngineClient(key=curator))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"connectionId", "connectionToken", "negotiateVersion", "availableTransports"}
    assert body["negotiateVersion"] == 1
    assert body["availableTransports"] == [{"transport": "WebSockets", "transferFormats": ["Text"]}]
    assert body["connectionId"] != body["connectionToken"]


async def test_negotiate_version_0_answers_its_version_and_only_the_connection_id(curator):
    body = (await negotiate(EngineClient(key=curator), query="")).json()
    assert set(body) == {"negotiateVersion", "connectionId", "availableTransports"}
    assert body["negotiateVersion"] == 0
    socket = HubSocket(key=curator, query={"id": body["connectionId"]})
    assert await socket.connect() is True
    await socket.disconnect()


async def test_negotiate_accepts_a_bearer_token(curator):
    response = await negotiate(EngineClient(), headers={"Authorization": f"Bearer {curator}"})
    assert response.status_code == 200


async def test_negotiate_without_credentials_is_401():
    response = await negotiate(EngineClient())
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_negotiate_with_get_is_405(curator):
    response = await sync_to_async(EngineClient(key=curator).get)("/hubs/intercom/negotiate")
    assert response.status_code == 405


async def test_negotiate_with_a_bad_version_is_400(curator):
    response = await negotiate(EngineClient(key=curator), query="?negotiateVersion=abc")
    assert response.status_code == 400


async def test_connection_token_opens_one_socket_and_a_second_use_is_409(curator):
    token = (await negotiate(EngineClient(key=curator))).json()["connectionToken"]
    socket = HubSocket(key=curator, query={"id": token})
    assert await socket.connect() is True
    await socket.handshake()
    refused = await HubSocket(key=curator, query={"id": token}).connect()
    assert isinstance(refused, Refused) and refused.status == 409
    await socket.disconnect()


async def test_unknown_connection_token_is_404(curator):
    refused = await HubSocket(key=curator, query={"id": "made-up"}).connect()
    assert refused.status == 404


async def test_connection_token_of_another_key_is_404(make_key, curator):
    _, other = await sync_to_async(make_key)("Curator")
    token = (await negotiate(EngineClient(key=other))).json()["connectionToken"]
    refused = await HubSocket(key=curator, query={"id": token}).connect()
    assert refused.status == 404


async def test_connection_token_never_authenticates_by_itself(curator):
    token = (await negotiate(EngineClient(key=curator))).json()["connectionToken"]
    refused = await HubSocket(query={"id": token}).connect()
    assert refused.status == 401


async def test_negotiate_from_a_foreign_origin_is_403(curator):
    response = await negotiate(EngineClient(key=curator), headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
