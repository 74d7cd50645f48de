"""System checks for the rate limits: they run before ``manage.py serve`` starts serving.

Counts kept in a per-process cache are only right while one process serves every request; with
several workers each would keep its own count and a client would get the quota once per worker.
"""

from django.conf import settings
from django.core import checks

from engine.shared_state import cache_backend, is_shared


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
    for policy in POLICIES:
        try:
            parse_rate(settings.MEDIA_ENGINE[policy.setting])
        except InvalidRate as exc:
            errors.append(
                checks.Error(
                    f"MEDIA_ENGINE_{policy.setting}: {exc}",
                    hint="Write a count per period: 60/m, 100/m, 10/15m, 1000/h.",
                    id="security.E102",
                )
            )
    return errors
