"""Keys that pass the checksum but are not keys the engine made: an unknown id, or a real id with
a wrong secret. They reach the database lookup and the digest comparison, which keys with a broken
checksum (refused before any query) never do; each must be 401 on every surface, also from this
machine, where a key that fails must never fall back to the localhost bypass.

The keys are built from the format's own rules, written out in tests/key_format.py independently
of ``security/keys.py``, so a bug in the engine's helpers cannot make these keys wrong the same way.
"""

import secrets

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import LOOPBACK, EngineClient
from tests.hub_support import HubSocket, Refused, hub_layer  # noqa: F401
from tests.key_format import forge, random_secret, split


def forge_keys(make_key):
    """``{"unknown id": key, "wrong secret": key, "real": key}`` for a new Administrator key."""
    row, plaintext = make_key("Administrator")
    key_id, secret = split(plaintext)
    # The rules above reproduce the engine's own key: the forged keys below differ from a real
    # one only where the test says, so their refusal cannot be the checksum's.
    assert forge(key_id, secret) == plaintext
    assert row.key_id == key_id
    unknown_id = secrets.token_hex(6)
    while unknown_id == key_id:
        unknown_id = secrets.token_hex(6)
    wrong_secret = random_secret()
    while wrong_secret == secret:
        wrong_secret = random_secret()
    return {
        "unknown id": forge(unknown_id, random_secret()),
        "wrong secret": forge(key_id, wrong_secret),
        "real": plaintext,
    }


@pytest.fixture
def forged(make_key):
    return forge_keys(make_key)


CALLERS = {
    "remote": {},
    "local": {"peer": LOOPBACK, "host": "localhost:8000"},
}
FORGERIES = ["unknown id", "wrong secret"]


def assert_invalid_credentials(response):
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": "Invalid or revoked API key.", "code": "invalid_credentials"}
    assert response.headers["www-authenticate"].startswith("ApiKey")


@pytest.mark.parametrize("caller", CALLERS)
def test_the_real_key_opens_what_the_forged_ones_must_not(forged, caller):
    client = EngineClient(key=forged["real"], **CALLERS[caller])
    assert client.get("/library/works").status_code == 200
    assert client.get("/stream/987654").status_code == 404
    assert client.post("/hubs/intercom/negotiate?negotiateVersion=1").status_code == 200


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_key_is_refused_on_a_rest_route(forged, caller, forgery):
    assert_invalid_credentials(EngineClient(key=forged[forgery], **CALLERS[caller]).get("/library/works"))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_key_is_refused_on_a_stream(forged, caller, forgery):
    client = EngineClient(key=forged[forgery], **CALLERS[caller])
    assert_invalid_credentials(client.get("/stream/987654"))
    assert_invalid_credentials(client.get("/stream/987654/link"))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("carrier", ["x-api-key", "bearer", "access_token"])
def test_a_forged_key_is_refused_by_negotiate(forged, caller, forgery, carrier):
    client = EngineClient(**CALLERS[caller])
    key = forged[forgery]
    path = "/hubs/intercom/negotiate?negotiateVersion=1"
    if carrier == "x-api-key":
        response = client.post(path, key=key)
    elif carrier == "bearer":
        response = client.post(path, headers={"Authorization": f"Bearer {key}"})
    else:
        response = client.post(f"{path}&access_token={key}")
    assert_invalid_credentials(response)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_layer")
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("carrier", ["key", "bearer", "access_token"])
async def test_a_forged_key_is_refused_at_the_websocket_upgrade(make_key, caller, forgery, carrier):
    keys = await sync_to_async(forge_keys)(make_key)
    accepted = HubSocket(**{carrier: keys["real"]}, **CALLERS[caller])
    assert await accepted.connect() is True
    await accepted.disconnect()
    refused = await HubSocket(**{carrier: keys[forgery]}, **CALLERS[caller]).connect()
    assert isinstance(refused, Refused), refused
    assert refused.status == 401
    assert refused.body == {"detail": "Invalid or revoked API key.", "code": "invalid_credentials"}
    assert refused.headers["www-authenticate"].startswith("ApiKey")
