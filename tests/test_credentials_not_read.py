"""A credential the engine does not read where it was sent is refused, never ignored.

A client that puts its key in ``Authorization: Bearer`` or ``?api_key=`` on a REST route means
to be judged by that key. Ignoring it made the caller nobody, and from this machine nobody is
the localhost Administrator: a Consumer's key in the wrong place bought ``GET /admin/api-keys``.
Each surface declares the credential forms it reads (``security.principal.SURFACES``); anything
credential-shaped it does not read gets 401 with a ``detail`` saying where the key goes.
"""

import subprocess

import pytest

from tests.conftest import EngineClient
from tests.servers import EngineServer, engine_environment, manage, require_binary
from tests.streaming_servers import KEY_PATTERN

KEYS = "/admin/api-keys"
LOCAL = {"peer": "127.0.0.1", "host": "localhost:8000"}


@pytest.fixture
def consumer_key(make_key):
    return make_key("Consumer")[1]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Authorization": "Bearer {key}"}, id="bearer"),
        pytest.param({"Authorization": "ApiKey {key}"}, id="apikey-scheme"),
        pytest.param({"Authorization": "Basic dXNlcjp7a2V5fQ=="}, id="basic"),
        pytest.param({"Authorization": "{key}"}, id="bare-authorization"),
    ],
)
def test_an_authorization_header_on_a_rest_route_is_refused_not_bypassed(db, consumer_key, headers):
    headers = {name: value.format(key=consumer_key) for name, value in headers.items()}
    response = EngineClient(**LOCAL).get(KEYS, headers=headers)
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == "credential_not_read"
    assert "X-Api-Key" in body["detail"] and "Authorization" in body["detail"]
    assert response.headers["www-authenticate"].startswith("ApiKey")


@pytest.mark.parametrize("name", ["api_key", "apikey", "apiKey", "key", "token", "access_token", "API_KEY"])
def test_a_key_in_the_query_of_a_rest_route_is_refused_not_bypassed(db, consumer_key, name):
    response = EngineClient(**LOCAL).get(KEYS, params={name: consumer_key})
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == "credential_not_read"
    assert "X-Api-Key" in body["detail"] and name in body["detail"]


def test_an_empty_credential_shaped_parameter_is_refused_too(db):
    response = EngineClient(**LOCAL).get(KEYS, params={"token": ""})
    assert response.status_code == 401
    assert response.json()["code"] == "credential_not_read"


def test_a_credential_not_read_is_refused_from_another_machine_too(remote, consumer_key):
    response = remote.get("/library/works", params={"api_key": consumer_key})
    assert response.status_code == 401
    assert response.json()["code"] == "credential_not_read"


def test_a_credential_not_read_is_refused_beside_a_valid_key(client_as, consumer_key):
    """One request, one credential: which of two keys it meant is not for the engine to guess."""
    response = client_as("Administrator").get(KEYS, headers={"Authorization": f"Bearer {consumer_key}"})
    assert response.status_code == 401
    assert response.json()["code"] == "credential_not_read"


def test_a_stream_file_refuses_a_key_in_its_query(db, consumer_key):
    response = EngineClient(**LOCAL).get("/stream/1", params={"api_key": consumer_key})
    assert response.status_code == 401
    assert response.json()["code"] == "credential_not_read"


def test_the_open_probe_answers_a_credential_it_does_not_read_as_for_anyone(db, consumer_key):
    """The probe stays open, but the caller is nobody, not the localhost Administrator."""
    response = EngineClient(**LOCAL).get("/system/status", params={"api_key": consumer_key})
    assert response.status_code == 200
    assert "warnings" not in response.json()


def test_query_parameters_that_are_not_credentials_are_left_alone(local):
    assert local.get("/library/works", params={"q": "token", "ordering": "title"}).status_code == 200


def test_the_hub_reads_bearer_and_access_token_but_not_api_key(db, consumer_key):
    client = EngineClient(**LOCAL)
    negotiate = "/hubs/intercom/negotiate?negotiateVersion=1"
    assert client.post(negotiate, headers={"Authorization": f"Bearer {consumer_key}"}).status_code == 200
    assert client.post(f"{negotiate}&access_token={consumer_key}").status_code == 200
    refused = client.post(f"{negotiate}&api_key={consumer_key}")
    assert refused.status_code == 401
    detail = refused.json()["detail"]
    assert refused.json()["code"] == "credential_not_read"
    assert "access_token" in detail and "Authorization: Bearer" in detail and "X-Api-Key" in detail


@pytest.mark.services
def test_curl_with_a_bearer_key_from_loopback_gets_401_from_a_real_server(tmp_path):
    curl = require_binary("curl")
    env = engine_environment(tmp_path / "data")
    manage(env, "migrate", "--no-input")
    created = manage(env, "apikey", "create", "--label", "curl", "--role", "Consumer")
    key = KEY_PATTERN.search(created.stdout).group(0)
    with EngineServer(env) as server:
        url = f"http://localhost:{server.port}{KEYS}"
        for args in (["-H", f"Authorization: Bearer {key}", url], [f"{url}?api_key={key}"]):
            result = subprocess.run(
                [curl, "-s", "-o", "/dev/stderr", "-w", "%{http_code}", *args], capture_output=True, text=True, timeout=30
            )
            assert result.stdout == "401", (args[-1], result.stdout, result.stderr)
            assert '"credential_not_read"' in result.stderr
            assert "mek_" not in result.stderr
