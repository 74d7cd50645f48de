"""The audit trail: who did what, when and from where. Services call :func:`record`."""

import getpass
from dataclasses import dataclass

from security.models import AuditEntry
from security.request_facts import from_request


@dataclass(frozen=True)
class Actor:
    """Who performs an action and from which address; the same for every entry point."""

    name: str
    client_address: str = ""

    @classmethod
    def from_request(cls, request):
        """The principal of an API request, or the staff user of a Django admin request."""
        facts = from_request(request)
        address = str(facts.client_ip or "")
        principal = getattr(request, "principal", None)
        if principal is not None:
            return cls(principal.describe(), address)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return cls(f"user {user.get_username()}", address)
        return cls("anonymous", address)

    @classmethod
    def engine(cls):
        """The engine acting on its own (a rescan of a file that changed, a watcher, a schedule)."""
        return cls("engine", "")

    @classmethod
    def command(cls):
        """A ``manage.py`` command run by someone with a shell on the server."""
        try:
            who = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            who = "unknown"
        return cls(f"manage.py ({who})", "")


def record(action, actor, target=""):
    return AuditEntry.objects.create(
        action=action, actor=actor.name[:200], client_address=actor.client_address[:64], target=str(target)[:300]
    )


def apply_changes(instance, changes):
    """Set ``changes`` on ``instance`` and describe them for an audit record.

    ``"role: Consumer → Curator"``; only fields whose value really changes are named.
    """
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    described = ", ".join(f"{name}: {before[name]!s} → {value!s}" for name, value in changes.items() if before[name] != value)
    return described or "no change"
