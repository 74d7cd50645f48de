"""What both provider clients share: one httpx client with timeouts, retries and back-off.

Retries cover what a provider asks us to retry (429, 502, 503, 504, honouring ``Retry-After``
up to a cap) and transient network failures; a 401 or a malformed answer is reported at once.
Redirects are followed by hand, each target checked by :mod:`url_guard`; a redirect to another
origin loses every credential (the request's headers, its parameters, and a credential the
provider wrote back into the new URL), as browsers and httpx drop ``Authorization``.
"""

import logging
import math
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.core.cache import cache

from library.providers import url_guard

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 30.0


class ProviderError(Exception):
    """A look-up failed; ``detail`` is a sentence fit for ``Provider.last_error``."""

    #: True when the provider could not be reached at all (network failure, timeout).
    unreachable = False

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


class ProviderUnreachable(ProviderError):
    unreachable = True


class ProviderRefused(ProviderError):
    """The provider answered, but refused us (401/403): a key problem, not a network one."""


class ProviderRateLimited(ProviderError):
    pass


class MalformedResponse(ProviderError):
    pass


class RateGate:
    """At most one request per ``interval`` seconds: across this process's threads, and, with
    ``shared_as`` (a cache key), across every process sharing the Django cache.

    Look-ups may run in several ``db_worker --queue-name lookups`` processes (which need Redis,
    hence a shared cache): a slot is the cache key, taken with ``add`` (atomic) and expiring after
    the interval, so MusicBrainz sees one request a second however many workers there are.
    """

    #: Seconds between attempts at a slot another process holds.
    POLL = 0.05

    def __init__(self, interval, clock=time.monotonic, sleep=time.sleep, shared_as=None):
        self.interval, self.clock, self.sleep, self.shared_as = interval, clock, sleep, shared_as
        self._lock = threading.Lock()
        self._next = None

    def wait(self):
        with self._lock:
            now = self.clock()
            if self._next is not None and now < self._next:
                self.sleep(self._next - now)
                now = self._next
            if self.shared_as and self.interval > 0:
                while not cache.add(self.shared_as, True, timeout=math.ceil(self.interval)):
                    self.sleep(self.POLL)
                now = self.clock()
            self._next = now + self.interval


class ProviderClient:
    """Base for the TMDB and MusicBrainz clients: GET JSON from ``base_url`` with the policy above."""

    name = "provider"
    label = "The provider"
    #: Query parameters that carry a credential (TMDB's v3 ``api_key``).
    credential_params = ()

    def __init__(self, base_url, *, timeout=10.0, retries=2, backoff=1.0, gate=None, transport=None):
        self.base_url = base_url.rstrip("/")
        self.timeout, self.retries, self.backoff, self.gate = timeout, retries, backoff, gate
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, headers=self.default_headers(),
            transport=transport,
        )

    def default_headers(self):
        return {"Accept": "application/json"}

    def close(self):
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def get_json(self, path, params=None, headers=None):
        url = f"{self.base_url}/{path.lstrip('/')}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._send(url, params, headers)
            except httpx.TimeoutException:
                if last:
                    raise ProviderUnreachable(f"{self.label} did not answer within {self.timeout:g} s.") from None
                self._pause(attempt, None)
                continue
            except (httpx.TransportError, url_guard.UnsafeURL) as error:
                if isinstance(error, url_guard.UnsafeURL):
                    raise ProviderError(str(error)) from None
                if last:
                    raise ProviderUnreachable(f"{self.label} could not be reached ({type(error).__name__}).") from None
                self._pause(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES:
                if last:
                    if response.status_code == 429:
                        raise ProviderRateLimited(f"{self.label} is rate limiting requests (HTTP 429).")
                    raise ProviderRateLimited(f"{self.label} is overloaded (HTTP {response.status_code}).")
                self._pause(attempt, response.headers.get("Retry-After"))
                continue
            return self._decode(response)
        raise AssertionError("unreachable")

    def _send(self, url, params, headers):
        for _ in range(MAX_REDIRECTS + 1):
            if self.gate is not None:
                self.gate.wait()
            response = self._http.get(url, params=params, headers=headers)
            if not response.is_redirect:
                return response
            location = response.headers.get("Location", "")
            target = url_guard.check(str(response.url.join(location)), trusted_base=self.base_url)
            if url_guard.origin(target) != url_guard.origin(str(response.url)):
                # The credentials are the provider's; another origin gets none of them.
                headers, target = None, self._without_credentials(target)
            url, params = target, None
        raise ProviderError(f"{self.label} redirected too many times.")

    def _without_credentials(self, url):
        parts = urlsplit(url)
        query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in self.credential_params]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def _pause(self, attempt, retry_after):
        delay = self.backoff * (2**attempt)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
            except ValueError:
                pass
        time.sleep(delay)

    def _decode(self, response):
        if response.status_code in (401, 403):
            raise ProviderRefused(f"{self.label} refused the request (HTTP {response.status_code}); check the API key.")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ProviderError(f"{self.label} answered HTTP {response.status_code}.")
        try:
            body = response.json()
        except ValueError:
            raise MalformedResponse(f"{self.label} sent an answer that is not JSON.") from None
        if not isinstance(body, dict):
            raise MalformedResponse(f"{self.label} sent an answer of an unexpected shape.")
        return body
