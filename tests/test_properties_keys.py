"""Properties of the key format (security/keys.py), over generated keys and arbitrary text."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security import keys

KEY_ALPHABET = string.ascii_letters + string.digits + "_"


@st.composite
def valid_keys(draw):
    # generate() draws from the OS; hypothesis only picks how many to make and which to use.
    draw(st.integers(min_value=0, max_value=3))
    return keys.generate()


@given(valid_keys())
def test_a_generated_key_parses_back_to_its_own_id(made):
    parsed = keys.parse(made.plaintext)
    assert parsed.key_id == made.key_id
    assert parsed.prefix == f"mek_{made.key_id}"
    assert made.plaintext.startswith(parsed.prefix + "_")
    assert len(made.plaintext) == keys.KEY_LENGTH


@given(valid_keys(), st.data())
def test_any_single_character_changed_is_refused_before_the_database(made, data):
    position = data.draw(st.integers(min_value=0, max_value=len(made.plaintext) - 1))
    replacement = data.draw(st.sampled_from(KEY_ALPHABET).filter(lambda c: c != made.plaintext[position]))
    mutated = made.plaintext[:position] + replacement + made.plaintext[position + 1 :]
    with pytest.raises(keys.MalformedKey):
        keys.parse(mutated)


@given(valid_keys(), st.integers(min_value=1, max_value=20))
def test_a_truncated_or_extended_key_is_refused(made, cut):
    with pytest.raises(keys.MalformedKey):
        keys.parse(made.plaintext[:-cut])
    with pytest.raises(keys.MalformedKey):
        keys.parse(made.plaintext + made.plaintext[:cut])


@given(st.one_of(st.text(), st.text(alphabet=KEY_ALPHABET, min_size=60, max_size=70), st.binary(), st.none(), st.integers()))
def test_parse_refuses_garbage_only_with_malformed_key(text):
    try:
        parsed = keys.parse(text)
    except keys.MalformedKey as error:
        # The message never says which check failed, nor repeats the text.
        assert str(error) == "malformed key"
    else:
        assert keys.KEY_PATTERN.match(parsed.plaintext)


@given(valid_keys(), valid_keys())
def test_verify_accepts_only_the_key_whose_digest_is_stored(first, second):
    stored = keys.digest(first.plaintext)
    assert keys.verify(first.plaintext, stored)
    assert not keys.verify(second.plaintext, stored)
    assert first.plaintext not in stored
