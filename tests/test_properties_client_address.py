"""Properties of client-address resolution and the loopback judgement (security/client_address.py,
security/localhost.py): what a client writes never moves its address or makes it local."""

import ipaddress

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from security.client_address import client_ip, forwarded_client, parse_ip
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


@fixture_ok
@given(addresses, forwarded_headers)
def test_without_trusted_proxies_the_header_is_never_read(trust, peer, header):
    trust()
    assert client_ip(str(peer), header) == parse_ip(str(peer))


@fixture_ok
@given(forwarded_headers, remote_addresses.filter(lambda a: a != ipaddress.ip_address(PROXY)))
def test_hops_a_client_prepends_never_change_its_address(trust, prefix, client):
    trust(f"{PROXY}/32")
    honest = client_ip(PROXY, str(client))
    assert honest == parse_ip(str(client))
    assert client_ip(PROXY, f"{prefix}, {client}" if prefix else str(client)) == honest


@fixture_ok
@given(addresses, forwarded_headers)
def test_the_address_is_the_peer_or_a_hop_the_trusted_proxy_wrote(trust, peer, header):
    trust(f"{PROXY}/32")
    for sender in (str(peer), PROXY):
        result = client_ip(sender, header)
        hops = {parse_ip(hop) for hop in header.split(",")}
        assert result == parse_ip(sender) or result in hops
        if parse_ip(sender) != ipaddress.ip_address(PROXY):
            assert result == parse_ip(sender)


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
@given(forwarded_headers)
def test_a_trusted_local_proxy_is_local_only_for_a_loopback_client(trust, header):
    trust("127.0.0.1/32")
    facts = RequestFacts(
        peer="127.0.0.1", scheme="http", host="localhost", method="GET", path="/x",
        headers={"x-forwarded-for": header, "host": "localhost"},
    )
    client = forwarded_client(ipaddress.ip_address("127.0.0.1"), header)
    assert is_local_request(facts) == (client is not None and client.is_loopback)
