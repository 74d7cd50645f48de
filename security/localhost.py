"""The localhost bypass: a request without a key that truly comes from this machine.

Each condition closes a hole that peers shipped:

- the TCP peer must be loopback, and forwarding headers are refused unless a trusted proxy sent
  them about a loopback client: otherwise a reverse proxy on the same host makes every internet
  caller an Administrator (Jellyfin #16673, the *arr "Disabled for Local Addresses" CVE), and a
  spoofed ``X-Forwarded-For`` does the same (Emby CVE-2021-25827);
- the ``Host`` header must name a loopback host, so a DNS-rebinding page whose name now points
  at 127.0.0.1 is not local;
- unsafe methods and WebSocket upgrades must not be cross-site, so a web page open in the local
  browser cannot POST to the engine or open the hub as an Administrator.
"""

import ipaddress

from django.conf import settings

from security.client_address import forwarded_client, is_loopback, is_trusted_proxy
from security.origins import is_cross_site

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
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
        # A proxy on this host must say whom it forwards: a proxy set up without the header
        # would otherwise make every client local.
        return is_loopback(forwarded_client(peer, facts.header("x-forwarded-for")))
    return not any(facts.has_header(name) for name in PROXY_HEADERS)


def is_local_request(facts):
    if not settings.MEDIA_ENGINE["LOCALHOST_BYPASS"]:
        return False
    if not comes_from_loopback(facts) or not host_is_loopback(facts.host):
        return False
    return not (facts.is_unsafe and is_cross_site(facts))
