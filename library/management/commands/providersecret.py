"""``manage.py providersecret set NAME | delete NAME | rotate-key | generate-key``.

The secret is read from standard input when it is piped, or from a hidden prompt — never from
the command line, where ``ps`` and shell history would show it to others. ``set`` and ``delete``
call the same provider services as ``/admin/providers/{name}/secret``; the master-key actions
belong to the secret store.
"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from cryptography.fernet import Fernet

from engine.errors import DomainError
from library.models import ProviderName
from library.providers import services
from security import secret_store
from security.audit import Actor


class Command(BaseCommand):
    help = "Store, remove or re-encrypt provider secrets (API keys)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        store = actions.add_parser("set", help="store NAME's secret, read from stdin or a hidden prompt")
        store.add_argument("name", choices=ProviderName.values)
        remove = actions.add_parser("delete", help="remove NAME's secret")
        remove.add_argument("name", choices=ProviderName.values)
        actions.add_parser("rotate-key", help="re-encrypt every secret under a new master key")
        actions.add_parser("generate-key", help="print a new master key (for MEDIA_ENGINE_MASTER_KEY)")

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def read_value(self, name):
        stdin = sys.stdin
        if stdin is not None and not stdin.isatty():
            return stdin.read().rstrip("\r\n")
        return getpass.getpass(f"Secret for {name} (input hidden): ")

    def handle_set(self, name, **options):
        try:
            services.set_secret(services.get_provider(name), self.read_value(name), actor=Actor.command())
        except DomainError as error:  # an unusable value, or no master key: nothing was stored
            raise CommandError(error.detail) from None
        self.stdout.write(f"Stored the secret for {name}.")

    def handle_delete(self, name, **options):
        if services.remove_secret(services.get_provider(name), actor=Actor.command()):
            self.stdout.write(f"Removed the secret for {name}.")
        else:
            self.stdout.write(f"{name} had no secret.")

    def handle_rotate_key(self, **options):
        try:
            count = secret_store.rotate_master_key(actor=Actor.command())
        except secret_store.MasterKeyUnavailable as error:
            raise CommandError(error.detail) from None
        except secret_store.SecretUnreadable:
            raise CommandError("A stored secret cannot be decrypted with the current master key; nothing was changed.") from None
        self.stdout.write(f"Re-encrypted {count} secret(s) under the new master key.")

    def handle_generate_key(self, **options):
        self.stdout.write(Fernet.generate_key().decode())
