"""Signed stream links: one asset, until expiry, while the issuing key stays active; no key inside."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from security.redaction import redact
from security import services
from security.audit import Actor
from security.stream_links import stream_link_signer
from tests.conftest import EngineClient
from tests.streaming_fixtures import add_file, make_root, mp4

CONTENT = mp4(b"0123456789" * 100)


@pytest.fixture
def library(db, tmp_path):
    return make_root(tmp_path / "library")


@pytest.fixture
def asset(library):
    return add_file(library, "film.mp4", CONTENT)


@pytest.fixture
def issued(make_key, asset):
    key, plaintext = make_key("Consumer")
    response = EngineClient(key=plaintext).get(f"/stream/{asset.pk}/link")
    assert response.status_code == 200
    return key, plaintext, response.json()


def with_params(url, **changes):
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


def test_link_is_relative_carries_no_key_and_expires_in_six_hours(issued, asset):
    _, plaintext, body = issued
    assert set(body) == {"url", "expires_at"}
    assert body["url"].startswith(f"/stream/{asset.pk}?")
    assert plaintext not in body["url"]
    assert plaintext.split("_")[2] not in body["url"]
    expires = timezone.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=5, minutes=59) < expires - timezone.now() <= timedelta(hours=6)


def test_link_streams_without_a_key_from_another_machine(issued):
    _, _, body = issued
    anonymous = EngineClient()
    assert anonymous.get(body["url"]).content == CONTENT
    ranged = anonymous.get(body["url"], headers={"Range": "bytes=-5"})
    assert (ranged.status_code, ranged.content) == (206, CONTENT[-5:])
    assert anonymous.head(body["url"]).status_code == 200


@pytest.mark.parametrize("param", ["sig", "expires", "kid"])
def test_tampered_link_is_refused(issued, param):
    _, _, body = issued
    original = parse_qs(urlsplit(body["url"]).query)[param][0]
    tampered = original[:-1] + ("0" if original[-1] != "0" else "1")
    response = EngineClient().get(with_params(body["url"], **{param: tampered}))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_link_opens_only_its_own_asset(issued, library):
    _, _, body = issued
    other = add_file(library, "other.mp4", mp4(b"another film"))
    query = urlsplit(body["url"]).query
    assert EngineClient().get(f"/stream/{other.pk}?{query}").status_code == 401


def test_link_is_not_a_credential_anywhere_else(make_key, asset):
    key, plaintext = make_key("Administrator")
    body = EngineClient(key=plaintext).get(f"/stream/{asset.pk}/link").json()
    query = urlsplit(body["url"]).query
    for path in (f"/stream/{asset.pk}/link", "/admin/api-keys"):
        assert EngineClient().get(f"{path}?{query}").status_code == 401


def test_expired_link_is_refused(make_key, asset):
    key, _ = make_key("Consumer")
    url, _ = stream_link_signer.make(asset.pk, key.key_id, now=timezone.now() - timedelta(hours=7))
    response = EngineClient().get(url)
    assert response.status_code == 401
    fresh, _ = stream_link_signer.make(asset.pk, key.key_id)
    assert EngineClient().get(fresh).status_code == 200


def test_link_stops_working_when_its_key_is_revoked(issued):
    key, _, body = issued
    services.revoke_key(key, actor=Actor("test setup"))
    assert EngineClient().get(body["url"]).status_code == 401


def test_link_stops_working_when_its_key_expires(issued):
    key, _, body = issued
    type(key).objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert EngineClient().get(body["url"]).status_code == 401


def test_bad_link_is_judged_even_from_localhost(issued, local):
    _, _, body = issued
    assert local.get(with_params(body["url"], sig="0" * 64)).status_code == 401


def test_localhost_administrator_gets_no_link(local, asset):
    response = local.get(f"/stream/{asset.pk}/link")
    assert response.status_code == 403
    assert response.json()["code"] == "key_required"


def test_every_role_may_get_a_link_and_anonymous_may_not(client_as, remote, asset):
    for role in ("Administrator", "Curator", "Consumer"):
        assert client_as(role).get(f"/stream/{asset.pk}/link").status_code == 200
    assert remote.get(f"/stream/{asset.pk}/link").status_code == 401


def test_link_for_unknown_asset_is_404(client_as):
    assert client_as("Consumer").get("/stream/424242/link").status_code == 404


def test_signature_is_redacted_from_log_lines(issued):
    _, _, body = issued
    signature = parse_qs(urlsplit(body["url"]).query)["sig"][0]
    line = f'127.0.0.1:5000 - "GET {body["url"]} HTTP/1.1" 200'
    assert signature not in redact(line)
