"""The hub's upgrade is judged before it is accepted: every credential path and the Origin rule."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from security import services
from security.audit import Actor
from tests.conftest import LOOPBACK
from tests.hub_support import HubSocket, Refused, hub_layer  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_layer")]


@pytest.fixture
def curator(make_key):
    return make_key("Curator")


async def test_key_in_x_api_key_header_opens_the_hub(curator):
    socket = HubSocket(key=curator[1])
    assert await socket.connect() is True
    await socket.handshake()
    await socket.disconnect()


async def test_key_as_bearer_token_opens_the_hub(curator):
    socket = HubSocket(bearer=curator[1])
    assert await socket.connect() is True
    await socket.disconnect()


async def test_key_as_access_token_query_parameter_opens_the_hub(curator):
    socket = HubSocket(access_token=curator[1])
    assert await socket.connect() is True
    await socket.disconnect()


async def test_localhost_without_key_opens_the_hub():
    socket = HubSocket(peer=LOOPBACK, host="localhost:8000")
    assert await socket.connect() is True
    await socket.disconnect()


async def test_remote_without_key_is_refused_with_401_before_accept():
    refused = await HubSocket().connect()
    assert isinstance(refused, Refused)
    assert refused.status == 401
    assert refused.body["code"] == "not_authenticated"
    assert "www-authenticate" in refused.headers
    assert refused.headers["content-type"] == "application/json"


async def test_unknown_key_is_refused_with_401():
    refused = await HubSocket(key="mek_000000000000_" + "A" * 49).connect()
    assert refused.status == 401
    assert refused.body["code"] == "invalid_credentials"


async def test_empty_bearer_token_is_refused_with_401():
    refused = await HubSocket(bearer="").connect()
    assert refused.status == 401


async def test_unsupported_authorization_scheme_is_refused_with_401(curator):
    refused = await HubSocket(headers={"Authorization": f"Basic {curator[1]}"}).connect()
    assert refused.status == 401


async def test_bad_key_from_localhost_is_refused_too():
    refused = await HubSocket(key="not-a-key", peer=LOOPBACK, host="localhost:8000").connect()
    assert refused.status == 401


async def test_revoked_key_is_refused(curator):
    row, plaintext = curator
    await sync_to_async(services.revoke_key)(row, actor=Actor("test"))
    refused = await HubSocket(key=plaintext).connect()
    assert refused.status == 401
    assert plaintext not in str(refused.body)


async def test_expired_key_is_refused(make_key):
    _, plaintext = await sync_to_async(make_key)("Curator", expires_at=timezone.now() - timedelta(seconds=1))
    refused = await HubSocket(access_token=plaintext).connect()
    assert refused.status == 401


async def test_foreign_origin_is_refused_with_403_even_with_a_valid_key(curator):
    refused = await HubSocket(key=curator[1], origin="https://evil.example").connect()
    assert refused.status == 403
    assert refused.body["code"] == "origin_not_allowed"


async def test_same_host_on_another_port_is_a_foreign_origin(curator):
    refused = await HubSocket(key=curator[1], origin="http://media.example.test:8080").connect()
    assert refused.status == 403


async def test_own_origin_is_allowed(curator):
    socket = HubSocket(key=curator[1], origin="http://media.example.test")
    assert await socket.connect() is True
    await socket.disconnect()


async def test_origin_listed_in_allowed_origins_is_allowed(curator, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOWED_ORIGINS": ["https://player.example"]}
    socket = HubSocket(key=curator[1], origin="https://player.example")
    assert await socket.connect() is True
    await socket.disconnect()


async def test_cross_site_page_in_the_local_browser_cannot_borrow_the_bypass():
    refused = await HubSocket(peer=LOOPBACK, host="localhost:8000", origin="https://evil.example").connect()
    assert refused.status == 403


async def test_dns_rebinding_host_is_not_local():
    refused = await HubSocket(peer=LOOPBACK, host="rebound.example:8000").connect()
    assert refused.status == 401


async def test_forwarded_request_from_local_proxy_is_not_local():
    refused = await HubSocket(peer=LOOPBACK, host="localhost:8000", headers={"X-Forwarded-For": "198.51.100.7"}).connect()
    assert refused.status == 401


async def test_server_without_denial_responses_gets_a_close_before_accept():
    outcome = await HubSocket(denial_extension=False).connect()
    assert outcome == 1008


async def test_upgrade_on_another_path_is_refused_with_404(curator):
    refused = await HubSocket(key=curator[1], path="/hubs/other").connect()
    assert refused.status == 404


async def test_attempts_count_against_the_general_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "3/m"}
    statuses = [(await HubSocket(key="bad").connect()).status for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    refused = await HubSocket(key="bad").connect()
    assert int(refused.headers["retry-after"]) >= 1
