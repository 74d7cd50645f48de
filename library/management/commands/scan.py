"""``manage.py scan [FOLDER]``: scan a library folder in the foreground, with a progress bar.

FOLDER is a folder id or its path; without it every enabled folder is scanned in turn. The scan
is the same one the background task runs, and it counts as the folder's one active scan.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from engine.errors import Conflict
from library.ingestion import detect, services
from library.models import LibraryRoot

BAR_WIDTH = 30


def _candidates(root):
    """How many files with a media extension lie under ``root``: the bar's 100 %."""
    total = 0
    stack = [os.fsencode(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif detect.by_extension(entry.name):
                            total += 1
                    except OSError:
                        continue
        except OSError:
            continue
    return total


class Command(BaseCommand):
    help = "Scan library folders in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", help="folder id or path (default: every enabled folder)")

    def handle(self, folder=None, **options):
        folders = [self._folder(folder)] if folder else list(LibraryRoot.objects.filter(enabled=True))
        if not folders:
            raise CommandError("No library folder is configured.")
        failed = False
        for root in folders:
            failed |= not self._scan(root)
        if failed:
            raise CommandError("At least one scan failed.")

    def _folder(self, argument):
        queryset = LibraryRoot.objects.all()
        found = queryset.filter(pk=int(argument)).first() if argument.isdigit() else None
        if found is None:
            found = queryset.filter(path=os.path.realpath(argument)).first()
        if found is None:
            raise CommandError(f"{argument!r} is not a configured library folder (see /settings/folders).")
        return found

    def _scan(self, root):
        try:
            job = services.start_foreground_scan(root)
        except Conflict as refused:
            raise CommandError(f"{root.path}: {refused.detail}") from None
        total = _candidates(root.path)
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        self.stdout.write(f"Scanning {root.path} (job {job.pk}, {total} media files)")

        def show(progress):
            if not interactive:
                return
            done = min(progress.seen, total) if total else progress.seen
            filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total}  {progress.current_file[-40:]:<40}", ending="")
            self.stdout.flush()

        state = services.run_job(job.pk, on_progress=show)
        job.refresh_from_db()
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            f"{root.path}: {state} - seen {job.seen}, added {job.added}, updated {job.updated}, "
            f"unchanged {job.unchanged}, missing {job.missing}, failed {job.failed}"
        )
        for failure in job.failures.all()[:20]:
            self.stdout.write(f"  ! {failure.relative_path}: {failure.reason}")
        if job.error:
            self.stderr.write(f"  {job.error}")
        return state == "completed"
