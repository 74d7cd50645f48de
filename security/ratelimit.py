"""The engine's three rate-limit policies, and which one a request falls under.

Key generation (5/min), file streaming (100/min) and the general API (60/min), each per client
address and each one named group shared by all its routes. Requests are counted *before*
authentication, so a flood of bad keys is limited like any other (the original engine counted
after authentication and never applied its general policy at all).

The counting is django-ratelimit's (fixed windows in the Django cache: local memory for the one
serving process, Redis when ``MEDIA_ENGINE_REDIS_URL`` is set). Its own decorator raises
``PermissionDenied`` (a 403); the engine reads :func:`django_ratelimit.core.get_usage` instead,
so an exceeded quota is a 429 with ``Retry-After`` and the IETF draft ``RateLimit`` headers.

HTTP goes through :class:`RateLimitMiddleware` (or, for a request carrying a body, through
``security.gate``, which counts it before the body is read and hands the decision on); the
Intercom hub calls :func:`check_rate` with the facts of its WebSocket handshake. All answer from
the same buckets.
"""

import ipaddress
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

from security import refusals
from security.request_facts import early_decisions, from_request
from security.routes import KEY_GENERATION_PATH, is_streaming_path, is_unguarded

logger = logging.getLogger(__name__)

IPV6_GROUP_PREFIX = 64
#: Requests whose peer has no address (a Unix socket without a trusted proxy) share one bucket;
#: nothing a client sends can choose it.
UNKNOWN_CLIENT = "unknown-client"

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class InvalidRate(ValueError):
    """A rate setting that is not ``<count>/<period>`` such as ``60/m`` or ``10/15m``."""


def parse_rate(text):
    """``"60/m"`` → ``(60, 60)``; ``"10/15m"`` → ``(10, 900)``. Strict: a typo stops start-up."""
    match = _RATE.match(str(text))
    if match is None:
        raise InvalidRate(f"{text!r} is not a rate such as 60/m or 10/15m.")
    count, multiplier, unit = match.groups()
    seconds = _PERIOD_SECONDS[unit] * (int(multiplier) if multiplier else 1)
    if seconds <= 0:
        raise InvalidRate(f"{text!r} has an empty period.")
    return int(count), seconds


@dataclass(frozen=True)
class Policy:
    """One named quota. The rate is read from settings at call time, so tests can change it."""

    name: str
    setting: str

    @property
    def group(self):
        return f"media-engine.{self.name}"

    def rate(self):
        return parse_rate(settings.MEDIA_ENGINE[self.setting])


KEY_GENERATION = Policy("keygen", "RATE_KEYGEN")
STREAMING = Policy("stream", "RATE_STREAM")
GENERAL = Policy("general", "RATE_GENERAL")
POLICIES = (KEY_GENERATION, STREAMING, GENERAL)


def policy_for(facts):
    """The policy a request is counted under, or None for what is not the engine's API.

    The Django admin (which has its own login brute-force limit) is not an API route, and the
    static files WhiteNoise serves never reach this. Everything else is: ``/system/status``,
    unknown paths (a path scan is traffic too), the hub's negotiate request and WebSocket
    attempts count as general. The OpenSubsonic methods that send files (``stream``,
    ``download``, ``getCoverArt``) are streaming.
    """
    path = facts.path
    if is_unguarded(path):
        return None
    if path == KEY_GENERATION_PATH and facts.method == "POST":
        return KEY_GENERATION
    if is_streaming_path(path):
        return STREAMING
    return GENERAL


def client_bucket(facts):
    """The bucket a request is counted in: its client address, IPv6 grouped by /64.

    The address is the foundation's client-address resolution (the TCP peer, or the right-most
    untrusted ``X-Forwarded-For`` hop from a trusted proxy), so rotating the header buys nothing.
    An IPv6 host usually owns a whole /64 and could otherwise rotate through 2**64 buckets.
    """
    address = facts.client_ip
    if address is None:
        return UNKNOWN_CLIENT
    if address.version == 6:
        return str(ipaddress.ip_network((address, IPV6_GROUP_PREFIX), strict=False))
    return str(address)


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request: allowed or not, and what to tell the client."""

    policy: Policy
    limit: int
    window: int
    count: int
    reset: int
    unavailable: bool = False

    @property
    def allowed(self):
        return not self.unavailable and self.count <= self.limit

    @property
    def remaining(self):
        return max(0, self.limit - self.count)

    @property
    def retry_after(self):
        """Whole seconds until the window frees; at least 1 whenever the request was refused."""
        return 0 if self.allowed else max(1, self.reset)

    def headers(self):
        """``RateLimit-Policy`` and ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers), plus
        ``Retry-After`` when refused."""
        headers = {
            "RateLimit-Policy": f'"{self.policy.name}";q={self.limit};w={self.window}',
            "RateLimit": f'"{self.policy.name}";r={self.remaining};t={max(0, self.reset)}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def count_request(group, bucket, rate, increment=True):
    """``(count, whole seconds until the window frees)`` for ``bucket`` in ``group``, or None when
    the cache cannot count. ``rate`` is ``(limit, window seconds)``."""
    try:
        # get_usage hands ``request`` only to the key function (method=ALL skips its method
        # match), so no request object is needed and HTTP and WebSocket count alike.
        usage = get_usage(None, group=group, key=lambda group, request: bucket, rate=rate, increment=increment)
    except Exception:
        logger.exception("Rate-limit cache unavailable for %s.", group)
        return None
    # django-ratelimit reports a failed cache operation as count 0; a counted request is >= 1.
    if increment and not usage["count"]:
        logger.error("Rate-limit cache did not count a request for %s.", group)
        return None
    # django-ratelimit's window still holds at its last second (time_left 0, or -1 when a second
    # boundary passed during the round trips); it frees one second later.
    return usage["count"], max(0, usage["time_left"]) + 1


def check_rate(facts, policy=None):
    """Count one request of ``facts`` (a :class:`~security.request_facts.RequestFacts`).

    ``policy`` defaults to :func:`policy_for`; the hub passes :data:`GENERAL` for a WebSocket
    attempt. Returns a :class:`RateDecision`, or None when the request is under no policy. If
    the cache cannot count (Redis down), the decision is ``unavailable``: refused, not waved
    through, since a limiter that fails open is no limiter during the outage an attacker causes.
    """
    policy = policy or policy_for(facts)
    if policy is None:
        return None
    limit, window = policy.rate()
    counted = count_request(policy.group, client_bucket(facts), (limit, window))
    if counted is None:
        return RateDecision(policy, limit, window, count=0, reset=refusals.RETRY_UNAVAILABLE_SECONDS, unavailable=True)
    count, reset = counted
    return RateDecision(policy, limit, window, count=count, reset=reset)


class RateLimitMiddleware:
    """Counts every API request against its policy before anyone is authenticated.

    It sits before ``PrincipalMiddleware``: a flood of bad or missing keys never reaches the key
    lookup once its quota is spent. Allowed responses carry the ``RateLimit`` headers too, so
    well-behaved clients can pace themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = early_decisions(request)
        decision = early.rate if early is not None else check_rate(from_request(request))
        if decision is None:
            return self.get_response(request)
        if not decision.allowed:
            return refusals.rate_refused(decision)
        response = self.get_response(request)
        for name, value in decision.headers().items():
            response[name] = value
        return response
