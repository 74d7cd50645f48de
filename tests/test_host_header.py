"""A request for a host the engine does not answer to is told which host and which setting.

``400 {"detail": "Bad request."}`` left a new user behind a new host name guessing; the answer
names the refused host and ``MEDIA_ENGINE_ALLOWED_HOSTS``, the setting that admits it.
"""

import pytest

from tests.conftest import EngineClient


@pytest.mark.parametrize("path", ["/library/works", "/admin/api-keys", "/system/status"])
def test_a_host_not_allowed_is_named_with_the_setting_that_admits_it(client_as, path):
    response = client_as("Administrator", host="media.home.arpa:8000").get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "disallowed_host"
    assert "'media.home.arpa:8000'" in body["detail"]
    assert "MEDIA_ENGINE_ALLOWED_HOSTS" in body["detail"]


def test_a_hostile_host_header_is_not_echoed_raw(client_as):
    host = "evil.example" + "a" * 400
    response = client_as("Administrator", host=host).get("/library/works")
    assert response.status_code == 400
    assert host not in response.text
    assert len(response.json()["detail"]) < 300


def test_an_allowed_host_is_served(client_as):
    assert client_as("Consumer").get("/library/works").status_code == 200
