"""Byte ranges, conditional requests and HEAD on /stream/{id} (RFC 9110 §13, §14)."""

import os
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from library.streaming.ranges import ByteRange, Unsatisfiable, parse_range
from tests.streaming_fixtures import add_file, make_root, mp4

CONTENT = mp4(bytes(range(256)) * 40)[:10240]  # 10240 bytes, an MP4 by its first ones


@pytest.fixture
def asset(db, tmp_path):
    return add_file(make_root(tmp_path / "library"), "Films/Le Film é.mp4", CONTENT)


@pytest.fixture
def consumer(client_as):
    return client_as("Consumer")


def url(asset):
    return f"/stream/{asset.pk}"


# The parser on its own.

@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=0-0", ByteRange(0, 0, 100)),
        ("bytes=99-99", ByteRange(99, 99, 100)),
        ("bytes=10-", ByteRange(10, 99, 100)),
        ("bytes=-1", ByteRange(99, 99, 100)),
        ("bytes=-1000", ByteRange(0, 99, 100)),
        ("bytes=50-5000", ByteRange(50, 99, 100)),
        ("BYTES = 1-2", ByteRange(1, 2, 100)),
        ("bytes=0-" + "9" * 400, ByteRange(0, 99, 100)),
    ],
)
def test_valid_single_ranges_name_the_right_bytes(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=", "bytes=abc", "bytes=5-1", "bytes=--1", "bytes=1-2-3", "items=0-1", "bytes 0-1", "bytes=١-٢",
     "bytes=0-1,2-3", "bytes=0-" + "9" * 5000, ""],
)
def test_malformed_unknown_or_multiple_ranges_mean_the_whole_file(header):
    assert parse_range(header, 100) is None


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0", "bytes=" + "9" * 400 + "-"])
def test_ranges_past_the_end_are_unsatisfiable(header):
    with pytest.raises(Unsatisfiable) as raised:
        parse_range(header, 100)
    assert raised.value.content_range == "bytes */100"


def test_zero_length_file_has_no_satisfiable_int_range():
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=0-0", 0)
    assert parse_range("bytes=-5", 0) is None


# Through the engine.

def test_whole_file_is_served_with_validators(asset, consumer):
    response = consumer.get(url(asset))
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["etag"] == f'"{asset.content_hash}"'
    assert response.headers["content-type"] == "video/mp4"
    assert "last-modified" in response.headers


@pytest.mark.parametrize(
    "header, first, last",
    [("bytes=0-0", 0, 0), ("bytes=0-99", 0, 99), ("bytes=10239-", 10239, 10239), ("bytes=-1", 10239, 10239),
     ("bytes=-99999", 0, 10239), ("bytes=5000-99999999999999999999999", 5000, 10239)],
)
def test_single_range_gives_206_with_content_range(asset, consumer, header, first, last):
    response = consumer.get(url(asset), headers={"Range": header})
    assert response.status_code == 206
    assert response.content == CONTENT[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0", "bytes=99999999999999999999999-"])
def test_range_past_the_end_is_416_with_the_size(asset, consumer, header):
    response = consumer.get(url(asset), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(CONTENT)}"
    assert response.json()["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=9-1", "pages=1-2", "bytes=0-1,5-6", "bytes=1-2\x00"])
def test_malformed_or_multiple_ranges_give_the_whole_file(asset, consumer, header):
    response = consumer.get(url(asset), headers={"Range": header})
    assert response.status_code == 200
    assert response.content == CONTENT


def test_a_file_emptied_after_its_scan_is_not_served_ranged_or_whole(tmp_path, consumer):
    # A scan takes in no empty file, and one emptied since is no longer the file it took in.
    empty = add_file(make_root(tmp_path / "empty"), "nothing.mp4", mp4(b"soon gone"))
    (tmp_path / "empty" / "nothing.mp4").write_bytes(b"")
    for headers in ({}, {"Range": "bytes=0-0"}, {"Range": "bytes=-10"}):
        response = consumer.get(url(empty), headers=headers)
        assert (response.status_code, response.json()["code"]) == (409, "asset_changed")


def test_head_gives_the_same_headers_without_a_body(asset, consumer):
    get = consumer.get(url(asset))
    head = consumer.head(url(asset))
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-length", "content-type", "etag", "last-modified", "accept-ranges", "content-disposition"):
        assert head.headers[name] == get.headers[name]


def test_matching_if_none_match_gives_304(asset, consumer):
    etag = consumer.get(url(asset)).headers["etag"]
    response = consumer.get(url(asset), headers={"If-None-Match": f'"other", {etag}'})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert consumer.get(url(asset), headers={"If-None-Match": '"other"'}).status_code == 200
    assert consumer.get(url(asset), headers={"If-None-Match": "*"}).status_code == 304


def test_if_modified_since(asset, consumer):
    last_modified = consumer.get(url(asset)).headers["last-modified"]
    assert consumer.get(url(asset), headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(datetime.now(timezone.utc) - timedelta(days=400), usegmt=True)
    assert consumer.get(url(asset), headers={"If-Modified-Since": earlier}).status_code == 200
    assert consumer.get(url(asset), headers={"If-Modified-Since": "not a date"}).status_code == 200


def test_if_range_with_current_etag_honours_the_range(asset, consumer):
    etag = consumer.get(url(asset)).headers["etag"]
    response = consumer.get(url(asset), headers={"Range": "bytes=0-9", "If-Range": etag})
    assert (response.status_code, response.content) == (206, CONTENT[:10])


def test_if_range_with_stale_validator_gives_the_whole_file(asset, consumer):
    stale = consumer.get(url(asset), headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert (stale.status_code, stale.content) == (200, CONTENT)
    old_date = format_datetime(datetime(2001, 1, 1, tzinfo=timezone.utc), usegmt=True)
    by_date = consumer.get(url(asset), headers={"Range": "bytes=0-9", "If-Range": old_date})
    assert by_date.status_code == 200


def test_if_match_mismatch_is_412(asset, consumer):
    response = consumer.get(url(asset), headers={"If-Match": '"other"'})
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"


def test_content_disposition_is_inline_with_rfc6266_name(asset, consumer):
    disposition = consumer.get(url(asset)).headers["content-disposition"]
    assert disposition == "inline; filename=\"Le Film _.mp4\"; filename*=UTF-8''Le%20Film%20%C3%A9.mp4"


def test_hostile_file_name_cannot_break_the_header(tmp_path, consumer):
    hostile = add_file(make_root(tmp_path / "hostile"), 'a"b\\c;d.mp4', mp4(b"x"))
    disposition = consumer.get(url(hostile)).headers["content-disposition"]
    assert disposition.startswith('inline; filename="a_b_c;d.mp4"; filename*=UTF-8\'\'a%22b%5Cc%3Bd.mp4')


def test_every_role_may_stream(asset, client_as, local):
    for role in ("Administrator", "Curator", "Consumer"):
        assert client_as(role).get(url(asset)).status_code == 200
    assert local.get(url(asset)).status_code == 200


def test_anonymous_remote_caller_is_refused(asset, remote):
    response = remote.get(url(asset))
    assert response.status_code == 401
    assert "www-authenticate" in response.headers


def test_revoked_key_is_refused(asset, make_key):
    from security import services
    from security.audit import Actor
    from tests.conftest import EngineClient

    key, plaintext = make_key("Consumer")
    services.revoke_key(key, actor=Actor("test setup"))
    assert EngineClient(key=plaintext).get(url(asset)).status_code == 401


def test_unknown_asset_and_other_methods(consumer):
    assert consumer.get("/stream/999999").status_code == 404
    assert consumer.get("/stream/99999999999999999999999999").status_code == 404
    refused = consumer.post("/stream/1")
    assert refused.status_code == 405
    assert refused.json()["code"] == "method_not_allowed"
