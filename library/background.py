"""The one seam between services and background tasks (django-tasks on its database backend).

Task modules (``library/*/tasks.py``) are thin: each task calls a service. Services queue work by
the task's name through :func:`enqueue` or :func:`enqueue_on_commit`, never by importing a task
module, so the imports run one way: tasks → services → this module.
"""

import logging

from django.db import transaction
from django_tasks import task as django_task

logger = logging.getLogger(__name__)
_tasks = {}


def task(**options):
    """``django_tasks.task(**options)``, also registered here under the function's name."""

    def register(function):
        name = function.__name__
        if name in _tasks:
            raise LookupError(f"Two background tasks are named {name!r}.")
        _tasks[name] = django_task(**options)(function)
        return _tasks[name]

    return register


def _named(name):
    try:
        return _tasks[name]
    except KeyError:
        raise LookupError(f"No background task named {name!r}; LibraryConfig.ready() imports the task modules.") from None


def enqueue(name, *args):
    """Queue the task ``name`` now, in the caller's transaction (its row commits with the caller's)."""
    return _named(name).enqueue(*args)


def enqueue_on_commit(name, *args):
    """Queue the task ``name`` once the current transaction commits; log instead of raising.

    For work that follows a write and must never fail it: look-ups after a scan, a probe after a
    new API key, re-resolution after a weight change.
    """
    queued = _named(name)

    def send():
        try:
            queued.enqueue(*args)
        except Exception:
            logger.exception("Could not enqueue %s.", name)

    try:
        transaction.on_commit(send)
    except Exception:
        logger.exception("Could not enqueue %s.", name)
