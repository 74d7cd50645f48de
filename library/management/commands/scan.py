"""``manage.py scan [FOLDER]``: scan library folders, with a progress bar that ends at 100 %.

FOLDER is a folder id or its path; without it every enabled folder is scanned in turn. Hub
clients see these scans like any other (``IngestionStarted``, ``IngestionProgress``, ...):

- when a ``manage.py serve`` of this data directory runs the task workers itself (the embedded
  default), the command queues the scan and that server runs it, so its events come from the
  process the clients are connected to (an in-memory channel layer cannot carry them from here);
- otherwise the command runs the scan itself, and its events go through the channel layer:
  Redis reaches every server's clients; on the in-memory layer no server is running, so no
  client is connected to miss them.

Either way the scan is the same one the API starts, and it counts as the folder's one active scan.
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from engine.errors import Conflict
from library.ingestion import services
from library.models import LibraryRoot, ScanJob
from library.worker import in_process_workers_running
from security.audit import Actor

BAR_WIDTH = 30
#: Seconds between looks at a job the server runs.
POLL = 0.25


class Command(BaseCommand):
    help = "Scan library folders (through the running server when there is one)."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", help="folder id or path (default: every enabled folder)")

    def handle(self, folder=None, **options):
        folders = [self._folder(folder)] if folder else list(LibraryRoot.objects.filter(enabled=True))
        if not folders:
            raise CommandError("No library folder is configured.")
        self.interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        failed = False
        for root in folders:
            failed |= not self._scan(root)
        if failed:
            raise CommandError("At least one scan failed.")

    def _folder(self, argument):
        queryset = LibraryRoot.objects.all()
        found = queryset.filter(pk=int(argument)).first() if (argument.isascii() and argument.isdigit()) else None
        if found is None:
            found = queryset.filter(path=os.path.realpath(argument)).first()
        if found is None:
            raise CommandError(f"{argument!r} is not a configured library folder (see /settings/folders).")
        return found

    def _scan(self, root):
        by_server = in_process_workers_running()
        try:
            job = services.queue_scan(root, actor=Actor.command()) if by_server else services.start_foreground_scan(root, actor=Actor.command())
        except Conflict as refused:
            raise CommandError(f"{root.path}: {refused.detail}") from None
        where = "by the running server" if by_server else "here"
        self.stdout.write(f"Scanning {root.path} (job {job.pk}, {where})")
        if by_server:
            job = self._follow(job)
        else:
            services.run_job(job.pk, on_progress=self._show)
            job.refresh_from_db()
        self._show(job)
        if self.interactive:
            self.stdout.write("")
        self.stdout.write(
            f"{root.path}: {job.state} - seen {job.seen}, added {job.added}, updated {job.updated}, "
            f"unchanged {job.unchanged}, missing {job.missing}, failed {job.failed}"
        )
        for failure in job.failures.all()[:20]:
            self.stdout.write(f"  ! {failure.relative_path}: {failure.reason}")
        if job.error:
            self.stderr.write(f"  {job.error}")
        return job.state == "completed"

    def _follow(self, job):
        """Draw the bar from the job's row until the server has run it."""
        while True:
            job = ScanJob.objects.get(pk=job.pk)
            if not job.active:
                return job
            self._show(job)
            time.sleep(POLL)

    def _show(self, job):
        if not self.interactive:
            return
        percent = job.percent or 0
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        counted = "counting" if job.total is None else f"{job.seen}/{job.total}"
        self.stdout.write(f"\r[{bar}] {percent:3d}%  {counted}  {job.current_file[-40:]:<40}", ending="")
        self.stdout.flush()
