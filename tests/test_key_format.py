"""The key format on its own: generation, parsing, checksum and digest."""

import pytest

from security import keys


def test_generated_key_parses_back_to_its_id():
    generated = keys.generate()
    parsed = keys.parse(generated.plaintext)
    assert parsed.key_id == generated.key_id
    assert generated.plaintext.startswith(f"mek_{generated.key_id}_")
    assert len(generated.plaintext) == keys.KEY_LENGTH


def test_keys_are_unique_and_carry_256_bits():
    secrets_seen = {keys.generate().plaintext for _ in range(200)}
    assert len(secrets_seen) == 200
    assert 62 ** keys.SECRET_LENGTH >= 2**256


def test_every_single_character_change_is_caught_by_the_checksum():
    plaintext = keys.generate().plaintext
    body_start = len("mek_")
    for position in range(body_start, len(plaintext)):
        for replacement in "0aZ":
            if plaintext[position] == replacement or (position < 16 and replacement not in "0123456789abcdef"):
                continue
            changed = plaintext[:position] + replacement + plaintext[position + 1 :]
            with pytest.raises(keys.MalformedKey):
                keys.parse(changed)


@pytest.mark.parametrize(
    "text",
    ["", "mek_", "x" * 10_000, "mek_0123456789ab_" + "A" * 48, None, 42, "MEK_" + "a" * 62, "mek_0123456789ab_" + "é" * 49],
)
def test_malformed_text_is_refused(text):
    with pytest.raises(keys.MalformedKey):
        keys.parse(text)


def test_digest_verifies_only_the_same_key():
    first, second = keys.generate(), keys.generate()
    stored = keys.digest(first.plaintext)
    assert keys.verify(first.plaintext, stored)
    assert not keys.verify(second.plaintext, stored)
    assert first.plaintext not in stored


def test_repr_never_shows_the_plaintext():
    generated = keys.generate()
    assert generated.plaintext not in repr(generated)
