"""Background tasks for providers (django-tasks); each calls a service, and services queue them.

Look-ups never run on a request or inside a scan: the scanner hands over work ids and goes on
(``services.enqueue_lookups``). They have a queue of their own (``lookups``): at MusicBrainz's one
request a second a large first scan queues half an hour of them, and no scan may wait for that.
"""

from library import background
from library.providers import services


@background.task(queue_name="lookups")
def lookup_works(work_ids):
    return services.lookup_works(work_ids)


@background.task()
def probe_providers(names=None):
    services.probe_named(names)


@background.task()
def reresolve_source(name):
    services.reresolve_source(name)
