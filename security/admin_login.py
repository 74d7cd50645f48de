"""Brute-force protection for the Django admin's login: 10 failed logins per 15 minutes per address.

The admin authenticates with a username and password, not an API key, so it is outside the API
quotas and gets its own limit. Every attempt is counted *before* the password is checked (two
counters in the rate-limit cache: attempts and successes), so a burst of parallel guesses cannot
all slip past a check that is made before any of them has failed; a successful login is taken
back off the count, so only failures use up the allowance.
"""

from functools import wraps

from django_ratelimit.core import get_usage

from engine.errors import error_response
from security.ratelimit import client_bucket
from security.request_facts import from_request

FAILED_LOGINS = 10
WINDOW_SECONDS = 15 * 60
ATTEMPTS = "media-engine.admin-login.attempts"
SUCCESSES = "media-engine.admin-login.successes"
REDIRECTS = frozenset({301, 302, 303})


def _count(group, bucket, increment):
    usage = get_usage(
        None, group=group, key=lambda group, request: bucket, rate=(FAILED_LOGINS, WINDOW_SECONDS), increment=increment
    )
    return usage["count"], usage["time_left"]


def protect(login_view):
    """Wrap the admin's login view; GET (the form) is never limited, POST (a guess) is."""

    @wraps(login_view)
    def guarded_login(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        bucket = client_bucket(from_request(request))
        attempts, time_left = _count(ATTEMPTS, bucket, increment=True)
        successes, _ = _count(SUCCESSES, bucket, increment=False)
        if time_left < 0 or attempts - successes > FAILED_LOGINS:
            retry_after = max(1, time_left)
            return error_response(
                429,
                f"Too many failed logins from this address; try again in {retry_after} seconds.",
                "rate_limited",
                headers={"Retry-After": str(retry_after)},
                retry_after=retry_after,
            )
        response = login_view(request, *args, **kwargs)
        # The admin answers a successful login with a redirect and a failed one with the form.
        if response.status_code in REDIRECTS:
            _count(SUCCESSES, bucket, increment=True)
        return response

    return guarded_login
