"""Where the secret store's master key comes from.

In order: ``MEDIA_ENGINE_MASTER_KEY`` (environment), ``MEDIA_ENGINE_MASTER_KEY_FILE``, a systemd
credential (``$CREDENTIALS_DIRECTORY/media-engine-master-key``); else the OS keyring, but only a
backend that really protects what it holds; else — only on the embedded default or with
``MEDIA_ENGINE_ALLOW_KEYFILE=1`` — a key file in the data directory. Any of them may hold several
Fernet keys separated by commas or newlines: the first encrypts, all decrypt (``MultiFernet``),
which is how a key is rotated.

The engine logs which source it uses, never the key.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

from engine.errors import Unavailable

logger = logging.getLogger(__name__)

ENV_VAR = "MEDIA_ENGINE_MASTER_KEY"
FILE_SETTING = "MEDIA_ENGINE_MASTER_KEY_FILE"
ALLOW_KEYFILE_SETTING = "MEDIA_ENGINE_ALLOW_KEYFILE"
CREDENTIAL_NAME = "media-engine-master-key"
KEYRING_SERVICE = "media-engine"
KEYRING_USERNAME = "master-key"
KEYFILE_NAME = "master.key"

HOW_TO_FIX = (
    f"Set {ENV_VAR} or {FILE_SETTING}, pass a systemd credential named {CREDENTIAL_NAME}, "
    f"run the engine where an OS keyring is available, or set {ALLOW_KEYFILE_SETTING}=1 to keep "
    "the key in a file in the data directory."
)


class MasterKeyUnavailable(Unavailable):
    """No source can provide a master key; the message names the settings that fix it."""

    default_code = "master_key_unavailable"

    def __init__(self, detail=None):
        super().__init__(detail or f"No master key is available for the secret store. {HOW_TO_FIX}")


@dataclass(frozen=True)
class MasterKey:
    """The keys from one source: ``keys[0]`` encrypts, every key decrypts."""

    source: str
    keys: tuple
    #: True when the engine itself may write a new key there (keyring, data-directory file).
    writable: bool = False

    def __repr__(self):  # never the keys, wherever this object ends up printed
        return f"MasterKey(source={self.source!r}, keys=<{len(self.keys)} hidden>)"


def parse_keys(text, source):
    keys = tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())
    if not keys:
        raise MasterKeyUnavailable(f"The master key from {source} is empty. {HOW_TO_FIX}")
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise MasterKeyUnavailable(
                f"The master key from {source} is not a Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with `manage.py providersecret generate-key`."
            ) from None
    return keys


def serialise(keys):
    return ",".join(keys) + "\n"


# --- the OS keyring -----------------------------------------------------------------------------


def keyring_backend():
    """The OS keyring backend if it really protects secrets, else None.

    The fail and null backends store nothing, a chainer with no backends is the same, and
    plaintext backends (``keyrings.alt``'s PlaintextKeyring and the like) would put the master
    key in a readable file next to the database, which defeats the point. keyring itself deems a
    backend worth recommending at priority ≥ 1; anything below is refused.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring installation is "no keyring"
        return None
    candidates = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    usable = [candidate for candidate in candidates if _is_real(candidate, fail, null)]
    return backend if usable and len(usable) == len(candidates) else None


def _is_real(backend, fail, null):
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    kind = f"{type(backend).__module__}.{type(backend).__qualname__}".lower()
    if "plaintext" in kind or kind.startswith("keyrings.alt"):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:
        return False


def _describe(backend):
    return f"OS keyring ({type(backend).__module__}.{type(backend).__qualname__})"


# --- finding the key ----------------------------------------------------------------------------


def keyfile_allowed():
    config = settings.MEDIA_ENGINE
    return bool(config["ALLOW_KEYFILE"]) or bool(config["EMBEDDED_DATABASE"])


def keyfile_path():
    return Path(settings.MEDIA_ENGINE["DATA_DIR"]) / KEYFILE_NAME


def load(create=False):
    """The master key, or None when none exists yet and ``create`` is false.

    With ``create``, a missing key is generated into the first writable source (keyring, then
    the data-directory file); :class:`MasterKeyUnavailable` when there is none.
    """
    configured = _configured()
    if configured is not None:
        return _announce(configured)
    backend = keyring_backend()
    if backend is not None:
        stored = _keyring_read(backend)
        if stored is None and create:
            stored = Fernet.generate_key().decode()
            backend.set_password(KEYRING_SERVICE, KEYRING_USERNAME, serialise((stored,)))
        if stored is not None:
            return _announce(MasterKey(_describe(backend), parse_keys(stored, _describe(backend)), writable=True))
        return None
    if keyfile_allowed():
        path = keyfile_path()
        if create:
            _create_keyfile(path)
        if path.exists():
            return _announce(MasterKey(f"key file {path}", parse_keys(path.read_text(), f"key file {path}"), True))
        return None
    if create:
        raise MasterKeyUnavailable()
    return None


def _configured():
    """A key the operator configured explicitly, which always wins."""
    text = os.environ.get(ENV_VAR)
    if text is not None and text.strip():
        return MasterKey(f"environment variable {ENV_VAR}", parse_keys(text, ENV_VAR))
    path = settings.MEDIA_ENGINE["MASTER_KEY_FILE"]
    if path:
        return MasterKey(f"file {path} ({FILE_SETTING})", _read_file(Path(path), FILE_SETTING))
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL_NAME).is_file():
        credential = Path(credentials) / CREDENTIAL_NAME
        return MasterKey(f"systemd credential {CREDENTIAL_NAME}", _read_file(credential, "the systemd credential"))
    return None


def _read_file(path, source):
    try:
        return parse_keys(path.read_text(), source)
    except OSError as error:
        raise MasterKeyUnavailable(f"The master key file named by {source} cannot be read ({error.strerror}).") from None


def _keyring_read(backend):
    try:
        return backend.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except Exception as error:
        raise MasterKeyUnavailable(f"The OS keyring could not be read ({type(error).__name__}). {HOW_TO_FIX}") from None


def _create_keyfile(path):
    """Create the key file once: O_EXCL so two processes agree on one key, 0600 for the owner."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(serialise((Fernet.generate_key().decode(),)))
    logger.warning(
        "Created a master key file at %s for the secret store. Anyone who can read the data directory "
        "can decrypt provider secrets; prefer %s, %s, a systemd credential or an OS keyring.",
        path, ENV_VAR, FILE_SETTING,
    )


def store(master, keys):
    """Replace the keys held by ``master``'s (writable) source."""
    if not master.writable:
        raise MasterKeyUnavailable(f"The engine cannot change the master key in {master.source}.")
    backend = keyring_backend()
    if master.source.startswith("OS keyring") and backend is not None:
        backend.set_password(KEYRING_SERVICE, KEYRING_USERNAME, serialise(keys))
    else:
        path = keyfile_path()
        temporary = path.with_name(path.name + ".new")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(serialise(keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    return MasterKey(master.source, tuple(keys), master.writable)


_announced = set()


def _announce(master):
    if master.source not in _announced:
        _announced.add(master.source)
        if master.source.startswith("key file"):
            logger.warning("Secret store master key: %s (a file in the data directory).", master.source)
        else:
            logger.info("Secret store master key: %s.", master.source)
    return master


def warnings():
    """For ``/system/status`` (Administrators): a key kept in a data-directory file."""
    try:
        if _configured() is None and keyring_backend() is None and keyfile_allowed() and keyfile_path().exists():
            return [
                f"Provider secrets are encrypted with a master key kept in {keyfile_path()}; anyone who can "
                f"read the data directory can decrypt them. Set {ENV_VAR} or {FILE_SETTING}, or use a systemd "
                "credential or an OS keyring."
            ]
    except MasterKeyUnavailable as error:
        return [error.detail]
    return []
