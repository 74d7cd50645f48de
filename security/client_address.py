"""Which address a request comes from: the TCP peer, or what a trusted proxy says.

``X-Forwarded-For`` is read right to left, skipping hops that are trusted proxies; the first
untrusted hop is the client. Everything left of it was written by the client and is ignored, so
rotating the header never buys a fresh rate-limit bucket (Navidrome GHSA-f295-6wp9-qqfg) and
never makes a remote caller look local (Emby CVE-2021-25827). Without a trusted peer the header
is not read at all.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

MAX_HOPS = 32


def parse_ip(text):
    """An :mod:`ipaddress` object for ``text`` (with or without port or brackets), or None."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_loopback(address):
    # Python 3.11 does not call ::ffff:127.0.0.1 loopback; parse_ip has unwrapped it already.
    return address is not None and address.is_loopback


@lru_cache(maxsize=16)
def _networks(cidrs):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def trusted_proxies():
    return _networks(tuple(settings.MEDIA_ENGINE["TRUSTED_PROXIES"]))


def is_trusted_proxy(address):
    return address is not None and any(address in network for network in trusted_proxies())


def forwarded_client(peer, forwarded_for):
    """The right-most untrusted hop of ``X-Forwarded-For`` sent by the trusted ``peer``.

    Returns None when the header is missing or a hop before the first untrusted one is not an
    address: a garbled header is the proxy's word, and we refuse to guess rather than fall back
    to a hop the client wrote.
    """
    if not forwarded_for:
        return None
    address = None
    for hop in reversed(forwarded_for.split(",")[-MAX_HOPS:]):
        address = parse_ip(hop)
        if address is None:
            return None
        if not is_trusted_proxy(address):
            return address
    # Every hop is a trusted proxy: the left-most is the original client (say, a tool on the
    # proxy's own host).
    return address


def forwarded_for_addresses(header):
    """The ``for=`` addresses of an RFC 7239 ``Forwarded`` header, None where one is not an
    address (``unknown``, an obfuscated ``_name``, garbage)."""
    if not header:
        return []
    addresses = []
    for element in header.split(",")[-MAX_HOPS:]:
        for pair in element.split(";"):
            name, _, value = pair.partition("=")
            if name.strip().lower() == "for":
                addresses.append(parse_ip(value))
    return addresses


def client_ip(peer_text, forwarded_for=None):
    """The address a request is accounted to (rate limits, audit).

    The peer itself when it is not a trusted proxy, or when the proxy's header is unusable:
    then every client behind that proxy shares its bucket, which is safe, never generous.
    """
    peer = parse_ip(peer_text)
    if peer is not None and is_trusted_proxy(peer):
        return forwarded_client(peer, forwarded_for) or peer
    return peer
