"""HTTP Basic with an engine key as the password: read on the OPDS catalog and the progress sync
only, judged exactly like ``X-Api-Key``, asked for with ``Basic realm="Media Engine"``."""

import base64
import logging

import pytest

from security import services
from security.audit import Actor
from security.redaction import redact

BASIC_CHALLENGE = 'Basic realm="Media Engine"'


def basic(password, user="reader"):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(autouse=True)
def generous(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m", "RATE_STREAM": "100000/m"}


@pytest.mark.parametrize("user", ["reader", "", "Ünïcode name"])
def test_any_user_name_with_a_consumer_key_as_password_opens_the_catalog(remote, make_key, user):
    _, key = make_key("Consumer")
    response = remote.get("/opds/", headers=basic(key, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml;profile=opds-catalog;kind=navigation")


@pytest.mark.parametrize("path", ["/opds/", "/opds/recent", "/opds/v2/", "/opds/stream/1", "/opds/no-such-feed", "/kosync/users/auth"])
def test_an_anonymous_caller_is_asked_for_basic_credentials(remote, path):
    response = remote.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE
    assert response.json()["code"] == "not_authenticated" or path.startswith("/kosync/")


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"reader:mek_000000000000_" + b"A" * 49).decode(),  # well formed, unknown
        "Basic " + base64.b64encode(b"reader:not a key").decode(),
        "Basic " + base64.b64encode(b"no colon at all").decode(),
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"reader:\xff\xfe").decode(),  # not UTF-8
        "Basic ",
        "Basic " + "A" * 5000,
        "Bearer mek_whatever",
        "Digest username=reader",
    ],
)
def test_a_bad_credential_is_401_with_the_basic_challenge_also_from_localhost(remote, local, authorization):
    for client in (remote, local):
        response = client.get("/opds/", headers={"Authorization": authorization})
        assert response.status_code == 401, (client.peer, authorization)
        assert response.headers["www-authenticate"] == BASIC_CHALLENGE
        assert response.json()["code"] == "invalid_credentials"


def test_a_revoked_key_is_refused_on_the_next_request(remote, make_key):
    api_key, key = make_key("Consumer")
    assert remote.get("/opds/", headers=basic(key)).status_code == 200
    services.revoke_key(api_key, actor=Actor("test"))
    response = remote.get("/opds/", headers=basic(key))
    assert response.status_code == 401 and response.headers["www-authenticate"] == BASIC_CHALLENGE


def test_an_expired_key_is_refused(remote, make_key):
    from datetime import timedelta

    from django.utils import timezone

    _, key = make_key("Consumer", expires_at=timezone.now() - timedelta(seconds=1))
    assert remote.get("/opds/", headers=basic(key)).status_code == 401


def test_basic_is_not_read_outside_the_catalog_and_the_sync(remote, make_key):
    _, key = make_key("Administrator")
    for path in ("/library/works", "/stream/1", "/admin/api-keys", "/hubs/intercom/negotiate"):
        response = remote.get(path, headers=basic(key))
        assert response.status_code == 401, path
        # Never a Basic challenge here: a browser must not learn to send a password to the API.
        assert not response.headers["www-authenticate"].startswith("Basic"), path


def test_x_api_key_opens_the_catalog_too_and_wins_over_basic(remote, make_key):
    _, key = make_key("Consumer")
    assert remote.get("/opds/", key=key).status_code == 200
    assert remote.get("/opds/", key=key, headers=basic("not a key")).status_code == 200


def test_roles_are_the_keys_as_everywhere(remote, make_key):
    for role in ("Consumer", "Curator", "Administrator"):
        _, key = make_key(role)
        assert remote.get("/opds/authors", headers=basic(key)).status_code == 200, role


def test_feeds_count_as_general_and_downloads_as_streaming(remote, make_key):
    _, key = make_key("Consumer")
    assert remote.get("/opds/", headers=basic(key)).headers["ratelimit-policy"].startswith('"general"')
    assert remote.get("/opds/stream/987654", headers=basic(key)).headers["ratelimit-policy"].startswith('"stream"')
    assert remote.get("/opds/works/987654/artwork", headers=basic(key)).headers["ratelimit-policy"].startswith('"stream"')


def test_the_general_quota_applies_to_basic_callers(remote, make_key, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "3/m"}
    _, key = make_key("Consumer")
    statuses = [remote.get("/opds/", headers=basic(key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_basic_credentials_are_redacted_from_log_lines(make_key, caplog):
    _, key = make_key("Consumer")
    header = basic(key)["Authorization"]
    token = header.split()[1]
    for line in (f"Authorization: {header}", f"{{'authorization': '{header}'}}", f"HTTP_AUTHORIZATION={header}", f"x-auth-key: {'a' * 32}"):
        cleaned = redact(line)
        assert token not in cleaned and "a" * 32 not in cleaned and "[redacted]" in cleaned, cleaned
    logger = logging.getLogger("library.opds")
    with caplog.at_level(logging.INFO, logger="library.opds"):
        logger.info("request headers %s", {"authorization": header})
    assert token not in caplog.text


def test_the_kosync_credential_opens_the_sync_and_nothing_else(remote, make_key):
    """``x-auth-key`` is MD5 of the key (what KOReader keeps in its settings): good on /kosync/
    alone, never for the catalog, the API or the files."""
    import hashlib

    _, key = make_key("Administrator")
    headers = {"x-auth-user": "reader", "x-auth-key": hashlib.md5(key.encode()).hexdigest()}
    assert remote.get("/kosync/users/auth", headers=headers).status_code == 200
    for path in ("/opds/", "/library/works", "/stream/1", "/admin/api-keys"):
        assert remote.get(path, headers=headers).status_code == 401, path


def test_a_key_made_before_the_sync_digest_existed_cannot_sync(remote, make_key):
    import hashlib

    from security.models import ApiKey

    api_key, key = make_key("Consumer")
    ApiKey.objects.filter(pk=api_key.pk).update(sync_digest="")
    headers = {"x-auth-user": "reader", "x-auth-key": hashlib.md5(key.encode()).hexdigest()}
    assert remote.get("/kosync/users/auth", headers=headers).status_code == 401
    assert remote.get("/kosync/users/auth", headers=basic(key)).status_code == 200
