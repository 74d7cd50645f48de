from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self):
        # Lazy for a reason: the task modules register their tasks with library.background as
        # they are imported, and they import models and services, which need the app registry
        # ready (Django's rule for signal receivers too). Services then queue tasks by name.
        from django.db.models.signals import post_migrate

        from engine import startup
        from library import search_index, work_counts, worker
        from library.ingestion import tasks as ingestion_tasks  # noqa: F401
        from library.providers import tasks as provider_tasks  # noqa: F401

        startup.register(worker.start_beside_server)
        # Django rebuilds a SQLite table to alter it, which drops the table's triggers: the search
        # index's and the work counts'.
        post_migrate.connect(search_index.repair, sender=self, dispatch_uid="library.search_index.repair")
        post_migrate.connect(work_counts.repair, sender=self, dispatch_uid="library.work_counts.repair")
