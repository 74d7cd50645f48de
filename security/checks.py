"""System checks for the rate limits and the localhost bypass: they run before ``manage.py
serve`` starts serving.

Counts kept in a per-process cache are only right while one process serves every request; with
several workers each would keep its own count and a client would get the quota once per worker.
The bypass is only as good as the loopback peer it trusts (see ``security/localhost.py``).
"""

from django.conf import settings
from django.core import checks

from engine.shared_state import cache_backend, is_shared
from security.client_address import is_loopback, parse_ip
from security.localhost import LOOPBACK_NAMES


@checks.register(checks.Tags.caches)
def rate_limits_share_one_count(app_configs, **kwargs):
    workers = settings.MEDIA_ENGINE["WORKERS"]
    backend = cache_backend()
    if workers > 1 and not is_shared(backend):
        return [
            checks.Error(
                f"MEDIA_ENGINE_WORKERS is {workers}, but the rate-limit cache ({backend}) is per process: "
                "each worker would grant the full quota again.",
                hint="Set MEDIA_ENGINE_REDIS_URL to share the counts, or serve with one worker.",
                id="security.E101",
            )
        ]
    return []


@checks.register()
def rate_settings_are_rates(app_configs, **kwargs):
    from security.ratelimit import POLICIES, InvalidRate, parse_rate

    errors = []
    for setting in [policy.setting for policy in POLICIES] + ["HUB_INVOCATION_RATE"]:
        try:
            parse_rate(settings.MEDIA_ENGINE[setting])
        except InvalidRate as exc:
            errors.append(
                checks.Error(
                    f"MEDIA_ENGINE_{setting}: {exc}",
                    hint="Write a count per period: 60/m, 100/m, 10/15m, 1000/h.",
                    id="security.E102",
                )
            )
    return errors


def listens_on_loopback_only(host):
    """Whether a listening address reaches this machine alone (``0.0.0.0`` and ``::`` reach all)."""
    return host.strip().lower() in LOOPBACK_NAMES or is_loopback(parse_ip(host))


#: Run by ``check --deploy`` and by ``manage.py serve`` with the address it was told to listen on.
LISTENING = "listening"


@checks.register(checks.Tags.security, LISTENING, deploy=True)
def bypass_stays_on_loopback(app_configs, **kwargs):
    """The bypass trusts a loopback peer; a forwarder on this host (``ssh -L``, stunnel, socat,
    haproxy in TCP mode) makes every client it relays one, and listening beyond loopback is
    how such a deployment usually looks."""
    config = settings.MEDIA_ENGINE
    if not config["LOCALHOST_BYPASS"] or listens_on_loopback_only(config["HOST"]):
        return []
    return [
        checks.Warning(
            f"MEDIA_ENGINE_LOCALHOST_BYPASS is on and the engine listens on {config['HOST']}, beyond loopback: "
            "any forwarder on this host (a reverse proxy without forwarding headers, ssh -L, stunnel, socat, "
            "haproxy in TCP mode) makes the clients it relays look local, and they become the Administrator.",
            hint="Set MEDIA_ENGINE_LOCALHOST_BYPASS=false on any engine that other machines reach.",
            id="security.W110",
        )
    ]
