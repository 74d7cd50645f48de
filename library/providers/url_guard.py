"""Refusing to follow a provider's URL into the engine's own network.

A provider answer (or a redirect) could name ``http://127.0.0.1:8000/admin/…`` or the cloud
metadata address ``169.254.169.254``; following it would let whoever controls the answer reach
services that trust the local network. Only the configured base URL's own origin (the operator
chose it; in tests it is a local fake server) is trusted as it is; any other URL must resolve
only to public addresses.
"""

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeURL(Exception):
    pass


def origin(url):
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def is_public_address(address):
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved)


def check(url, *, trusted_base):
    """Return ``url`` if it may be fetched, else raise :class:`UnsafeURL`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(f"Refusing a non-HTTP URL from a provider: {parts.scheme or 'relative'}.")
    if origin(url) == origin(trusted_base):
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"Cannot resolve {parts.hostname}.") from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(is_public_address(address.split("%")[0]) for address in addresses):
        raise UnsafeURL(f"Refusing to follow a provider URL to a non-public address ({parts.hostname}).")
    return url
