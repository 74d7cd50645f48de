"""OpenSubsonic authentication through the real ASGI application: ``apiKey``, ``u`` + ``p``, refusals.

Every refusal is a Subsonic error with HTTP 200 (the protocol's rule), numbered as the
specification and its ``apiKeyAuthentication`` extension say, and decided by the same principal
resolution as every other route: a credential that is sent is judged, also from localhost.
"""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from security import services
from security.audit import Actor
from security.models import ApiKey
# Imported up front: loading the ASGI app runs django.setup(), whose logging configuration
# would otherwise replace the handlers caplog installed, half-way through the first test.
import engine.asgi  # noqa: E402,F401
from tests.conftest import EngineClient

HELP_URL = "https://github.com/media-engine/media-engine#use-it-with-a-music-app"


def call(client, method, **params):
    response = client.get(f"/rest/{method}", params={"f": "json", "v": "1.16.1", "c": "tests", **params})
    assert response.status_code == 200, response.text
    return response.json()["subsonic-response"]


def error_of(body):
    assert body["status"] == "failed", body
    return body["error"]["code"]


@pytest.fixture
def consumer_key(make_key):
    return make_key("Consumer", label="Phone")[1]


def test_an_api_key_authenticates(remote, consumer_key):
    body = call(remote, "ping", apiKey=consumer_key)
    assert body == {"status": "ok", "version": "1.16.1", "type": "media-engine", "serverVersion": "0.1.0", "openSubsonic": True}


def test_u_sent_with_an_api_key_is_error_43(remote, consumer_key):
    assert error_of(call(remote, "ping", apiKey=consumer_key, u="phone")) == 43


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired", "malformed"])
def test_an_api_key_that_is_not_valid_is_error_44(remote, make_key, state):
    row, key = make_key("Consumer")
    if state == "unknown":
        key = key[:-6] + ("AAAAAA" if not key.endswith("AAAAAA") else "BBBBBB")
    elif state == "revoked":
        services.revoke_key(row, actor=Actor("test"))
    elif state == "expired":
        ApiKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        key = "not-a-key"
    assert error_of(call(remote, "ping", apiKey=key)) == 44


def test_a_revoked_key_fails_on_the_very_next_call(remote, make_key):
    row, key = make_key("Consumer")
    assert call(remote, "ping", apiKey=key)["status"] == "ok"
    services.revoke_key(row, actor=Actor("test"))
    assert error_of(call(remote, "ping", apiKey=key)) == 44


def test_the_legacy_password_is_the_key_in_plain_or_hex(remote, consumer_key):
    assert call(remote, "ping", u="anyone", p=consumer_key)["status"] == "ok"
    assert call(remote, "ping", u="anyone", p="enc:" + consumer_key.encode().hex())["status"] == "ok"
    assert call(remote, "ping", u="anyone", p="enc:" + consumer_key.encode().hex().upper())["status"] == "ok"


@pytest.mark.parametrize("password", ["sesame", "enc:736573616d65", "enc:zz"])
def test_a_password_that_is_no_valid_key_is_error_40(remote, password):
    assert error_of(call(remote, "ping", u="joe", p=password)) == 40


def test_token_authentication_is_error_41_with_a_help_url(remote):
    body = call(remote, "ping", u="joe", t="26719a1196d2a940705a59634eb18eab", s="c19b2d")
    assert body["error"]["code"] == 41
    assert body["error"]["helpUrl"] == HELP_URL


@pytest.mark.parametrize("params", [{"u": "joe"}, {"p": "x"}, {}], ids=["u-alone", "p-alone", "nothing"])
def test_incomplete_or_missing_credentials_are_error_10(remote, params):
    assert error_of(call(remote, "ping", **params)) == 10


def test_two_mechanisms_at_once_are_error_43(remote, consumer_key):
    assert error_of(call(remote, "ping", apiKey=consumer_key, p=consumer_key)) == 43
    assert error_of(call(remote, "ping", u="joe", p=consumer_key, t="x", s="y")) == 43
    response = remote.get("/rest/ping", params={"f": "json", "apiKey": consumer_key}, headers={"X-Api-Key": consumer_key})
    assert response.json()["subsonic-response"]["error"]["code"] == 43
    response = remote.get(f"/rest/ping?f=json&apiKey={consumer_key}&apiKey={consumer_key}")
    assert response.json()["subsonic-response"]["error"]["code"] == 43


def test_the_x_api_key_header_authenticates_too(remote, consumer_key):
    response = remote.get("/rest/ping", params={"f": "json"}, headers={"X-Api-Key": consumer_key})
    assert response.json()["subsonic-response"]["status"] == "ok"


def test_credentials_may_come_in_a_form_body(remote, consumer_key):
    response = remote.post("/rest/ping.view", data={"f": "json", "apiKey": consumer_key, "c": "tests", "v": "1.16.1"})
    assert response.json()["subsonic-response"]["status"] == "ok"
    refused = remote.post("/rest/ping.view", data={"f": "json", "apiKey": "not-a-key"})
    assert refused.json()["subsonic-response"]["error"]["code"] == 44


def test_localhost_without_credentials_is_the_administrator(local):
    assert call(local, "startScan")["status"] == "ok"


@pytest.mark.parametrize("params", [{"apiKey": "not-a-key"}, {"u": "joe", "p": "sesame"}, {"u": "joe", "t": "x", "s": "y"}, {"u": "joe"}])
def test_localhost_sending_a_credential_is_judged_by_it(local, params):
    assert call(local, "ping", **params)["status"] == "failed"


def test_localhost_sending_a_key_in_a_form_body_is_judged_by_it(local, consumer_key):
    """The body gate judges a request before its body is read; a key in a form body is judged
    once it is, and never leaves a local caller the Administrator."""
    response = local.post("/rest/startScan.view", data={"f": "json", "apiKey": consumer_key, "c": "tests", "v": "1.16.1"})
    assert response.json()["subsonic-response"]["error"] == {"code": 50, "message": "startScan needs the Administrator role."}
    refused = local.post("/rest/startScan.view", data={"f": "json", "apiKey": "not-a-key"})
    assert refused.json()["subsonic-response"]["error"]["code"] == 44


def test_a_credential_the_api_does_not_read_is_refused_not_ignored(local, consumer_key):
    response = local.get("/rest/startScan", params={"f": "json"}, headers={"Authorization": f"Bearer {consumer_key}"})
    assert response.json()["subsonic-response"]["error"]["code"] == 40  # refused, not the localhost Administrator


def test_a_consumer_may_not_start_a_scan(remote, consumer_key):
    body = call(remote, "startScan", apiKey=consumer_key)
    assert body["error"] == {"code": 50, "message": "startScan needs the Administrator role."}


def test_an_administrator_starts_a_scan(remote, make_key):
    assert call(remote, "startScan", apiKey=make_key("Administrator")[1])["scanStatus"]["scanning"] in (True, False)


def test_a_key_never_comes_back_in_an_answer_or_a_log_line(remote, consumer_key, caplog):
    caplog.set_level(logging.DEBUG)
    hexed = consumer_key.encode().hex()
    answers = [
        remote.get("/rest/ping", params={"apiKey": consumer_key, "u": "x"}),
        remote.get("/rest/ping", params={"apiKey": consumer_key[:-1] + "x"}),
        remote.get("/rest/getUser", params={"u": "x", "p": f"enc:{hexed}"}),
        remote.get("/rest/nothing", params={"u": "x", "p": consumer_key, "t": "a", "s": "b"}),
    ]
    secret = consumer_key[len("mek_") + 13:]
    for answer in answers:
        assert secret not in answer.text and hexed not in answer.text
    assert secret not in caplog.text and hexed not in caplog.text
    assert "apiKey=[redacted]" in caplog.text and "p=[redacted]" in caplog.text


def test_the_redaction_covers_each_subsonic_credential_parameter():
    from security.redaction import redact

    line = "GET /rest/ping.view?u=joe&p=enc:736573616d65&t=26719a&s=c19b2d&apiKey=abc&c=app HTTP/1.1"
    assert redact(line) == "GET /rest/ping.view?u=joe&p=[redacted]&t=[redacted]&s=[redacted]&apiKey=[redacted]&c=app HTTP/1.1"
    assert redact("status=ok steps=3") == "status=ok steps=3"


def test_other_http_methods_are_405(client_as):
    response = client_as("Administrator").put("/rest/ping", params={"f": "json"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"
    assert response.json()["subsonic-response"]["status"] == "failed"


def test_jsonp_is_refused(remote, consumer_key):
    body = call(remote, "ping", apiKey=consumer_key, f="jsonp", callback="steal")
    assert body["error"]["code"] == 0 and "f=json" in body["error"]["message"]


def test_an_unknown_method_is_error_70(remote, consumer_key):
    assert error_of(call(remote, "getNothing", apiKey=consumer_key)) == 70


def test_a_client_over_the_general_quota_gets_429_with_retry_after_in_subsonic_form(remote, consumer_key, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "2/m"}
    for _ in range(2):
        assert call(remote, "ping", apiKey=consumer_key)["status"] == "ok"
    response = remote.get("/rest/ping", params={"f": "json", "apiKey": consumer_key})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["subsonic-response"]["error"]["code"] == 0


def test_stream_download_and_cover_art_spend_the_streaming_quota(remote, consumer_key, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_STREAM": "3/m", "RATE_GENERAL": "100/m"}
    for method in ("stream", "download", "getCoverArt"):
        assert remote.get(f"/rest/{method}.view", params={"apiKey": consumer_key, "id": "1"}).status_code == 200
    assert remote.get("/rest/stream", params={"apiKey": consumer_key, "id": "1"}).status_code == 429
    assert call(remote, "ping", apiKey=consumer_key)["status"] == "ok"


def test_a_curator_key_as_password_from_a_real_client_address(make_key):
    client = EngineClient(peer="198.51.100.7")
    key = make_key("Curator")[1]
    assert call(client, "getUser", u="me", p=key)["user"]["adminRole"] is False


def test_the_user_is_the_keys_profile_whatever_u_says(remote, make_key):
    from security.profiles.services import create_profile

    ada = create_profile(display_name="Ada", actor=Actor("test"))
    key = make_key("Consumer", profile=ada)[1]
    assert call(remote, "getUser", apiKey=key)["user"]["username"] == "Ada"
    assert call(remote, "getUser", u="someone-else", p=key)["user"]["username"] == "Ada"
    assert call(remote, "tokenInfo", apiKey=key)["tokenInfo"] == {"username": "Ada"}
    assert error_of(call(remote, "getUser", apiKey=key, username="Owner")) == 50


@pytest.mark.parametrize("method", ["getSong", "getAlbum", "getArtist", "star", "scrobble", "getMusicDirectory"])
@pytest.mark.parametrize("item", ["²", "١٢", "9" * 30])
def test_an_id_that_is_no_id_is_a_subsonic_error_never_a_500(remote, consumer_key, method, item):
    assert call(remote, method, apiKey=consumer_key, id=item)["status"] == "failed"
