"""Hostile input on the e-reader surfaces: whatever an OPDS reader or a sync client sends, the
answer is a clean refusal in the surface's error format or a feed, never a 500, and nothing is
written unless the request was valid. (The schema fuzzer covers the same routes from the
OpenAPI document; these go where it does not: credentials, path tokens, bodies of any shape.)"""

import base64
import hashlib
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from library.models import Asset, Work
from library.models.state import ReadingProgress
from security import services
from security.audit import Actor
from tests.conftest import EngineClient

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers(-(2**70), 2**70) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def world(db, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "1000000/m", "RATE_STREAM": "1000000/m"}
    work = Work.objects.create(kind="book", title="Dune", author="Frank Herbert")
    Asset.objects.create(work=work, content_hash="a" * 64, size=10, mime_type="application/epub+zip", koreader_digest="b" * 32)
    _, key = services.create_key(label="reader", role="Consumer", actor=Actor("test"))
    return {"key": key, "client": EngineClient(), "userkey": hashlib.md5(key.encode()).hexdigest()}


def assert_clean(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"] and "Traceback" not in response.text


@SETTINGS
@given(value=header_text)
def test_any_authorization_header_on_the_catalog_is_a_401_asking_for_basic(world, value):
    response = world["client"].get("/opds/", headers={"Authorization": value})
    assert_clean(response, 401)
    assert response.headers["www-authenticate"] == 'Basic realm="Media Engine"'


@SETTINGS
@given(user=header_text, password=st.text(max_size=200))
def test_any_basic_credentials_but_the_key_are_refused(world, user, password):
    token = base64.b64encode(f"{user.replace(':', '')}:{password}".encode()).decode()
    response = world["client"].get("/opds/recent", headers={"Authorization": f"Basic {token}"})
    assert_clean(response, 200 if password.strip() == world["key"] else 401)


@SETTINGS
@given(user=header_text, userkey=header_text)
def test_any_sync_credentials_but_the_keys_digest_are_refused_in_the_protocols_format(world, user, userkey):
    response = world["client"].get("/kosync/users/auth", headers={"x-auth-user": user, "x-auth-key": userkey})
    assert_clean(response, 200 if userkey.strip().lower() == world["userkey"] else 401)
    if response.status_code == 401:
        assert response.json()["code"] == 2001


@SETTINGS
@given(page=st.text(max_size=30), q=st.text(max_size=300), token=st.text(max_size=120))
def test_any_page_query_or_group_token_is_a_feed_or_a_clean_refusal(world, page, q, token):
    client, key = world["client"], world["key"]
    for path in (f"/opds/recent?page={quote(page)}", f"/opds/v2/search?q={quote(q)}&page={quote(page)}",
                 f"/opds/search?q={quote(q)}", f"/opds/authors/{quote(token, safe='')}", f"/opds/v2/series/{quote(token, safe='')}",
                 f"/opds/kinds/{quote(token, safe='')}"):
        assert_clean(client.get(path, key=key), 200, 400, 404)


@SETTINGS
@given(body=json_values, document=st.sampled_from(["b" * 32, "B" * 32, "c" * 32, "", "../etc", "b" * 33]))
def test_any_sync_body_is_saved_only_when_valid_and_never_a_500(world, body, document):
    client = world["client"]
    if isinstance(body, dict):
        body = {**body, "document": document}
    before = list(ReadingProgress.objects.values_list("percentage", "position"))
    response = client.put("/kosync/syncs/progress", headers={"x-auth-user": "r", "x-auth-key": world["userkey"]},
                          content=json.dumps(body).encode(), key=None)
    assert_clean(response, 200, 400, 404)
    if response.status_code != 200:
        assert list(ReadingProgress.objects.values_list("percentage", "position")) == before
        assert isinstance(response.json()["code"], int)


@SETTINGS
@given(document=st.text(max_size=80))
def test_any_document_asked_for_is_progress_or_nothing(world, document):
    response = world["client"].get(f"/kosync/syncs/progress/{quote(document, safe='')}", headers={"x-auth-user": "r", "x-auth-key": world["userkey"]})
    assert_clean(response, 200, 404)
