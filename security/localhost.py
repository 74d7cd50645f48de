"""The localhost bypass: a request without a key that truly comes from this machine.

Each condition closes a hole that peers shipped:

- the TCP peer must be loopback, and any sign of a proxy (``Forwarded``, ``X-Forwarded-For``,
  ``X-Real-IP``, ``Via``) is refused unless a trusted proxy sent it and every one of its headers
  names a loopback client: otherwise a reverse proxy on the same host makes every internet
  caller an Administrator (Jellyfin #16673, the *arr "Disabled for Local Addresses" CVE), and a
  spoofed ``X-Forwarded-For`` does the same (Emby CVE-2021-25827);
- the ``Host`` header must name a loopback host, so a DNS-rebinding page whose name now points
  at 127.0.0.1 is not local;
- no request may be cross-site, whatever its method, so a web page open in the local browser can
  neither POST to the engine nor play ``<video src="http://127.0.0.1:8000/stream/9">`` as an
  Administrator.

What this cannot see: a forwarder on this host that relays bytes without saying so (``ssh -L``,
stunnel, socat, haproxy in TCP mode) makes its clients look exactly like local ones. A deployment
that forwards connections must turn the bypass off; ``manage.py check --deploy`` warns when the
bypass is on and the engine listens beyond loopback.
"""

import ipaddress

from django.conf import settings

from security.client_address import forwarded_client, forwarded_for_addresses, is_loopback, is_trusted_proxy, parse_ip
from security.origins import is_cross_site

#: Headers that say a proxy handled the request; tinyproxy and squid add only ``Via``.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "via")
LOOPBACK_NAMES = frozenset({"localhost"})


def host_is_loopback(host):
    if not host:
        return False
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return False
    else:
        name, _, port = host.partition(":")
        if port and not port.isdigit():
            return False
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def comes_from_loopback(facts):
    """The request's origin machine is this one, as far as the network can tell."""
    peer = facts.peer_ip
    if not is_loopback(peer):
        return False
    if is_trusted_proxy(peer):
        # A proxy on this host must say whom it forwards (a proxy set up without the header
        # would otherwise make every client local), and say it consistently: headers that
        # disagree were partly written by someone else.
        return is_loopback(forwarded_client(peer, facts.header("x-forwarded-for"))) and _others_name_loopback(facts)
    return not any(facts.has_header(name) for name in PROXY_HEADERS)


def _others_name_loopback(facts):
    named = forwarded_for_addresses(facts.header("forwarded"))
    if facts.has_header("x-real-ip"):
        named.append(parse_ip(facts.header("x-real-ip")))
    return all(is_loopback(address) for address in named)


def is_local_request(facts):
    if not settings.MEDIA_ENGINE["LOCALHOST_BYPASS"]:
        return False
    if not comes_from_loopback(facts) or not host_is_loopback(facts.host):
        return False
    return not is_cross_site(facts)
