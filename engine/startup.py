"""Work that runs beside the server: ``manage.py serve`` starts what the apps registered.

Apps register a callable from ``AppConfig.ready`` with :func:`register`, the way they register
deployment warnings with :mod:`engine.health`; ``serve`` calls :func:`start` once the system
checks and the sole-server lock have passed, just before it hands the process to uvicorn. So the
engine's base knows that there is start-up work, not what it is.
"""

from django.conf import settings

#: ``MEDIA_ENGINE_TASK_WORKER``: background tasks run in a thread beside the server, or in
#: separate ``manage.py db_worker`` processes.
IN_PROCESS = "inprocess"
EXTERNAL = "external"
TASK_WORKER_MODES = (IN_PROCESS, EXTERNAL)

_starters = []


def register(starter):
    _starters.append(starter)
    return starter


def start():
    for starter in _starters:
        starter()


def tasks_run_in_process():
    return settings.MEDIA_ENGINE["TASK_WORKER"] == IN_PROCESS
