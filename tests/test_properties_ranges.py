"""Properties of the Range and conditional-request rules (library/streaming/ranges.py)."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from library.streaming.ranges import ByteRange, Unsatisfiable, Validators, evaluate, http_date, parse_range

sizes = st.integers(min_value=0, max_value=2**40)
positions = st.integers(min_value=0, max_value=2**41)
WHEN = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
VALIDATORS = Validators(etag='"abc123"', last_modified=WHEN)

header_text = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A[ \t]*bytes[ \t]*=[ \t0-9,\-]{0,30}\Z"),
    st.builds(lambda a, b: f"bytes={a}-{b}", positions | st.just(""), positions | st.just("")),
)


@given(header_text, sizes)
def test_any_header_gives_none_a_range_inside_the_file_or_unsatisfiable(header, size):
    try:
        result = parse_range(header, size)
    except Unsatisfiable as refusal:
        assert refusal.content_range == f"bytes */{size}"
        return
    if result is not None:
        assert isinstance(result, ByteRange)
        assert 0 <= result.first <= result.last < size
        assert result.length == result.last - result.first + 1 >= 1
        assert result.content_range == f"bytes {result.first}-{result.last}/{size}"


@given(sizes, positions, positions)
def test_a_closed_range_is_answered_exactly_or_clipped_to_the_end(size, first, last):
    assume(first <= last)
    header = f"bytes={first}-{last}"
    if first >= size:
        with pytest.raises(Unsatisfiable):
            parse_range(header, size)
        return
    result = parse_range(header, size)
    assert (result.first, result.last) == (first, min(last, size - 1))


@given(sizes, st.integers(min_value=1, max_value=2**41))
def test_a_suffix_range_names_the_last_bytes(size, suffix):
    result = parse_range(f"bytes=-{suffix}", size)
    if size == 0:
        assert result is None
    else:
        assert (result.first, result.last) == (max(size - suffix, 0), size - 1)


@given(sizes, positions, positions)
def test_a_backwards_range_is_ignored_not_refused(size, first, last):
    assume(first > last)
    assert parse_range(f"bytes={first}-{last}", size) is None


@given(sizes, st.lists(st.tuples(positions, positions), min_size=2, max_size=5))
def test_several_ranges_get_the_whole_file(size, ranges):
    header = "bytes=" + ",".join(f"{min(a, b)}-{max(a, b)}" for a, b in ranges)
    assert parse_range(header, size) is None


conditional_headers = st.dictionaries(
    st.sampled_from(["if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range", "range"]),
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(['"abc123"', 'W/"abc123"', '"other"', "*", http_date(WHEN), http_date(WHEN - timedelta(days=1)), "bytes=0-9"]),
    ),
)


@given(st.sampled_from(["GET", "HEAD"]), conditional_headers, sizes)
def test_evaluate_always_decides_a_known_status(method, headers, size):
    try:
        decision = evaluate(method, headers, size, VALIDATORS)
    except Unsatisfiable:
        assert method == "GET" and "range" in headers
        return
    assert decision.status in (200, 206, 304, 412)
    if decision.status == 206:
        assert method == "GET" and "range" in headers
        assert 0 <= decision.byte_range.first <= decision.byte_range.last < size
    else:
        assert decision.byte_range is None
