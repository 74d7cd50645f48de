"""System checks for a scaled deployment: they run before ``manage.py serve`` (and ``db_worker``) start.

Several processes keep the engine's guarantees only if they share what one process keeps in
memory on the embedded default. The rate-limit counts are checked in ``security/checks.py``;
these checks cover the channel layer, through which a revocation closes a key's sockets and a
scan's events reach the hub, and the database a second host would need to share.
"""

from django.conf import settings
from django.core import checks

from engine.shared_state import channel_layer_backend, is_shared, per_process_state
from engine.startup import EXTERNAL, TASK_WORKER_MODES

POSTGRESQL_ENGINES = frozenset({"django.db.backends.postgresql"})


def uses_postgresql():
    return settings.DATABASES["default"]["ENGINE"] in POSTGRESQL_ENGINES


@checks.register()
def several_processes_share_one_channel_layer(app_configs, **kwargs):
    """Refuse several serving processes, or external task workers, with a per-process layer.

    With one, a key revoked in one process would keep its sockets open in another until the
    periodic re-check, and the events of a scan run by ``db_worker`` would reach nobody.
    """
    layer = channel_layer_backend()
    if is_shared(layer):
        return []
    config = settings.MEDIA_ENGINE
    errors = []
    if config["WORKERS"] > 1:
        errors.append(
            checks.Error(
                f"MEDIA_ENGINE_WORKERS is {config['WORKERS']}, but the channel layer ({layer}) lives in one process: "
                "revoking a key would not close its hub connections served by the other workers, "
                "and events would reach only the clients of the process that published them.",
                hint="Set MEDIA_ENGINE_REDIS_URL (the hub then uses channels_redis), or set MEDIA_ENGINE_WORKERS=1.",
                id="engine.E001",
            )
        )
    if config["TASK_WORKER"] == EXTERNAL:
        errors.append(
            checks.Error(
                f"MEDIA_ENGINE_TASK_WORKER is external, but the channel layer ({layer}) lives in one process: "
                "the events of scans run by `manage.py db_worker` would never reach the hub's clients.",
                hint="Set MEDIA_ENGINE_REDIS_URL, or set MEDIA_ENGINE_TASK_WORKER=inprocess.",
                id="engine.E002",
            )
        )
    return errors


@checks.register()
def task_worker_mode_is_known(app_configs, **kwargs):
    mode = settings.MEDIA_ENGINE["TASK_WORKER"]
    if mode in TASK_WORKER_MODES:
        return []
    return [
        checks.Error(
            f"MEDIA_ENGINE_TASK_WORKER is {mode!r}: scans would be queued and never run.",
            hint="Set MEDIA_ENGINE_TASK_WORKER to inprocess (the default) or external.",
            id="engine.E003",
        )
    ]


@checks.register()
def shared_database_without_shared_state(app_configs, **kwargs):
    """PostgreSQL is how a second host joins; without Redis it must stay the only one.

    A check cannot see the other hosts, so this one warns; ``manage.py serve`` then takes a
    PostgreSQL advisory lock (:mod:`engine.sole_server`) and refuses to start beside another.
    """
    if not uses_postgresql():
        return []
    per_process = per_process_state()
    if not per_process:
        return []
    return [
        checks.Warning(
            f"The database is PostgreSQL but the {' and '.join(per_process)} live in this process: "
            "only one engine process may serve this database, and a second one will refuse to start.",
            hint="To serve it from several processes or hosts, set MEDIA_ENGINE_REDIS_URL on every one of them.",
            id="engine.W001",
        )
    ]
