"""The Django admin's login: brute-force protection (10 failed logins per 15 minutes per address)
and an audit record of every login, successful or failed.

The admin authenticates with a username and password, not an API key, so it is outside the API
quotas and gets its own limit. Every attempt is counted *before* the password is checked (two
counters in the rate-limit cache: attempts and successes), so a burst of parallel guesses cannot
all slip past a check that is made before any of them has failed; a successful login is taken
back off the count, so only failures use up the allowance.
"""

from functools import wraps

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from security import refusals
from security.audit import Actor, record
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


LOGIN_TARGET = "Django admin login"


@receiver(user_logged_in, dispatch_uid="security.audit_login")
def audit_login(sender, request, user, **kwargs):
    actor = Actor.from_request(request) if request is not None else Actor(f"user {user.get_username()}")
    record("admin.login", actor, LOGIN_TARGET)


@receiver(user_login_failed, dispatch_uid="security.audit_failed_login")
def audit_failed_login(sender, credentials, request=None, **kwargs):
    """The name tried is recorded (Django has already masked the password), never what was typed
    as the password."""
    address = str(from_request(request).client_ip or "") if request is not None else ""
    record("admin.login_failed", Actor(f"user {str(credentials.get('username', ''))[:150]}", address), LOGIN_TARGET)
