"""Provider secrets, stored only as Fernet ciphertext under the master key (``master_key.py``).

``set_secret`` / ``delete_secret`` are the one way to change a secret (API, ``manage.py
providersecret``), so each change is audited once. ``read_secret`` never turns a decryption
failure into "no secret": a wrong or missing master key raises :class:`SecretUnreadable` and logs
an error, and callers show the provider's secret as unreadable.
"""

import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.db import transaction
from django.utils import timezone

from engine.errors import BadInput
from security import master_key
from security.audit import record
from security.master_key import MasterKeyUnavailable
from security.models import ProviderSecret

__all__ = [
    "MASK", "InvalidSecret", "MasterKeyUnavailable", "SecretUnreadable", "delete_secret",
    "is_configured", "read_secret", "rotate_master_key", "set_secret",
]

logger = logging.getLogger(__name__)

#: What a configured secret looks like in every response; refused as a value so a client that
#: sends back what it read cannot overwrite the real secret with the mask.
MASK = "********"
MAX_SECRET_LENGTH = 4096


class InvalidSecret(BadInput):
    """A value that cannot be a provider secret (empty, the mask itself, too long, control characters)."""

    default_code = "invalid_secret"


class SecretUnreadable(Exception):
    """A secret is stored but the master key at hand cannot decrypt it."""

    detail = "secret unreadable"


def _cipher(master):
    return MultiFernet([Fernet(key) for key in master.keys])


def validate(value):
    if not isinstance(value, str) or not value.strip():
        raise InvalidSecret("The secret must not be empty.")
    value = value.strip()
    if value == MASK:
        raise InvalidSecret("The masked value cannot be stored as a secret; send the real secret.")
    if len(value) > MAX_SECRET_LENGTH:
        raise InvalidSecret(f"The secret is longer than {MAX_SECRET_LENGTH} characters.")
    if any(ord(char) < 32 for char in value):
        raise InvalidSecret("The secret must not contain control characters.")
    return value


def set_secret(name, value, *, actor):
    """Encrypt and store ``value`` as ``name``'s secret; audited as ``secret.set``.

    Raises :class:`InvalidSecret` for an unusable value and :class:`MasterKeyUnavailable` when no
    master key source exists; in both cases nothing is stored.
    """
    value = validate(value)
    master = master_key.load(create=True)
    ciphertext = _cipher(master).encrypt(value.encode()).decode()
    with transaction.atomic():
        ProviderSecret.objects.update_or_create(
            name=name,
            defaults={"ciphertext": ciphertext, "updated_at": timezone.now(), "updated_by": actor.name[:200]},
        )
        record("secret.set", actor, f"provider {name}")


def delete_secret(name, *, actor):
    """Remove ``name``'s secret; audited as ``secret.removed``. True when there was one."""
    with transaction.atomic():
        deleted, _ = ProviderSecret.objects.filter(name=name).delete()
        if deleted:
            record("secret.removed", actor, f"provider {name}")
    return bool(deleted)


def is_configured(name):
    return ProviderSecret.objects.filter(name=name).exists()


def read_secret(name):
    """The plaintext secret of ``name``, None when none is stored, :class:`SecretUnreadable`."""
    row = ProviderSecret.objects.filter(name=name).first()
    if row is None:
        return None
    try:
        master = master_key.load(create=False)
    except MasterKeyUnavailable as error:
        logger.error("The secret for provider %s is unreadable: %s", name, error.detail)
        raise SecretUnreadable() from None
    if master is None:
        logger.error("The secret for provider %s is unreadable: no master key is available. %s", name, master_key.HOW_TO_FIX)
        raise SecretUnreadable()
    try:
        return _cipher(master).decrypt(row.ciphertext.encode()).decode()
    except InvalidToken:
        logger.error(
            "The secret for provider %s is unreadable: the master key from %s does not decrypt it "
            "(wrong key, or the key was replaced without `providersecret rotate-key`).", name, master.source,
        )
        raise SecretUnreadable() from None


def secret_state(name):
    """``"missing"``, ``"readable"`` or ``"unreadable"``, for provider status pages."""
    try:
        return "missing" if read_secret(name) is None else "readable"
    except SecretUnreadable:
        return "unreadable"


def rotate_master_key(*, actor, new_key=None):
    """Re-encrypt every secret under a new master key; return how many were re-encrypted.

    Where the engine holds the key itself (OS keyring, data-directory file) a new key is
    generated, written first *beside* the old one (so a crash half-way leaves every secret
    readable), every ciphertext re-encrypted, then the old key dropped. Where the operator holds
    it (environment, key file, systemd credential) the engine cannot write: the operator puts the
    new key first (``NEW,OLD``), runs this, and then removes OLD.
    """
    master = master_key.load(create=False)
    if master is None:
        raise MasterKeyUnavailable("There is no master key to rotate yet; store a secret first.")
    if master.writable:
        fresh = new_key or Fernet.generate_key().decode()
        master_key.parse_keys(fresh, "the new key")
        master = master_key.store(master, (fresh, *master.keys))
    elif len(master.keys) < 2:
        raise MasterKeyUnavailable(
            f"The master key comes from {master.source}, which the engine cannot change. Put a new key "
            "in front of the old one (NEW,OLD — generate one with `providersecret generate-key`), run "
            "rotate-key, then remove the old key."
        )
    cipher = _cipher(master)
    count = 0
    with transaction.atomic():
        for row in ProviderSecret.objects.select_for_update():
            try:
                row.ciphertext = cipher.rotate(row.ciphertext.encode()).decode()
            except InvalidToken:
                raise SecretUnreadable() from None
            row.save(update_fields=["ciphertext"])
            count += 1
        record("secret.key_rotated", actor, f"{count} secret(s)")
    if master.writable:
        master_key.store(master, master.keys[:1])
    logger.info("Re-encrypted %d provider secret(s) under a new master key from %s.", count, master.source)
    return count
