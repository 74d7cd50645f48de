"""Hostile requests to the authentication layer get a JSON 400/401, never a 500, and change nothing."""

import pytest

from security.models import ApiKey

KEYS = "/admin/api-keys"


def assert_json_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]


def test_ten_kilobyte_key_is_refused(remote):
    assert_json_error(remote.get(KEYS, key="mek_" + "A" * 10_000), 401)


def test_non_utf8_key_header_is_refused(remote):
    response = remote.get(KEYS, headers=[(b"X-Api-Key", b"mek_\xff\xfe\x80")])
    assert_json_error(response, 401)


def test_key_header_sent_twice_is_refused_even_if_both_are_valid(remote, make_key):
    _, plaintext = make_key("Administrator")
    response = remote.get(KEYS, headers=[("X-Api-Key", plaintext), ("X-Api-Key", plaintext)])
    assert_json_error(response, 401)


def test_query_string_key_is_not_accepted_outside_the_hub(remote, make_key):
    _, plaintext = make_key("Administrator")
    assert_json_error(remote.get(KEYS, params={"access_token": plaintext}), 401)
    assert_json_error(remote.get(KEYS, params={"api_key": plaintext}), 401)


def test_bearer_key_is_not_accepted_outside_the_hub(remote, make_key):
    _, plaintext = make_key("Administrator")
    assert_json_error(remote.get(KEYS, headers={"Authorization": f"Bearer {plaintext}"}), 401)


@pytest.mark.parametrize(
    "content, content_type, status, code",
    [
        (b"{not json", "application/json", 400, "parse_error"),
        (b"[1, 2, 3]", "application/json", 400, "invalid"),
        (b'"label"', "application/json", 400, "invalid"),
        (b"\xff\xfe garbage", "application/json", 400, "parse_error"),
        (b"label=x&role=Consumer", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"label": "x", "role": "Consumer"}', "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_are_refused_and_change_nothing(client_as, content, content_type, status, code):
    admin = client_as("Administrator")
    response = admin.post(KEYS, content=content, headers={"Content-Type": content_type})
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["detail"]
    assert ApiKey.objects.count() == 1  # only the caller's own key


def test_non_utf8_host_and_origin_are_refused_not_crashing(remote):
    response = remote.post(KEYS, headers=[(b"Origin", b"http://\xff\xfe"), (b"X-Forwarded-For", b"\xff\x00")])
    assert_json_error(response, 401)


@pytest.mark.parametrize("path", [KEYS, "/settings/folders", "/settings/test-path", "/metadata/lock-claim"])
def test_a_body_over_the_upload_limit_is_413_and_changes_nothing(client_as, settings, path):
    admin = client_as("Administrator")
    body = b'{"label": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'", "role": "Consumer"}'
    response = admin.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes this engine accepts"
        " (MEDIA_ENGINE_MAX_BODY_BYTES).",
        "code": "request_too_large",
    }
    assert ApiKey.objects.count() == 1  # only the caller's own key
