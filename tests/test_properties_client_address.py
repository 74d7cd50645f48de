"""Properties of client-address resolution and the loopback judgement (security/client_address.py,
security/localhost.py): what a client writes never moves its address or makes it local."""

import ipaddress

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from security.client_address import client_ip, parse_ip
from security.localhost import comes_from_loopback, is_local_request
from security.request_facts import RequestFacts

PROXY = "10.0.0.5"
fixture_ok = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

ipv4 = st.ip_addresses(v=4)
ipv6 = st.ip_addresses(v=6)
addresses = st.one_of(ipv4, ipv6)
remote_addresses = addresses.filter(lambda a: not (a.is_loopback or (getattr(a, "ipv4_mapped", None) or a).is_loopback))
hop_text = st.one_of(addresses.map(str), st.text(max_size=20), st.just("unknown"), st.just("127.0.0.1"))
forwarded_headers = st.lists(hop_text, max_size=6).map(", ".join)
header_names = st.sampled_from(["x-forwarded-for", "x-real-ip", "forwarded", "origin", "sec-fetch-site", "host"])


def unwrapped(address):
    return address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address


ports = st.integers(min_value=1, max_value=65535)
#: One ``X-Forwarded-For`` hop as ``(text, the address it names or None)``: the generator knows
#: the answer, so the oracle below needs no parser of its own.
hops = st.one_of(
    ipv4.map(lambda a: (str(a), a)),
    st.tuples(ipv4, ports).map(lambda t: (f"{t[0]}:{t[1]}", t[0])),
    ipv6.map(lambda a: (str(a), unwrapped(a))),
    st.tuples(ipv6, ports).map(lambda t: (f"[{t[0]}]:{t[1]}", unwrapped(t[0]))),
    ipv4.map(lambda a: (f"::ffff:{a}", a)),
    ipv4.map(lambda a: (f"  {a} ", a)),
    st.sampled_from([("unknown", None), ("", None), ("_hidden", None), ("1.2.3", None), ("300.1.1.1", None),
                     ("::g", None), ("example.test", None), ("127.0.0.1/8", None)]),
    st.just(("127.0.0.1", ipaddress.ip_address("127.0.0.1"))),
)


def reference_forwarded(chain, trusted):
    """The client a trusted proxy names, by the documented rule written out: the right-most hop
    that is not a trusted proxy (a chain of trusted proxies only: its left-most hop); None when
    there is no header or a hop before that one is garbled, for the engine refuses to guess."""
    for _, address in reversed(chain):
        if address is None:
            return None
        if address not in trusted:
            return address
    return chain[0][1] if chain else None


def reference_client(peer, chain, trusted):
    """The peer, unless it is a trusted proxy that names a client."""
    if peer not in trusted:
        return peer
    return reference_forwarded(chain, trusted) or peer


@pytest.fixture
def trust(settings):
    def apply(*cidrs):
        settings.MEDIA_ENGINE = {**django_settings.MEDIA_ENGINE, "TRUSTED_PROXIES": list(cidrs)}

    return apply


@given(st.text(max_size=60))
def test_parse_ip_never_raises_and_unwraps_mapped_addresses(text):
    address = parse_ip(text)
    assert address is None or isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address))
    if isinstance(address, ipaddress.IPv6Address):
        assert address.ipv4_mapped is None


@given(ipv4)
def test_ipv4_mapped_ipv6_is_the_ipv4_address(address):
    assert parse_ip(f"::ffff:{address}") == address
    assert parse_ip(f"[::ffff:{address}]:443") == address


@pytest.mark.parametrize("peer, header, trusted, client", [
    ("203.0.113.9", None, [], "203.0.113.9"),
    ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),
    ("203.0.113.9", "198.51.100.7", [PROXY], "203.0.113.9"),
    (PROXY, None, [PROXY], PROXY),
    (PROXY, "198.51.100.7", [PROXY], "198.51.100.7"),
    (PROXY, "1.1.1.1, 198.51.100.7", [PROXY], "198.51.100.7"),
    (PROXY, "198.51.100.7, 10.0.0.6", [PROXY, "10.0.0.6"], "198.51.100.7"),
    (PROXY, "198.51.100.7, unknown", [PROXY], PROXY),
    (PROXY, "unknown, 198.51.100.7", [PROXY], "198.51.100.7"),
    (PROXY, "10.0.0.6, 10.0.0.7", [PROXY, "10.0.0.6", "10.0.0.7"], "10.0.0.6"),
    (PROXY, "[2001:db8::1]:443", [PROXY], "2001:db8::1"),
    (PROXY, "198.51.100.7:8443", [PROXY], "198.51.100.7"),
    (PROXY, "::ffff:198.51.100.7", [PROXY], "198.51.100.7"),
    ("::ffff:10.0.0.5", "198.51.100.7", [PROXY], "198.51.100.7"),
])
def test_client_addresses_from_a_table(trust, peer, header, trusted, client):
    trust(*(f"{address}/32" for address in trusted))
    assert client_ip(peer, header) == ipaddress.ip_address(client)


@fixture_ok
@given(addresses, st.lists(hops, max_size=6))
def test_without_trusted_proxies_the_header_is_never_read(trust, peer, chain):
    trust()
    assert client_ip(str(peer), ", ".join(text for text, _ in chain)) == unwrapped(peer)


TRUSTED = [ipaddress.ip_address(PROXY), ipaddress.ip_address("10.0.0.6"), ipaddress.ip_address("127.0.0.1")]


@fixture_ok
@given(st.one_of(addresses, st.sampled_from(TRUSTED)), st.lists(hops, max_size=6))
def test_the_address_is_the_one_the_documented_rule_gives(trust, peer, chain):
    trust(*(f"{address}/32" for address in TRUSTED))
    header = ", ".join(text for text, _ in chain)
    assert client_ip(str(peer), header) == reference_client(unwrapped(peer), chain, TRUSTED)


@fixture_ok
@given(st.lists(hops, max_size=6), remote_addresses.filter(lambda a: unwrapped(a) not in TRUSTED))
def test_hops_a_client_prepends_never_change_its_address(trust, prefix, client):
    trust(f"{PROXY}/32")
    written = ", ".join([*(text for text, _ in prefix), str(client)])
    assert client_ip(PROXY, written) == unwrapped(client)


@fixture_ok
@given(remote_addresses, st.dictionaries(header_names, st.text(max_size=30)), st.sampled_from(["GET", "POST", "WEBSOCKET"]))
def test_a_remote_peer_is_never_local_whatever_it_sends(trust, peer, headers, method):
    trust(f"{PROXY}/32", "127.0.0.1/32")
    headers = {**headers, "host": headers.get("host", "localhost")}
    facts = RequestFacts(peer=str(peer), scheme="http", host=headers["host"], method=method, path="/x", headers=headers)
    assert not comes_from_loopback(facts)
    assert not is_local_request(facts)


@fixture_ok
@given(st.sampled_from(["x-forwarded-for", "x-real-ip", "forwarded"]), st.text(max_size=30), st.sampled_from(["localhost", "127.0.0.1:8000", "[::1]"]))
def test_a_loopback_peer_with_proxy_headers_is_not_local_unless_the_proxy_is_trusted(trust, name, value, host):
    trust()
    facts = RequestFacts(peer="127.0.0.1", scheme="http", host=host, method="GET", path="/x", headers={name: value, "host": host})
    assert not is_local_request(facts)


@fixture_ok
@given(st.lists(hops, max_size=6))
def test_a_trusted_local_proxy_is_local_only_for_a_loopback_client(trust, chain):
    trust("127.0.0.1/32")
    header = ", ".join(text for text, _ in chain)
    facts = RequestFacts(
        peer="127.0.0.1", scheme="http", host="localhost", method="GET", path="/x",
        headers={"x-forwarded-for": header, "host": "localhost"},
    )
    client = reference_forwarded(chain, [ipaddress.ip_address("127.0.0.1")])
    assert is_local_request(facts) == (client is not None and client.is_loopback)
