"""Properties of the key format (security/keys.py), judged by the format's rules as the README
states them (tests/key_format.py), not by the engine's own pattern or checksum."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security import keys
from tests import key_format

KEY_ALPHABET = key_format.ALPHABET + "_"
key_ids = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12)
secrets_ = st.text(alphabet=key_format.ALPHABET, min_size=43, max_size=43)


@st.composite
def valid_keys(draw):
    # generate() draws from the OS; hypothesis only picks how many to make and which to use.
    draw(st.integers(min_value=0, max_value=3))
    return keys.generate()


@given(valid_keys())
def test_a_generated_key_has_the_documented_form_and_parses_back_to_its_own_id(made):
    assert key_format.is_well_formed(made.plaintext)
    assert key_format.split(made.plaintext)[0] == made.key_id
    parsed = keys.parse(made.plaintext)
    assert parsed.key_id == made.key_id
    assert parsed.prefix == f"mek_{made.key_id}"


@given(key_ids, secrets_)
def test_any_key_id_and_secret_with_the_documented_checksum_parse(key_id, secret):
    parsed = keys.parse(key_format.forge(key_id, secret))
    assert (parsed.key_id, parsed.prefix) == (key_id, f"mek_{key_id}")


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


@given(st.one_of(
    st.text(), st.text(alphabet=KEY_ALPHABET, min_size=60, max_size=70), st.binary(), st.none(), st.integers(),
    st.builds(lambda i, s, c: f"mek_{i}_{s}{c}", key_ids, secrets_, st.text(alphabet=key_format.ALPHABET, min_size=6, max_size=6)),
))
def test_parse_accepts_exactly_the_documented_form(text):
    try:
        parsed = keys.parse(text)
    except keys.MalformedKey as error:
        # The message never says which check failed, nor repeats the text.
        assert str(error) == "malformed key"
        assert not key_format.is_well_formed(text)
    else:
        assert key_format.is_well_formed(text)
        assert parsed.plaintext == text


@given(valid_keys(), valid_keys())
def test_verify_accepts_only_the_key_whose_digest_is_stored(first, second):
    import hashlib

    stored = keys.digest(first.plaintext)
    assert stored == hashlib.sha256(first.plaintext.encode()).hexdigest()
    assert keys.verify(first.plaintext, stored)
    assert not keys.verify(second.plaintext, stored)
    assert first.plaintext not in stored
