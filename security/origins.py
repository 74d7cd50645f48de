"""Whether a browser request comes from the engine's own pages or an allowed origin."""

from django.conf import settings

CROSS_SITE_FETCH = frozenset({"cross-site", "same-site"})


def own_origin(facts):
    return f"{facts.public_scheme}://{(facts.host or '').lower()}"


def origin_allowed(facts):
    """True when no ``Origin`` is sent, or it is the engine's own (scheme, host and port) or listed.

    Exact string comparison, unlike Channels' ``AllowedHostsOriginValidator``, which ignores the
    port and so lets any other service on the same host name in.
    """
    origin = facts.header("origin")
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin == own_origin(facts):
        return True
    return origin in {allowed.lower().rstrip("/") for allowed in settings.MEDIA_ENGINE["ALLOWED_ORIGINS"]}


def is_cross_site(facts):
    """A browser says the request was started by another site's page."""
    fetch_site = (facts.header("sec-fetch-site") or "").strip().lower()
    return fetch_site in CROSS_SITE_FETCH or not origin_allowed(facts)
