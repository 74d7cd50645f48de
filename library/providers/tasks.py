"""Background tasks for providers (django-tasks); the scanner calls :func:`enqueue_lookups`.

Look-ups never run on a request or inside a scan: the scanner hands over work ids and goes on.
Enqueueing itself cannot fail a scan either — any error is logged and swallowed.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from library.models import Provider
from library.providers import services

logger = logging.getLogger(__name__)
BATCH = 100


@task()
def lookup_works(work_ids):
    return services.lookup_works(work_ids)


@task()
def probe_providers(names=None):
    for provider in Provider.objects.ensure_all():
        if names is None or provider.name in names:
            services.probe(provider)


@task()
def reresolve_source(name):
    services.reresolve_source(name)


def enqueue(task_, *args):
    """Enqueue after the current transaction commits; log instead of raising."""

    def send():
        try:
            task_.enqueue(*args)
        except Exception:
            logger.exception("Could not enqueue %s.", task_.name)

    try:
        transaction.on_commit(send)
    except Exception:
        logger.exception("Could not enqueue %s.", task_.name)


def enqueue_lookups(work_ids):
    """Schedule provider look-ups for ``work_ids`` (new or changed works after a scan)."""
    try:
        ids = sorted({int(work_id) for work_id in work_ids})
    except (TypeError, ValueError):
        logger.exception("enqueue_lookups was given something other than work ids.")
        return
    for start in range(0, len(ids), BATCH):
        enqueue(lookup_works, ids[start:start + BATCH])


def enqueue_probe_if_due(providers):
    """From the status page: probe stale providers in the background, at most every few minutes."""
    due = services.probe_due(providers)
    if due and cache.add("providers:probe-scheduled", True, timeout=300):
        enqueue(probe_providers, [provider.name for provider in due])
