"""``manage.py check --deploy`` warns when the localhost bypass is on and the engine listens beyond
loopback.

The bypass trusts a loopback TCP peer. Listening on every address is how a forwarder on this host
(``ssh -L``, stunnel, socat, haproxy in TCP mode) usually comes to sit in front of the engine,
and what such a forwarder relays looks exactly like a local client.
"""

import pytest

from tests.servers import engine_environment, manage

WARNING = "security.W110"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_bypass_on_and_listening_beyond_loopback_is_warned(tmp_path, host):
    result = manage(engine_environment(tmp_path, HOST=host), "check", "--deploy", check=False)
    assert WARNING in result.stderr, result.stderr
    assert "MEDIA_ENGINE_LOCALHOST_BYPASS" in result.stderr
    assert host in result.stderr


@pytest.mark.parametrize("host", ["::1", "localhost"])
def test_listening_on_loopback_only_is_not_warned(tmp_path, host):
    result = manage(engine_environment(tmp_path, HOST=host), "check", "--deploy", check=False)
    assert WARNING not in result.stderr


def test_bypass_off_is_not_warned_wherever_the_engine_listens(tmp_path):
    env = engine_environment(tmp_path, HOST="0.0.0.0", LOCALHOST_BYPASS="false")
    result = manage(env, "check", "--deploy", check=False)
    assert WARNING not in result.stderr
