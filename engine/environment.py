"""Reading the engine's configuration from ``MEDIA_ENGINE_*`` environment variables.

Settings are parsed once, at start-up, into plain Python values; a value that cannot be parsed
stops the engine with a message naming the variable, rather than running with a surprise.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "MEDIA_ENGINE_"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def text(name, default=None):
    value = os.environ.get(PREFIX + name)
    return default if value is None else value.strip()


def flag(name, default):
    value = os.environ.get(PREFIX + name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be true or false, not {value!r}.")


def integer(name, default):
    value = os.environ.get(PREFIX + name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number.") from None


def items(name, default=()):
    """A comma-separated list; surrounding blanks and empty items are dropped."""
    value = os.environ.get(PREFIX + name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir():
    path = Path(text("DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def secret_key(directory):
    """The Django signing key: from the environment, else generated once into the data directory.

    The file is created with ``O_EXCL`` and mode 0600 so that two processes starting together
    agree on one key and no other local user can read it.
    """
    given = text("SECRET_KEY")
    if given:
        return given
    path = directory / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
