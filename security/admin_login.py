"""Brute-force protection for the Django admin's login: 10 failed logins per 15 minutes per address.

The admin authenticates with a username and password, not an API key, so it is outside the API
quotas and gets its own limit. Every attempt is counted *before* the password is checked (two
counters in the rate-limit cache: attempts and successes), so a burst of parallel guesses cannot
all slip past a check that is made before any of them has failed; a successful login is taken
back off the count, so only failures use up the allowance.
"""

from functools import wraps

from security import refusals
from security.ratelimit import client_bucket, count_request
from security.request_facts import from_request

FAILED_LOGINS = 10
WINDOW_SECONDS = 15 * 60
RATE = (FAILED_LOGINS, WINDOW_SECONDS)
ATTEMPTS = "media-engine.admin-login.attempts"
SUCCESSES = "media-engine.admin-login.successes"
REDIRECTS = frozenset({301, 302, 303})


def protect(login_view):
    """Wrap the admin's login view; GET (the form) is never limited, POST (a guess) is."""

    @wraps(login_view)
    def guarded_login(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        bucket = client_bucket(from_request(request))
        attempts = count_request(ATTEMPTS, bucket, RATE)
        successes = count_request(SUCCESSES, bucket, RATE, increment=False)
        if attempts is None or successes is None:
            return refusals.rate_limit_unavailable(detail="Login is unavailable; try again shortly.")
        (attempted, time_left), (succeeded, _) = attempts, successes
        if attempted - succeeded > FAILED_LOGINS:
            retry_after = max(1, time_left)
            return refusals.rate_limited(
                retry_after, detail=f"Too many failed logins from this address; try again in {retry_after} seconds."
            )
        response = login_view(request, *args, **kwargs)
        # The admin answers a successful login with a redirect and a failed one with the form.
        if response.status_code in REDIRECTS:
            count_request(SUCCESSES, bucket, RATE)
        return response

    return guarded_login
