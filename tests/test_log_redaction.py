"""No credential reaches a log line, however it is spelled.

The filter redacted ``access_token=`` and ``mek_…`` as written, so ``?access%5Ftoken=%6Dek_…``
went to the access log in clear (a percent-decode away from the key). It now reads every word
of a line decoded as well as written, and redacts anything shaped like a key, a hub ticket or a
provider's bearer token wherever it stands.
"""

import re
import time
from urllib.parse import quote

import httpx
import pytest

from security.keys import generate
from security.redaction import redact
from tests.servers import EngineServer, engine_environment, manage
from tests.streaming_servers import KEY_PATTERN

TICKET = "mht_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJkZW1vIiwic3ViIjoiMSJ9.aGVsbG8td29ybGQtc2lnbmF0dXJl"


def every_character_encoded(text):
    return "".join(f"%{byte:02X}" for byte in text.encode())


def spellings(secret):
    """The ways a client, a proxy or an exception message may write ``secret``."""
    return {
        "plain": secret,
        "first letter encoded": f"%{ord(secret[0]):02x}{secret[1:]}",
        "every character encoded": every_character_encoded(secret),
        "encoded twice": quote(every_character_encoded(secret)),
        "underscore encoded": secret.replace("_", "%5F"),
    }


@pytest.fixture
def key():
    return generate().plaintext


@pytest.mark.parametrize("spelling", list(spellings("x")))
@pytest.mark.parametrize("name", ["access_token", "access%5Ftoken", "ACCESS%5fTOKEN", "api%5Fkey", "%61pi_key", "token", "sig", "ticket"])
def test_a_credential_parameter_is_redacted_however_its_name_and_value_are_spelled(key, spelling, name):
    value = spellings(key)[spelling]
    line = f'127.0.0.1:5000 - "GET /hubs/intercom?id=abc&{name}={value}&x=1 HTTP/1.1" 401'
    cleaned = redact(line)
    assert key not in cleaned and key[17:] not in cleaned
    assert value not in cleaned
    assert "id=abc" in cleaned and "x=1" in cleaned and '" 401' in cleaned


@pytest.mark.parametrize("secret", ["key", "ticket", "bearer"])
@pytest.mark.parametrize("spelling", list(spellings("x")))
def test_a_key_shaped_token_is_redacted_anywhere_in_a_line(key, secret, spelling):
    token = {"key": key, "ticket": TICKET, "bearer": BEARER}[secret]
    written = spellings(token)[spelling]
    for line in (f"lookup failed for {written}: unreachable", f"GET /library/works?q={written} HTTP/1.1", f"path=/music/{written}/x"):
        cleaned = redact(line)
        assert token not in cleaned and written not in cleaned, cleaned
        assert token[8:30] not in cleaned


def test_a_decoded_line_with_a_secret_cannot_forge_log_lines(key):
    cleaned = redact(f"GET /x?access%5Ftoken={key}%0A2026-01-01%20INFO%20forged HTTP/1.1")
    assert "\n" not in cleaned and key not in cleaned


def test_lines_without_secrets_are_left_exactly_as_they_were():
    for line in ('127.0.0.1:5000 - "GET /library/works?q=caf%C3%A9&page=2 HTTP/1.1" 200',
                 "scan of /srv/music/100% Hits finished", 'GET /stream/9?kid=0123456789ab&expires=17000 HTTP/1.1'):
        assert redact(line) == line


@pytest.mark.services
def test_the_access_log_of_a_real_server_never_shows_a_percent_encoded_key(tmp_path):
    env = engine_environment(tmp_path / "data")
    manage(env, "migrate", "--no-input")
    key = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "log", "--role", "Consumer").stdout).group(0)
    with EngineServer(env) as server:
        for spelling in spellings(key).values():
            httpx.post(f"{server.url}/hubs/intercom/negotiate?negotiateVersion=1&access%5Ftoken={spelling}")
            httpx.get(f"{server.url}/library/works?api%5Fkey={spelling}")
        time.sleep(0.5)
        log = server.log()
    assert "negotiate" in log and "works" in log
    decoded_log = re.sub(r"%([0-9A-Fa-f]{2})", lambda match: chr(int(match.group(1), 16)), log)
    decoded_log = re.sub(r"%([0-9A-Fa-f]{2})", lambda match: chr(int(match.group(1), 16)), decoded_log)
    assert key not in log and key not in decoded_log
    assert key[17:40] not in decoded_log
