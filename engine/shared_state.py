"""Whether what one process keeps is seen by every other: one rule for the system checks
(``engine/checks.py``, ``security/checks.py``) and the sole-server lock (``engine/sole_server.py``).

Rate-limit counts and tickets live in the default cache, hub groups in the channel layer. A
backend is shared when every serving process and host sees the same state and the operations the
engine relies on are atomic across them (the cache's ``add`` and ``incr``, the layer's groups).
Anything else, local memory above all, is right only while one process serves every request.
"""

from django.conf import settings

SHARED_BACKENDS = frozenset({
    # Caches
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    # Channel layers
    "channels_redis.core.RedisChannelLayer",
    "channels_redis.pubsub.RedisPubSubChannelLayer",
})


def is_shared(backend):
    return backend in SHARED_BACKENDS


def cache_backend():
    return settings.CACHES.get("default", {}).get("BACKEND", "")


def channel_layer_backend():
    return settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")


def per_process_state():
    """What this process keeps to itself, named for messages; empty when everything is shared."""
    kept = []
    if not is_shared(cache_backend()):
        kept.append("rate-limit cache")
    if not is_shared(channel_layer_backend()):
        kept.append("channel layer")
    return kept
